"""Demo certificates for the approved demo attestations, one expired, one revoked (by two
staff admins) and one revocation waiting for a second admin.

The first REAL_PDFS certificates are rendered one by one; beyond that (10,000-company demos)
each cycle shares one rendered PDF, marked is_demo, so seeding takes seconds. Every
certificate still gets its own number, verification id and signed credential.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, load_only

from portal import clock
from portal.attestations.models import Attestation, AttestationStatus, ReportingCycle
from portal.certificates import credentials, render, service
from portal.certificates.models import Certificate
from portal.organisations.models import Organisation
from portal.pledges.service import current_code_version

REAL_PDFS = 24
SHARED_NAME = "Demo company (shared demo PDF)"
REVOKED_REASON = ("Demo: an evidence check found no records of the learning hours declared "
                  "for this cycle.")
PENDING_REASON = "Demo: the company asked us to withdraw this certificate."


def seed(db: Session, ctx) -> None:
    years = list(db.execute(sa.select(ReportingCycle.year).order_by(ReportingCycle.year))
                 .scalars())
    expired = _ensure_expired(db, years)
    issued = sum(_issue_cycle(db, year) for year in years)
    revoked, pending = _ensure_revocations(db, ctx)
    total = db.execute(sa.select(sa.func.count(Certificate.id))).scalar()
    ctx.lines += ["", "Certificates:", f"  {total} in all ({issued} issued now)"]
    for label, certificate in (("expired", expired), ("revoked", revoked),
                               ("revocation awaiting a second admin", pending)):
        if certificate is not None:
            ctx.lines.append(f"  {label}: {certificate.number} "
                             f"/verify/{certificate.verification_id}")


def _missing_certificates(db: Session, year: int, limit: int | None = None):
    """attestations_missing_certificates (the issue-certificates batch's choice), loading only
    the columns a certificate needs: not every answer and snapshot of a 5,000-row cycle."""
    has_certificate = sa.select(Certificate.id).where(
        Certificate.attestation_id == Attestation.id).exists()
    return list(db.execute(
        sa.select(Attestation).join(ReportingCycle).where(
            ReportingCycle.year == year, Attestation.status == AttestationStatus.APPROVED,
            ~has_certificate).order_by(Attestation.id).limit(limit)
        .options(load_only(Attestation.id, Attestation.organisation_id, Attestation.cycle_id,
                           Attestation.status))).scalars())


def _issue_cycle(db: Session, year: int) -> int:
    attestations = _missing_certificates(db, year)
    if not attestations:
        return 0
    # Load the companies in one query so each attestation.organisation is an identity-map hit.
    ids = [a.organisation_id for a in attestations]
    db.execute(sa.select(Organisation).where(Organisation.id.in_(ids))).scalars().all()
    cycle = attestations[0].cycle
    known = {"version": current_code_version(db),
             "valid_until": service.valid_until_for(db, cycle)}
    service.lock_numbering(db)  # once: the numbers below are ours until the demo commits
    sequence, index = service.next_sequence(db, year), service.next_status_index(db)
    already_real = db.execute(sa.select(sa.func.count(Certificate.id)).where(
        Certificate.is_demo.is_(False))).scalar()
    real = min(max(REAL_PDFS - already_real, 0), len(attestations))
    for offset, attestation in enumerate(attestations[:real]):
        certificate, values = service.new_certificate(
            db, attestation, sequence=sequence + offset, status_list_index=index + offset,
            **known)
        service.attach_rendering(certificate, *render.render_certificate(values))
        db.add(certificate)
    db.flush()
    _insert_shared_pdf_certificates(db, attestations[real:], sequence + real, index + real,
                                    known)
    return len(attestations)


def _insert_shared_pdf_certificates(db: Session, attestations, sequence: int, index: int,
                                    known: dict, batch: int = 1000) -> None:
    """Certificates beyond the first REAL_PDFS share their cycle's one rendered PDF (is_demo)
    but each gets its own number, status bit, verification id and signed credential.

    Core inserts in batches, values from service.certificate_values like any certificate:
    one Certificate object and one autoflushed INSERT per row (plus a numbering lock each)
    took ~20 s of the 10,000-company demo on PostgreSQL."""
    if not attestations:
        return
    template_version, weasyprint_version = render.template_version(), render.weasyprint_version()
    shared = pdf_sha256 = None
    rows = []
    for offset, attestation in enumerate(attestations):
        issued_at = clock.now()
        values = service.certificate_values(
            db, attestation, sequence=sequence + offset, status_list_index=index + offset,
            verification_id=secrets.token_urlsafe(18), issued_at=issued_at, **known)
        if shared is None:
            shared = render.render_certificate({**values, "company_name": SHARED_NAME})[0]
            pdf_sha256 = hashlib.sha256(shared).hexdigest()
        rows.append({
            "number": values["number"], "sequence": values["sequence"],
            "verification_id": values["verification_id"],
            "organisation_id": attestation.organisation_id, "attestation_id": attestation.id,
            "cycle_id": attestation.cycle_id, "code_version_id": values["code_version_id"],
            "status_list_index": values["status_list_index"], "issued_at": issued_at,
            "valid_until": date.fromisoformat(values["valid_until"]), "pdf": shared,
            "pdf_sha256": pdf_sha256, "rendered_values": values,
            "credential_jws": credentials.sign(credentials.build_credential(values)),
            "template_version": template_version, "weasyprint_version": weasyprint_version,
            "is_demo": True, "verification_count": 0,
        })
        if len(rows) == batch:
            db.execute(sa.insert(Certificate.__table__), rows)
            rows = []
    if rows:
        db.execute(sa.insert(Certificate.__table__), rows)


def _ensure_expired(db: Session, years: list[int]) -> Certificate | None:
    """Expiry needs time to pass: the first certificate of the oldest cycle is issued as it
    would have been back then, with an end date that has passed."""
    today = clock.today()
    expired = db.execute(sa.select(Certificate).where(Certificate.valid_until < today)
                         .order_by(Certificate.id).limit(1)).scalar_one_or_none()
    missing = _missing_certificates(db, years[0], limit=1) if years else []
    if expired is not None or not missing:
        return expired
    attestation = missing[0]
    cycle = attestation.cycle
    issued_at = clock.end_of_day(cycle.due_on + timedelta(days=30)) - timedelta(hours=12)
    natural = service.valid_until_for(db, cycle)
    end = natural if natural < today else today - timedelta(days=30)
    if issued_at.date() >= end:
        return None
    certificate, values = service.new_certificate(db, attestation, issued_at=issued_at,
                                                  valid_until=end)
    service.attach_rendering(certificate, *render.render_certificate(values))
    db.add(certificate)
    db.flush()
    return certificate


def _latest_valid(db: Session, exclude: set[int]) -> Certificate | None:
    return db.execute(
        sa.select(Certificate).where(
            Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None),
            Certificate.revocation_requested_at.is_(None), Certificate.valid_until >= clock.today(),
            Certificate.organisation_id.not_in(exclude or {0}))
        .order_by(Certificate.id.desc()).limit(1)).scalar_one_or_none()


def _ensure_revocations(db: Session, ctx):
    admins = [u for u in ctx.staff.values() if u.is_staff_admin]
    if len(admins) < 2:
        return None, None
    revoked = db.execute(sa.select(Certificate).where(Certificate.revoked_at.is_not(None))
                         .limit(1)).scalar_one_or_none()
    if revoked is None and (revoked := _latest_valid(db, set())) is not None:
        service.request_revocation(db, revoked, admins[0], REVOKED_REASON)
        service.confirm_revocation(db, revoked, admins[1])
    pending = db.execute(sa.select(Certificate).where(
        Certificate.revocation_requested_at.is_not(None), Certificate.revoked_at.is_(None))
        .limit(1)).scalar_one_or_none()
    exclude = {revoked.organisation_id} if revoked else set()
    if pending is None and (pending := _latest_valid(db, exclude)) is not None:
        service.request_revocation(db, pending, admins[0], PENDING_REASON)
    return revoked, pending
