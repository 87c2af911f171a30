"""Demo data for the review: risk flags, a queue with an assignment, a change request, a
rejection, approval records and one sampling audit. Idempotent; runs after the attestation
demo and works on whatever attestations it created."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import (
    Attestation,
    AttestationStatus,
    AttestationVersion,
    ReportingCycle,
)
from portal.auth.models import StaffRole
from portal.review import sampling, service
from portal.review.models import Decision, Review, RiskFlag, SamplingAudit

# Flags are computed one version at a time (a few queries each): cap it for 10,000 companies.
MAX_FLAGGED = 300
DEMO_SEED = "demo-sample"


def seed(db: Session, ctx) -> None:
    staff = list(ctx.staff.values())
    reviewer = next((u for u in staff if u.staff_role == StaffRole.REVIEWER), None)
    admin = next((u for u in staff if u.staff_role == StaffRole.ADMIN), None)
    if reviewer is None or admin is None:
        return
    cycle = _current_cycle(db)
    printed = _attestation_lines(db, ctx, cycle)  # what the attestation demo just printed
    flagged = _flag_unflagged_versions(db)
    decided = _decide_some_open(db, reviewer, admin)
    _record_past_decisions(db, admin)
    audit = _one_sampling_audit(db, admin)
    if decided:
        _refresh_attestation_lines(db, ctx, cycle, printed)
    if flagged or decided or audit:
        ctx.lines.append(f"Review demo: {flagged} versions checked for risk, "
                         f"{len(decided)} attestations moved on, sampling audit "
                         f"{'drawn' if audit else 'present'}.")
        ctx.lines += [f"  {a.organisation.name} ({a.cycle.year}): {what}; status now "
                      f"{a.status.value.replace('_', ' ')}" for what, a in decided]


def _current_cycle(db: Session) -> ReportingCycle | None:
    """The cycle whose statuses the attestation demo prints: the latest one already open."""
    return db.execute(sa.select(ReportingCycle).where(ReportingCycle.opens_on <= clock.today())
                      .order_by(ReportingCycle.year.desc()).limit(1)).scalar_one_or_none()


def _attestation_lines(db: Session, ctx, cycle: ReportingCycle | None) -> list[str]:
    # The attestation demo's own wording (read, never copied), so the lines compare equal.
    from portal.attestations.demo import _lines

    return _lines(db, ctx, cycle) if cycle is not None else []


def _refresh_attestation_lines(db: Session, ctx, cycle: ReportingCycle | None,
                               printed: list[str]) -> None:
    """The attestation demo printed statuses before our decisions changed some of them:
    put the final statuses in place of its lines so the summary tells the truth."""
    db.flush()
    final = _attestation_lines(db, ctx, cycle)
    size = len(printed)
    for start in range(len(ctx.lines) - size, -1, -1):
        if size and ctx.lines[start:start + size] == printed:
            ctx.lines[start:start + size] = final
            return


def _flag_unflagged_versions(db: Session) -> int:
    versions = db.execute(
        sa.select(AttestationVersion, Attestation)
        .join(Attestation, Attestation.id == AttestationVersion.attestation_id)
        .where(~sa.exists().where(RiskFlag.attestation_version_id == AttestationVersion.id))
        .order_by(AttestationVersion.id).limit(MAX_FLAGGED)).all()
    for version, attestation in versions:
        service.compute_risk_flags(db, attestation, version)
    return len(versions)


PAST_DECISIONS = {AttestationStatus.APPROVED: Decision.APPROVED,
                  AttestationStatus.CHANGES_REQUESTED: Decision.CHANGES_REQUESTED,
                  AttestationStatus.REJECTED: Decision.REJECTED}


def _record_past_decisions(db: Session, admin) -> None:
    """Decided demo attestations get the review that decided them (bulk, no mail).

    The latest version comes from one grouped subquery joined in, not a correlated max() per
    attestation: right after the bulk inserts PostgreSQL has no statistics for these tables
    and planned that as a backwards scan of every version for each attestation (~40 s for
    10,000 companies). Plain columns and a Core insert with the same keys in every row keep
    it to a few statements."""
    latest = (sa.select(AttestationVersion.attestation_id,
                        sa.func.max(AttestationVersion.id).label("version_id"))
              .group_by(AttestationVersion.attestation_id).subquery())
    rows = db.execute(
        sa.select(Attestation.id, Attestation.status, Attestation.review_messages,
                  Attestation.decision_reason, Attestation.decided_at, Attestation.updated_at,
                  latest.c.version_id)
        .join(latest, latest.c.attestation_id == Attestation.id)
        .where(Attestation.status.in_(PAST_DECISIONS),
               ~sa.exists().where(Review.attestation_id == Attestation.id))
        .order_by(Attestation.id)).all()
    now = clock.now()
    reviews = [{"attestation_id": row.id, "attestation_version_id": row.version_id,
                "reviewer_id": admin.id, "decision": PAST_DECISIONS[row.status],
                "messages": row.review_messages or {}, "reason": row.decision_reason,
                "internal_note": None, "decided_at": row.decided_at or row.updated_at or now}
               for row in rows]
    for start in range(0, len(reviews), 2000):
        db.execute(sa.insert(Review.__table__), reviews[start:start + 2000])


def _open_without_review(db: Session) -> list[Attestation]:
    return list(db.execute(
        sa.select(Attestation).where(
            Attestation.status.in_(service.OPEN_STATUSES),
            ~sa.exists().where(Review.attestation_id == Attestation.id))
        .order_by(Attestation.submitted_at, Attestation.id).limit(4)).scalars())


def _decide_some_open(db: Session, reviewer, admin) -> list[tuple[str, Attestation]]:
    """Of the oldest untouched submissions: one change request, one rejection, one assigned.

    The rest stay in the queue so a reviewer has something to do in the demo. Returns what
    was done to which attestation (for the printed summary).
    """
    if db.execute(sa.select(Review.id).where(Review.decision.in_(
            [Decision.CHANGES_REQUESTED, Decision.REJECTED]))).first():
        return []  # already seeded
    waiting = _open_without_review(db)
    if len(waiting) < 3:
        return []
    changes, rejected, assigned = waiting[:3]
    service.request_changes(db, reviewer, changes, {
        "learning": "Your total hours look high for your headcount. Check they are hours, "
                    "not minutes, and upload your learning-system export.",
        "dei": "Add the link to your published DE&I policy."})
    service.reject(db, admin, rejected,
                   "No learning time was recorded during the period, so commitment 2 "
                   "(record and review) was not met.")
    service.assign_to(db, reviewer, assigned)
    return [(f"{reviewer.name} asked for changes", changes),
            (f"{admin.name} rejected it", rejected),
            (f"assigned to {reviewer.name}", assigned)]


def _one_sampling_audit(db: Session, admin) -> SamplingAudit | None:
    if db.execute(sa.select(SamplingAudit.id)).first():
        return None
    cycle_id = db.execute(
        sa.select(Attestation.cycle_id).where(Attestation.status == AttestationStatus.APPROVED)
        .group_by(Attestation.cycle_id).order_by(sa.func.count().desc()).limit(1)).scalar()
    if cycle_id is None:
        return None
    return sampling.draw_sample(
        db, admin, db.get(ReportingCycle, cycle_id), 10, DEMO_SEED,
        "Your attestation was chosen at random for this year's evidence check. Please send "
        "us your learning-system export for the reporting period.")
