"""Demo audit history: the events the demo's pledges, submissions, decisions and certificates
would have recorded had people made them through the site (10,000 companies x 3 cycles: about
76,000 events), appended to the hash chain in bulk so `portal audit-verify` passes.

Each event carries the time of what it describes (signed_at, submitted_at, decided_at,
issued_at) and "demo": true in its detail; the batch is chained in time order after whatever
the chain already holds. That includes the few events the other demo steps recorded as they
happened (a change request, a rejection, revocations...), so in sequence order those come
before this back-dated history. Idempotent: an object that already has its event gets no
second one.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from portal.attestations.models import Attestation, AttestationVersion, ReportingCycle
from portal.audit.models import AuditEvent
from portal.audit.service import _lock_head, compute_hash
from portal.certificates.models import Certificate
from portal.pledges.models import CodeVersion, Pledge
from portal.review.models import Review

BATCH = 2000


def seed(db: Session, ctx) -> None:
    have = {tuple(row) for row in db.execute(
        sa.select(AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id))}
    events = [*_pledge_events(db, have), *_submission_events(db, have),
              *_decision_events(db, have), *_certificate_events(db, ctx, have)]
    if events:
        _append(db, events)
    total = db.execute(sa.select(sa.func.count(AuditEvent.id))).scalar()
    ctx.lines += ["", f"Audit log: {total:,} events ({len(events):,} demo history events "
                      "added now)"]


def _missing(have: set, action: str, object_type: str, object_id) -> bool:
    return (action, object_type, str(object_id)) not in have


def _event(action, at, actor_id, organisation_id, object_type, object_id, detail,
           personal=None) -> dict:
    return {"action": action, "at": at, "actor_id": actor_id, "organisation_id": organisation_id,
            "object_type": object_type, "object_id": str(object_id),
            # Plain JSON values already (record() normalises through JSON for any others).
            "detail": {**detail, "demo": True}, "personal": personal}


def _pledge_events(db: Session, have: set):
    previous = aliased(Pledge)
    columns = [getattr(Pledge, name) for name in (
        "id", "reference", "organisation_id", "signed_at", "signed_by_id", "text_sha256",
        "signatory_name", "signatory_title", "ip_address", "user_agent", "withdrawn_at",
        "withdrawn_by_id", "withdrawal_reason")]
    rows = db.execute(
        sa.select(*columns, CodeVersion.number, previous.reference.label("supersedes"))
        .join(CodeVersion, CodeVersion.id == Pledge.code_version_id)
        .outerjoin(previous, previous.superseded_by_id == Pledge.id)
        .order_by(Pledge.id))
    for pledge in rows:
        number, supersedes = pledge.number, pledge.supersedes
        action = "pledge_resigned" if supersedes else "pledge_signed"
        if _missing(have, action, "pledges", pledge.id):
            yield _event(action, pledge.signed_at,
                         pledge.signed_by_id, pledge.organisation_id, "pledges", pledge.id,
                         {"reference": pledge.reference, "code_version": number,
                          "text_sha256": pledge.text_sha256, "supersedes": supersedes},
                         {"signatory_name": pledge.signatory_name,
                          "signatory_title": pledge.signatory_title, "ip": pledge.ip_address,
                          "user_agent": pledge.user_agent})
        if pledge.withdrawn_at is not None and _missing(have, "pledge_withdrawn", "pledges",
                                                        pledge.id):
            yield _event("pledge_withdrawn", pledge.withdrawn_at, pledge.withdrawn_by_id,
                         pledge.organisation_id, "pledges", pledge.id,
                         {"reference": pledge.reference}, {"reason": pledge.withdrawal_reason})


def _submission_events(db: Session, have: set):
    rows = db.execute(
        sa.select(AttestationVersion.attestation_id, AttestationVersion.reference,
                  AttestationVersion.sha256, AttestationVersion.is_late,
                  AttestationVersion.submitted_at, AttestationVersion.submitted_by_id,
                  Attestation.organisation_id, Attestation.declaration_name)
        .join(Attestation, Attestation.id == AttestationVersion.attestation_id)
        .order_by(AttestationVersion.id))
    for row in rows:
        if _missing(have, "attestation_submitted", "attestations", row.attestation_id):
            yield _event("attestation_submitted", row.submitted_at, row.submitted_by_id,
                         row.organisation_id, "attestations", row.attestation_id,
                         {"reference": row.reference, "sha256": row.sha256, "late": row.is_late},
                         {"declaration_name": row.declaration_name})


def _decision_events(db: Session, have: set):
    rows = db.execute(
        sa.select(Review.id, Review.attestation_id, Review.reviewer_id, Review.decision,
                  Review.messages, Review.decided_at, Attestation.organisation_id,
                  AttestationVersion.number)
        .join(Attestation, Attestation.id == Review.attestation_id)
        .join(AttestationVersion, AttestationVersion.id == Review.attestation_version_id)
        .order_by(Review.id))
    for row in rows:
        action = f"attestation_{row.decision.value}"
        if _missing(have, action, "attestations", row.attestation_id):
            yield _event(action, row.decided_at, row.reviewer_id,
                         row.organisation_id, "attestations", row.attestation_id,
                         {"review_id": row.id, "version": row.number,
                          "sections": sorted(row.messages or {})})


def _certificate_events(db: Session, ctx, have: set):
    rows = db.execute(
        sa.select(Certificate.id, Certificate.number, Certificate.organisation_id,
                  Certificate.issued_at, Certificate.pdf_sha256, ReportingCycle.year)
        .join(ReportingCycle, ReportingCycle.id == Certificate.cycle_id)
        .order_by(Certificate.id))
    actor = next((u.id for u in ctx.staff.values() if u.is_staff_admin), None)
    for row in rows:
        if _missing(have, "certificate_issued", "certificates", row.id):
            yield _event("certificate_issued", row.issued_at, actor, row.organisation_id,
                         "certificates", row.id,
                         {"number": row.number, "cycle": row.year, "pdf_sha256": row.pdf_sha256})


def _append(db: Session, events: list[dict]) -> None:
    """Chain the events in time order after the current head, as record() would one by one,
    and move the head to the last of them (its row lock is held until the demo commits)."""
    events.sort(key=lambda e: e["at"])
    head = _lock_head(db)  # head.seq is now the sequence number of the first new event
    seq, prev_hash = head.seq, head.hash
    for event in events:
        event["seq"], event["prev_hash"] = seq, prev_hash
        event["hash"] = prev_hash = compute_hash(
            seq=seq, at=event["at"], actor_id=event["actor_id"],
            organisation_id=event["organisation_id"], action=event["action"],
            object_type=event["object_type"], object_id=event["object_id"],
            detail=event["detail"], prev_hash=event["prev_hash"])
        seq += 1
    for start in range(0, len(events), BATCH):
        db.execute(sa.insert(AuditEvent.__table__), events[start:start + BATCH])
    head.seq, head.hash = seq - 1, prev_hash
    db.flush()
