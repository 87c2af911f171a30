"""Sampling audits: a reproducible random sample of approved attestations, an evidence
request with an upload slot for each sampled company, and the recorded outcome."""

from __future__ import annotations

import math
import random

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import (
    Attestation,
    AttestationStatus,
    EvidenceFile,
    ReportingCycle,
)
from portal.audit.service import record
from portal.auth.models import User
from portal.mail.service import queue_mail
from portal.review.models import SampledAttestation, SampleOutcome, SamplingAudit
from portal.review.service import ReviewError, company_admins, external_url


def sample_ids(population: list[int], percentage: int, seed: str) -> list[int]:
    """The same population, percentage and seed always give the same sample."""
    population = sorted(population)
    if not population:
        return []
    size = max(1, math.ceil(len(population) * percentage / 100))
    return sorted(random.Random(f"{seed}:{percentage}").sample(population, size))


def approved_population(db: Session, cycle_id: int) -> list[int]:
    return list(db.execute(
        sa.select(Attestation.id).where(Attestation.cycle_id == cycle_id,
                                        Attestation.status == AttestationStatus.APPROVED)
        .order_by(Attestation.id)).scalars())


def draw_sample(db: Session, admin: User, cycle: ReportingCycle, percentage: int, seed: str,
                message: str) -> SamplingAudit:
    population = approved_population(db, cycle.id)
    if not population:
        raise ReviewError(f"No attestation has been approved in the {cycle.year} cycle yet.")
    audit = SamplingAudit(cycle_id=cycle.id, percentage=percentage, seed=seed,
                          population_size=len(population), message=message,
                          drawn_by_id=admin.id, drawn_at=clock.now())
    db.add(audit)
    db.flush()
    chosen = sample_ids(population, percentage, seed)
    rows = db.execute(sa.select(Attestation).where(Attestation.id.in_(chosen))).scalars()
    for attestation in rows:
        sampled = SampledAttestation(sampling_audit_id=audit.id, attestation_id=attestation.id,
                                     organisation_id=attestation.organisation_id)
        db.add(sampled)
        db.flush()
        _mail_evidence_request(db, audit, attestation, sampled)
    record(db, "sampling_audit_drawn", actor=admin, obj=audit,
           detail={"cycle": cycle.year, "percentage": percentage, "seed": seed,
                   "population": len(population), "sampled": chosen})
    return audit


def _mail_evidence_request(db: Session, audit: SamplingAudit, attestation: Attestation,
                           sampled: SampledAttestation) -> None:
    link = external_url("evidence_checks.upload", sampled_id=sampled.id)
    for admin in company_admins(db, attestation.organisation_id):
        queue_mail(db, "review_evidence_request", admin.email,
                   f"Evidence check for your {attestation.cycle.year} People Pillar attestation",
                   {"user": admin, "audit": audit, "attestation": attestation,
                    "organisation": attestation.organisation, "link": link},
                   dedupe_key=f"sampling:{audit.id}:{attestation.id}:{admin.id}",
                   user_id=admin.id, organisation_id=attestation.organisation_id)


def record_sample_outcome(db: Session, admin: User, sampled: SampledAttestation,
                          outcome: SampleOutcome, note: str) -> None:
    sampled.outcome, sampled.outcome_note = outcome, note
    sampled.outcome_at, sampled.outcome_by_id = clock.now(), admin.id
    record(db, "sampling_outcome_recorded", actor=admin, obj=sampled,
           organisation_id=sampled.organisation_id,
           detail={"outcome": outcome.value, "sampling_audit_id": sampled.sampling_audit_id})


def sampling_evidence(db: Session, sampled: SampledAttestation) -> list[EvidenceFile]:
    return list(db.execute(sa.select(EvidenceFile).where(
        EvidenceFile.attestation_id == sampled.attestation_id,
        EvidenceFile.purpose == "sampling", EvidenceFile.deleted_at.is_(None))
        .order_by(EvidenceFile.id)).scalars())


def add_sampling_evidence(db: Session, actor: User, sampled: SampledAttestation,
                          filename: str, data: bytes) -> EvidenceFile:
    """A file into the evidence-request slot; the same type and size checks as section E."""
    from portal.attestations.evidence import _store, check_upload

    if sampled.outcome != SampleOutcome.PENDING:
        raise ReviewError("This evidence check is closed")
    media_type = check_upload(data, len(sampling_evidence(db, sampled)))
    attestation = db.get(Attestation, sampled.attestation_id)
    evidence = _store(db, attestation, filename, media_type, data, "sampling", actor)
    if sampled.evidence_received_at is None:
        sampled.evidence_received_at = clock.now()
        _tell_staff_evidence_arrived(db, sampled, attestation)
    db.flush()
    return evidence


def _tell_staff_evidence_arrived(db: Session, sampled: SampledAttestation,
                                 attestation: Attestation) -> None:
    """The admin who drew the sample hears once, at the first file."""
    audit = db.get(SamplingAudit, sampled.sampling_audit_id)
    drawer = db.get(User, audit.drawn_by_id)
    if drawer is None or not drawer.is_active:
        return
    queue_mail(db, "staff_evidence_received", drawer.email,
               f"Evidence received from {attestation.organisation.name}",
               {"user": drawer, "organisation": attestation.organisation, "audit": audit,
                "link": external_url("review.sample", audit_id=audit.id)},
               dedupe_key=f"evidence_received:{sampled.id}", user_id=drawer.id)
