"""Staff analytics: review throughput, days to decision, risk flags, reminders, delisting.

Every figure is a grouped query; Python only turns the groups into rows. Working days need the
bank-holiday calendar, so the database groups decisions by (submitted on, decided on) and the
working days are counted once per distinct pair of dates, not once per attestation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import Attestation, AttestationVersion, ReportingCycle
from portal.calendar.digest import delist_candidates
from portal.directory.status import StatusCode, StatusContext, status_columns
from portal.impact import charts
from portal.impact.sqlfuncs import days_between, local_date, local_week
from portal.mail.models import OutboxMail
from portal.organisations.models import Organisation
from portal.review.models import Decision, Review, RiskFlag
from portal.review.working_days import SERVICE_LEVEL_DAYS, working_days_between

WEEKS_SHOWN = 12
DECISION_BUCKETS = ((0, 5, "0 to 5"), (6, 10, "6 to 10"), (11, 15, "11 to 15"),
                    (16, 20, "16 to 20"), (21, None, "21 or more"))
REMINDER_LABELS = {
    "reminder_open": "Cycle is open", "reminder_3_months": "3 months before the due date",
    "reminder_1_month": "1 month before", "reminder_1_week": "1 week before",
    "reminder_overdue": "Overdue notice", "reminder_final": "Final notice",
}
RESPONSE_DAYS = (3, 7, 14)


@dataclass
class WeekRow:
    week_of: date
    submitted: int
    decided: int


def throughput(db: Session, today: date) -> list[WeekRow]:
    """Submissions (each version) and decisions per week, the last WEEKS_SHOWN weeks.

    Weeks are the association's (Monday to Sunday, London time), as every date in the portal."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS_SHOWN - 1)
    since = clock.start_of_day(first)
    submitted = _per_week(db, AttestationVersion.submitted_at, since)
    decided = _per_week(db, Review.decided_at, since, Review.decision != Decision.REOPENED)
    weeks = [first + timedelta(weeks=n) for n in range(WEEKS_SHOWN)]
    return [WeekRow(week, submitted.get(week.isoformat(), 0), decided.get(week.isoformat(), 0))
            for week in weeks]


def throughput_charts(weeks: list[WeekRow]) -> list[charts.BarChart]:
    labels = [f"{week.week_of.day} {week.week_of:%b}" for week in weeks]
    return [charts.bar_chart(
        f"{title} per week", list(zip(labels, counts, strict=True)),
        summary=f"{sum(counts):,} {title.lower()} in the last {len(weeks)} weeks, "
                f"from the week beginning {labels[0]}.")
        for title, counts in (("Submissions", [w.submitted for w in weeks]),
                              ("Decisions", [w.decided for w in weeks]))]


def _per_week(db: Session, column, since, *conditions) -> dict[str, int]:
    week = local_week(column).label("week")
    query = sa.select(week, sa.func.count()).where(column >= since, *conditions).group_by(week)
    return {str(week_of): count for week_of, count in db.execute(query)}


@dataclass
class DecisionTimes:
    decided: int = 0
    within_service_level: int = 0
    median_days: Decimal | None = None
    buckets: list[tuple[str, int]] = field(default_factory=list)

    @property
    def within_pct(self) -> Decimal | None:
        return Decimal(self.within_service_level) * 100 / self.decided if self.decided else None


def decision_times(db: Session, cycle_id: int) -> DecisionTimes:
    """Working days from each submitted version to the decision on it (London dates, as the
    review queue counts them)."""
    submitted_on = local_date(AttestationVersion.submitted_at).label("submitted_on")
    decided_on = local_date(Review.decided_at).label("decided_on")
    query = (sa.select(submitted_on, decided_on, sa.func.count()).select_from(Review)
             .join(AttestationVersion, AttestationVersion.id == Review.attestation_version_id)
             .join(Attestation, Attestation.id == Review.attestation_id)
             .where(Attestation.cycle_id == cycle_id, Review.decision != Decision.REOPENED)
             .group_by(submitted_on, decided_on))
    days = Counter()
    for start, end, count in db.execute(query):
        days[working_days_between(date.fromisoformat(str(start)),
                                  date.fromisoformat(str(end)))] += count
    total = sum(days.values())
    buckets = [(label, sum(n for d, n in days.items() if d >= low and (high is None or d <= high)))
               for low, high, label in DECISION_BUCKETS]
    return DecisionTimes(total, sum(n for d, n in days.items() if d <= SERVICE_LEVEL_DAYS),
                         _weighted_median(days), buckets)


def _weighted_median(counts: Counter) -> Decimal | None:
    """Median of a list given as {value: how many times}, without expanding it."""
    total = sum(counts.values())
    if not total:
        return None
    ordered = sorted(counts.items())

    def at(rank: int) -> int:
        seen = 0
        for value, n in ordered:
            seen += n
            if rank < seen:
                return value
        raise IndexError(rank)  # pragma: no cover

    return (Decimal(at((total - 1) // 2)) + Decimal(at(total // 2))) / 2


@dataclass
class FlagRow:
    code: str
    severity: str
    flags: int
    attestations: int

    @property
    def label(self) -> str:
        return self.code.replace("_", " ").capitalize()


def flag_frequency(db: Session, cycle_id: int) -> tuple[list[FlagRow], int]:
    """(flags by rule, most frequent first; attestations submitted in the cycle)."""
    query = (sa.select(RiskFlag.code, RiskFlag.severity, sa.func.count(),
                       sa.func.count(sa.distinct(RiskFlag.attestation_id)))
             .join(Attestation, Attestation.id == RiskFlag.attestation_id)
             .where(Attestation.cycle_id == cycle_id)
             .group_by(RiskFlag.code, RiskFlag.severity))
    rows = sorted((FlagRow(code, str(getattr(severity, "value", severity)), flags, attestations)
                   for code, severity, flags, attestations in db.execute(query)),
                  key=lambda row: (-row.flags, row.code))
    submitted = db.execute(sa.select(sa.func.count()).where(
        Attestation.cycle_id == cycle_id, Attestation.first_submitted_at.is_not(None))
    ).scalar_one()
    return rows, submitted


@dataclass
class ReminderRow:
    kind: str
    companies: int
    submitted_within: dict[int, int]

    @property
    def label(self) -> str:
        return REMINDER_LABELS.get(self.kind, self.kind.replace("_", " ").capitalize())


def reminder_response(db: Session, cycle: ReportingCycle) -> list[ReminderRow]:
    """For each reminder kind of the cycle: companies reminded, and how many of them first
    submitted within 3, 7 and 14 days of their first mail of that kind."""
    reminded_at = sa.func.min(OutboxMail.created_at).label("reminded_at")
    first_mail = (sa.select(OutboxMail.kind, OutboxMail.organisation_id, reminded_at)
                  .where(OutboxMail.kind.in_(list(REMINDER_LABELS)),
                         OutboxMail.organisation_id.is_not(None),
                         OutboxMail.dedupe_key.like(OutboxMail.kind + f":{cycle.year}:%"))
                  .group_by(OutboxMail.kind, OutboxMail.organisation_id).subquery())
    delay = days_between(Attestation.first_submitted_at, first_mail.c.reminded_at)
    columns = [sa.func.sum(sa.case((sa.and_(delay >= 0, delay <= days), 1), else_=0))
               for days in RESPONSE_DAYS]
    query = (sa.select(first_mail.c.kind, sa.func.count(), *columns).select_from(first_mail)
             .outerjoin(Attestation, sa.and_(
                 Attestation.organisation_id == first_mail.c.organisation_id,
                 Attestation.cycle_id == cycle.id))
             .group_by(first_mail.c.kind))
    found = {kind: ReminderRow(kind, companies, dict(zip(RESPONSE_DAYS, (int(n or 0) for n in
                                                                          within), strict=True)))
             for kind, companies, *within in db.execute(query)}
    return [found[kind] for kind in REMINDER_LABELS if kind in found]


@dataclass
class DelistPipeline:
    year: int | None
    overdue: int
    non_reporting: int
    candidates: list[Organisation]
    delisted: int
    recently_delisted: list[Organisation]


def delist_pipeline(db: Session, ctx: StatusContext) -> DelistPipeline:
    counts: dict[str, int] = {}
    if ctx.cycle is not None:
        columns = status_columns(ctx)
        query = columns.apply(sa.select(columns.cycle_status, sa.func.count()).select_from(
            Organisation)).where(columns.standing.is_(None)).group_by(columns.cycle_status)
        counts = {str(code): n for code, n in db.execute(query)}
    delisted = db.execute(sa.select(sa.func.count()).where(
        Organisation.delisted_at.is_not(None))).scalar_one()
    recent = list(db.execute(sa.select(Organisation).where(Organisation.delisted_at.is_not(None))
                             .order_by(Organisation.delisted_at.desc()).limit(5)).scalars())
    return DelistPipeline(ctx.cycle.year if ctx.cycle else None,
                          counts.get(StatusCode.OVERDUE.value, 0),
                          counts.get(StatusCode.NON_REPORTING.value, 0),
                          delist_candidates(db, ctx), delisted, recent)
