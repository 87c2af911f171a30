"""Review decisions, risk flags, notes and sampling audits. Functions only flush."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import (
    Attestation,
    AttestationStatus,
    AttestationVersion,
    EvidenceFile,
    ReportingCycle,
)
from portal.audit.service import record
from portal.auth.models import OrgRole, User
from portal.mail.service import queue_mail
from portal.review import risk
from portal.review.labels import SECTION_TITLES
from portal.review.models import (
    Decision,
    Review,
    RiskFlag,
    StaffNote,
)

CHANGES_DUE_DAYS = 14
SECTION_KEYS = ("workforce", "learning", "dei", "narrative", "evidence", "declaration")
OPEN_STATUSES = (AttestationStatus.SUBMITTED, AttestationStatus.IN_REVIEW)


def external_url(endpoint: str, fallback: str = "/", **values) -> str:
    """An absolute link for mail, also from the CLI (demo data) where no request exists."""
    base = current_app.config["PORTAL_BASE_URL"]
    if endpoint not in current_app.view_functions:
        return base + fallback
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context():
        return base + url_for(endpoint, **values)


class ReviewError(Exception):
    """A decision that is not allowed; the message is shown to the reviewer."""


# Risk flags --------------------------------------------------------------------------------

def latest_version(db: Session, attestation_id: int) -> AttestationVersion | None:
    return db.execute(
        sa.select(AttestationVersion).where(AttestationVersion.attestation_id == attestation_id)
        .order_by(AttestationVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def previous_cycle_version(db: Session, attestation: Attestation) -> AttestationVersion | None:
    """The company's latest submitted version for last year's cycle, if any."""
    return db.execute(
        sa.select(AttestationVersion)
        .join(Attestation, Attestation.id == AttestationVersion.attestation_id)
        .join(ReportingCycle, ReportingCycle.id == Attestation.cycle_id)
        .where(Attestation.organisation_id == attestation.organisation_id,
               ReportingCycle.year == attestation.cycle.year - 1)
        .order_by(AttestationVersion.number.desc()).limit(1)
    ).scalar_one_or_none()


def _answers_before_change_request(db: Session, version: AttestationVersion) -> dict | None:
    """The answers a change request was made on, when `version` is the reply to it."""
    last_review = db.execute(
        sa.select(Review).where(Review.attestation_id == version.attestation_id)
        .order_by(Review.id.desc()).limit(1)
    ).scalar_one_or_none()
    if last_review is None or last_review.decision != Decision.CHANGES_REQUESTED:
        return None
    reviewed = db.get(AttestationVersion, last_review.attestation_version_id)
    if reviewed is None or reviewed.id == version.id:
        return None
    return (reviewed.snapshot or {}).get("answers", {})


def build_risk_context(db: Session, attestation: Attestation,
                       version: AttestationVersion) -> risk.RiskContext:
    from portal.pledges.service import active_pledge

    cycle = attestation.cycle
    previous = previous_cycle_version(db, attestation)
    evidence_count = db.execute(
        sa.select(sa.func.count()).select_from(EvidenceFile).where(
            EvidenceFile.attestation_id == attestation.id, EvidenceFile.purpose == "evidence",
            EvidenceFile.deleted_at.is_(None))
    ).scalar_one()
    pledge = active_pledge(db, attestation.organisation_id)
    return risk.RiskContext(
        answers=(version.snapshot or {}).get("answers", {}),
        headcount=version.headcount, avg_hours_per_week=version.avg_hours_per_week,
        coverage_pct=version.coverage_pct,
        min_avg_hours_per_week=cycle.min_avg_hours_per_week,
        min_coverage_pct=cycle.min_coverage_pct, submitted_at=version.submitted_at,
        previous_cycle_headcount=previous.headcount if previous else None,
        evidence_count=evidence_count,
        answers_before_change_request=_answers_before_change_request(db, version),
        pledge_signed_at=pledge.signed_at if pledge else None,
    )


def compute_risk_flags(db: Session, attestation: Attestation,
                       version: AttestationVersion) -> list[RiskFlag]:
    """Evaluate every rule on a frozen version; computed once per version."""
    existing = list(db.execute(
        sa.select(RiskFlag).where(RiskFlag.attestation_version_id == version.id)).scalars())
    if existing:
        return existing
    flags = [
        RiskFlag(attestation_id=attestation.id, attestation_version_id=version.id,
                 code=finding.code, severity=finding.severity,
                 explanation=finding.explanation)
        for finding in risk.evaluate(build_risk_context(db, attestation, version))
    ]
    db.add_all(flags)
    db.flush()
    return flags


def on_attestation_submitted(sender, *, db, attestation, version, actor=None, **_extra):
    compute_risk_flags(db, attestation, version)


# Decisions ---------------------------------------------------------------------------------

def conflict_of_interest(db: Session, reviewer: User, attestation: Attestation) -> str | None:
    """Why this reviewer may not decide, or None. Staff from the company never judge it."""
    if reviewer.organisation_id is not None and \
            reviewer.organisation_id == attestation.organisation_id:
        return "You belong to this company, so another reviewer must decide."
    submitted_by = set(db.execute(
        sa.select(AttestationVersion.submitted_by_id)
        .where(AttestationVersion.attestation_id == attestation.id)).scalars())
    if reviewer.id in submitted_by or reviewer.id == attestation.submitted_by_id:
        return "You submitted this attestation, so another reviewer must decide."
    return None


def _check_can_decide(db: Session, reviewer: User, attestation: Attestation):
    problem = conflict_of_interest(db, reviewer, attestation)
    if problem:
        raise ReviewError(problem)
    if attestation.status not in OPEN_STATUSES:
        raise ReviewError("This attestation is not waiting for a decision.")
    version = latest_version(db, attestation.id)
    if version is None:
        raise ReviewError("This attestation has not been submitted.")
    _claim(db, attestation)
    return version


def _claim(db: Session, attestation: Attestation) -> None:
    """Take the decision atomically: of two reviewers pressing at once, only one wins.

    The conditional UPDATE re-reads the status under the row's write lock, so a decision
    committed by someone else a moment ago makes this one fail instead of deciding twice.
    """
    claimed = db.execute(
        sa.update(Attestation)
        .where(Attestation.id == attestation.id, Attestation.status.in_(OPEN_STATUSES))
        .values(row_version=Attestation.row_version + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise ReviewError("Another reviewer has just decided on this attestation. "
                          "Reload the page to see their decision.")


def assign_to(db: Session, reviewer: User, attestation: Attestation) -> None:
    problem = conflict_of_interest(db, reviewer, attestation)
    if problem:
        raise ReviewError(problem)
    if attestation.status not in OPEN_STATUSES:
        raise ReviewError("Only submitted attestations can be assigned.")
    attestation.assigned_reviewer_id = reviewer.id
    attestation.status = AttestationStatus.IN_REVIEW
    record(db, "attestation_assigned", actor=reviewer, obj=attestation,
           organisation_id=attestation.organisation_id, detail={"reviewer_id": reviewer.id})


def _decide(db, reviewer, attestation, version, decision, **fields) -> Review:
    review = Review(attestation_id=attestation.id, attestation_version_id=version.id,
                    reviewer_id=reviewer.id, decision=decision, decided_at=clock.now(),
                    **fields)
    db.add(review)
    db.flush()
    record(db, f"attestation_{decision.value}", actor=reviewer, obj=attestation,
           organisation_id=attestation.organisation_id,
           detail={"review_id": review.id, "version": version.number,
                   "sections": sorted(review.messages or {})})
    _mail_company(db, attestation, review)
    return review


def approve(db: Session, reviewer: User, attestation: Attestation,
            internal_note: str | None = None) -> Review:
    version = _check_can_decide(db, reviewer, attestation)
    attestation.status = AttestationStatus.APPROVED
    attestation.decided_at = clock.now()
    attestation.review_messages, attestation.decision_reason = {}, None
    review = _decide(db, reviewer, attestation, version, Decision.APPROVED,
                     messages={}, internal_note=internal_note or None)
    _issue_certificate(db, attestation, reviewer)
    return review


def _issue_certificate(db: Session, attestation: Attestation, reviewer: User) -> None:
    try:
        from portal.certificates.service import issue_certificate
    except ImportError:
        # The certificate capability is optional in a partial build: approval still stands.
        current_app.logger.warning("No certificate service: approval recorded only")
        return
    issue_certificate(db, attestation, reviewer)


def request_changes(db: Session, reviewer: User, attestation: Attestation, messages: dict,
                    internal_note: str | None = None) -> Review:
    messages = {key: text for key, text in messages.items() if key in SECTION_KEYS and text}
    if not messages:
        raise ReviewError("Enter a message for at least one section")
    version = _check_can_decide(db, reviewer, attestation)
    attestation.status = AttestationStatus.CHANGES_REQUESTED
    attestation.review_messages = messages
    # Its own deadline, even after the cycle's grace period has ended.
    attestation.changes_due_on = clock.today() + timedelta(days=CHANGES_DUE_DAYS)
    return _decide(db, reviewer, attestation, version, Decision.CHANGES_REQUESTED,
                   messages=messages, internal_note=internal_note or None)


def reject(db: Session, reviewer: User, attestation: Attestation, reason: str,
           internal_note: str | None = None) -> Review:
    if not reason:
        raise ReviewError("Enter the reason for rejecting this attestation")
    version = _check_can_decide(db, reviewer, attestation)
    attestation.status = AttestationStatus.REJECTED
    attestation.decided_at = clock.now()
    attestation.decision_reason, attestation.review_messages = reason, {}
    return _decide(db, reviewer, attestation, version, Decision.REJECTED,
                   messages={}, reason=reason, internal_note=internal_note or None)


def reopen_on_appeal(db: Session, admin: User, attestation: Attestation, reason: str) -> Review:
    """A staff admin puts a rejected attestation back in the queue for a fresh decision."""
    if attestation.status != AttestationStatus.REJECTED:
        raise ReviewError("Only a rejected attestation can be reopened on appeal.")
    if not reason:
        raise ReviewError("Enter the reason for reopening this attestation")
    version = latest_version(db, attestation.id)
    attestation.status = AttestationStatus.SUBMITTED
    attestation.assigned_reviewer_id = None
    attestation.decided_at = None
    return _decide(db, admin, attestation, version, Decision.REOPENED, messages={},
                   reason=reason)


def add_note(db: Session, author: User, attestation: Attestation, body: str) -> StaffNote:
    note = StaffNote(attestation_id=attestation.id, author_id=author.id, body=body)
    db.add(note)
    db.flush()
    # The note's text stays out of the hash: it may name people.
    record(db, "staff_note_added", actor=author, obj=attestation,
           organisation_id=attestation.organisation_id, detail={"note_id": note.id},
           personal={"body": body})
    return note


def company_admins(db: Session, organisation_id: int) -> list[User]:
    return list(db.execute(
        sa.select(User).where(User.organisation_id == organisation_id,
                              User.org_role == OrgRole.ADMIN, User.disabled_at.is_(None),
                              User.erased_at.is_(None)).order_by(User.id)).scalars())


MAIL_SUBJECTS = {
    Decision.APPROVED: "Your {year} People Pillar attestation is approved",
    Decision.CHANGES_REQUESTED: "Changes needed to your {year} People Pillar attestation",
    Decision.REJECTED: "Your {year} People Pillar attestation was not approved",
    Decision.REOPENED: "Your {year} People Pillar attestation has been reopened",
}


def _mail_company(db: Session, attestation: Attestation, review: Review) -> None:
    link = external_url("certificates.company_certificates", fallback="/company") \
        if review.decision == Decision.APPROVED else \
        external_url("attestations.index", fallback="/company")
    subject = MAIL_SUBJECTS[review.decision].format(year=attestation.cycle.year)
    for admin in company_admins(db, attestation.organisation_id):
        queue_mail(db, f"review_{review.decision.value}", admin.email, subject,
                   {"user": admin, "attestation": attestation, "review": review,
                    "organisation": attestation.organisation, "link": link,
                    "sections": SECTION_TITLES},
                   dedupe_key=f"review:{review.id}:{admin.id}", user_id=admin.id,
                   organisation_id=attestation.organisation_id)
