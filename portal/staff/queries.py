"""Read side of the staff area: the dashboard's figures and a company's whole history."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import (
    Attestation,
    AttestationStatus,
    AttestationVersion,
    ReportingCycle,
)
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.certificates.models import Certificate
from portal.mail.models import OutboxMail
from portal.organisations.models import Organisation
from portal.pledges.models import Pledge
from portal.review.models import Review
from portal.review.working_days import working_days_between

HISTORY_LIMIT = 50


@dataclass
class CycleFigures:
    cycle: ReportingCycle
    pledged: int
    counts: dict[str, int]
    overdue: int | None
    non_reporting: int | None
    median_days_to_decision: float | None


def _pledged_by(day: date) -> sa.Select:
    """Companies whose pledge was in force at the end of `day`."""
    end = clock.end_of_day(day)
    return sa.select(Pledge.organisation_id).where(
        Pledge.signed_at <= end,
        sa.or_(Pledge.withdrawn_at.is_(None), Pledge.withdrawn_at > end)).distinct()


def _not_submitted_count(db: Session, cycle: ReportingCycle, today: date) -> int:
    """Companies required to report that have submitted nothing and hold no live extension."""
    required = _pledged_by(cycle.due_on - timedelta(days=cycle.new_signer_window_days))
    submitted_or_extended = sa.select(Attestation.organisation_id).where(
        Attestation.cycle_id == cycle.id,
        sa.or_(Attestation.first_submitted_at.is_not(None),
               Attestation.extended_until >= today))
    return db.execute(sa.select(sa.func.count()).select_from(
        required.where(Pledge.organisation_id.not_in(submitted_or_extended)).subquery())
    ).scalar_one()


def median_days_to_decision(db: Session, cycle_id: int) -> float | None:
    rows = db.execute(sa.select(Attestation.submitted_at, Attestation.decided_at).where(
        Attestation.cycle_id == cycle_id, Attestation.decided_at.is_not(None),
        Attestation.submitted_at.is_not(None))).all()
    days = [working_days_between(clock.local(submitted).date(), clock.local(decided).date())
            for submitted, decided in rows]
    return statistics.median(days) if days else None


def cycle_figures(db: Session, cycle: ReportingCycle, today: date) -> CycleFigures:
    counts = {status.value: 0 for status in AttestationStatus if status.value != "draft"}
    for status, count in db.execute(
            sa.select(Attestation.status, sa.func.count())
            .where(Attestation.cycle_id == cycle.id, Attestation.first_submitted_at.is_not(None))
            .group_by(Attestation.status)):
        counts[AttestationStatus(status).value] = count
    counts.pop("draft", None)
    pledged = db.execute(sa.select(sa.func.count()).select_from(
        _pledged_by(min(today, cycle.due_on)).subquery())).scalar_one()
    in_grace = cycle.due_on < today <= cycle.grace_until
    return CycleFigures(
        cycle, pledged, counts,
        overdue=_not_submitted_count(db, cycle, today) if in_grace else None,
        non_reporting=_not_submitted_count(db, cycle, today)
        if today > cycle.grace_until else None,
        median_days_to_decision=median_days_to_decision(db, cycle.id))


def dashboard(db: Session, today: date) -> list[CycleFigures]:
    cycles = db.execute(sa.select(ReportingCycle).order_by(ReportingCycle.year.desc())).scalars()
    return [cycle_figures(db, cycle, today) for cycle in cycles]


@dataclass
class AttestationHistory:
    attestation: Attestation
    versions: list[AttestationVersion] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


@dataclass
class CompanyHistory:
    organisation: Organisation
    people: list[User]
    pledges: list[Pledge]
    attestations: list[AttestationHistory]
    certificates: list[Certificate]
    mail: list[OutboxMail]
    mail_total: int
    events: list[AuditEvent]
    events_total: int
    names: dict[int, str]


def _attestation_histories(db: Session, organisation_id: int) -> list[AttestationHistory]:
    attestations = list(db.execute(
        sa.select(Attestation).join(ReportingCycle, ReportingCycle.id == Attestation.cycle_id)
        .where(Attestation.organisation_id == organisation_id)
        .order_by(ReportingCycle.year.desc())).scalars())
    histories = {a.id: AttestationHistory(a) for a in attestations}
    if histories:
        for version in db.execute(sa.select(AttestationVersion).where(
                AttestationVersion.attestation_id.in_(histories))
                .order_by(AttestationVersion.number)).scalars():
            histories[version.attestation_id].versions.append(version)
        for review in db.execute(sa.select(Review).where(
                Review.attestation_id.in_(histories)).order_by(Review.id)).scalars():
            histories[review.attestation_id].reviews.append(review)
    return list(histories.values())


def _latest(db: Session, model, column, organisation_id: int):
    query = sa.select(model).where(column == organisation_id)
    total = db.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = list(db.execute(query.order_by(model.id.desc()).limit(HISTORY_LIMIT)).scalars())
    return rows, total


def company_history(db: Session, organisation: Organisation) -> CompanyHistory:
    from portal.organisations.service import members_of

    mail, mail_total = _latest(db, OutboxMail, OutboxMail.organisation_id, organisation.id)
    events, events_total = _latest(db, AuditEvent, AuditEvent.organisation_id, organisation.id)
    attestations = _attestation_histories(db, organisation.id)
    people_ids = {e.actor_id for e in events} | {
        r.reviewer_id for h in attestations for r in h.reviews}
    people_ids.discard(None)
    names = dict(db.execute(sa.select(User.id, User.name).where(
        User.id.in_(people_ids))).all()) if people_ids else {}
    return CompanyHistory(
        organisation=organisation, people=members_of(db, organisation.id),
        pledges=list(db.execute(sa.select(Pledge).where(
            Pledge.organisation_id == organisation.id).order_by(Pledge.signed_at.desc())
        ).scalars()),
        attestations=attestations,
        certificates=list(db.execute(sa.select(Certificate).where(
            Certificate.organisation_id == organisation.id)
            .order_by(Certificate.issued_at.desc())).scalars()),
        mail=mail, mail_total=mail_total, events=events, events_total=events_total,
        names=names)
