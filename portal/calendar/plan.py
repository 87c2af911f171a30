"""What the staff Calendar page shows: the open cycle's reminders, when, to how many."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.calendar.models import DailyRun
from portal.calendar.notices import (
    EXPIRY_NOTICE,
    RESIGN_STAGES,
    expiring_certificates,
    pledged_on,
)
from portal.calendar.reminders import Moment, cycle_schedule, reminders_sent
from portal.directory.status import (
    StatusCode,
    all_cycles,
    status_context,
    status_filter,
    status_select,
)
from portal.mail.models import OutboxMail
from portal.organisations.models import Organisation
from portal.pledges.service import current_code_version, resign_deadlines
from portal.templating import format_date

LABELS = {
    "reminder_open": "The cycle is open",
    "reminder_3_months": "3 months before the due date",
    "reminder_1_month": "1 month before the due date",
    "reminder_1_week": "1 week before the due date",
    "reminder_overdue": "Overdue notice (the day after the due date)",
    "reminder_final": "Final notice (2 weeks before the last day)",
}


@dataclass
class PlanRow:
    moment: Moment
    label: str
    state: str                 # "done", "sending" (window open) or "planned"
    projected: int | None      # companies that would get it if nobody reports before then
    companies: int = 0         # companies it was queued for
    queued: int = 0
    sent: int = 0
    failed: int = 0


@dataclass
class Plan:
    cycle: object | None       # CycleDates of the open (or next) cycle
    is_open: bool
    rows: list[PlanRow]
    not_reported: int          # companies that owe an attestation for this cycle today
    expiring_certificates: int
    last_run: DailyRun | None = None
    other: list[OtherMail] = field(default_factory=list)


@dataclass(frozen=True)
class OtherMail:
    on: date
    what: str
    companies: int


def _count_with_status(db: Session, ctx, codes) -> int:
    query, columns = status_select(ctx)
    condition = sa.or_(*(status_filter(columns, code) for code in codes))
    return db.execute(sa.select(sa.func.count()).select_from(
        query.where(condition).subquery())).scalar_one()


def last_daily_run(db: Session) -> DailyRun | None:
    return db.execute(sa.select(DailyRun).order_by(DailyRun.run_on.desc()).limit(1)
                      ).scalar_one_or_none()


def calendar_plan(db: Session, today: date) -> Plan:
    plan = _plan(db, today)
    plan.last_run = last_daily_run(db)
    plan.other = other_mail(db, today)
    return plan


def other_mail(db: Session, today: date, horizon: int = 90) -> list[OtherMail]:
    """Certificate expiry and re-signing notices planned within `horizon` days, by date."""
    last_day = today + timedelta(days=horizon)
    notices: Counter = Counter()
    for certificate, _year, _name in expiring_certificates(
            db, today, within=timedelta(days=horizon) + EXPIRY_NOTICE):
        on = max(certificate.valid_until - EXPIRY_NOTICE, today)
        notices[(on, "Certificate expires in 30 days")] += 1
    current = current_code_version(db).number
    for number, deadline in resign_deadlines(db).items():
        if number >= current or deadline is None or deadline < today:
            continue
        companies = len(pledged_on(db, number))
        for days, until in RESIGN_STAGES:
            on, ends = deadline - timedelta(days=days), deadline - timedelta(days=until)
            if companies and on <= last_day and ends >= today:
                what = f"Sign again for version {current} ({days} days before the deadline, " \
                       f"{format_date(deadline)})"
                notices[(max(on, today), what)] += companies
    return [OtherMail(on, what, n) for (on, what), n in sorted(notices.items())]


def _plan(db: Session, today: date) -> Plan:
    ctx = status_context(db, today)
    cycle, is_open = ctx.cycle, True
    if cycle is None or today > cycle.grace_until:
        upcoming = next((c for c in ctx.cycles if c.opens_on > today), None)
        cycle, is_open = upcoming, False
    expiring = len(expiring_certificates(db, today))
    if cycle is None:
        return Plan(None, False, [], 0, expiring)
    owing = _count_with_status(db, ctx, [StatusCode.REPORTING_DUE, StatusCode.OVERDUE]) \
        if is_open else 0
    sent = reminders_sent(db, cycle.year)
    rows = []
    for moment in cycle_schedule(cycle):
        state = "done" if today > moment.until else (
            "sending" if today >= moment.on else "planned")
        row = PlanRow(moment, LABELS[moment.kind], state,
                      owing if is_open and state != "done" else None)
        for name, value in sent.get(moment.kind, {}).items():
            setattr(row, name, value)
        rows.append(row)
    return Plan(cycle, is_open, rows, owing, expiring)


def sent_reminders_query(year: int) -> sa.Select:
    """The outbox rows of one cycle's reminders, newest first, with the company name."""
    return (sa.select(OutboxMail, Organisation.name)
            .outerjoin(Organisation, Organisation.id == OutboxMail.organisation_id)
            .where(sa.or_(*(OutboxMail.dedupe_key.like(f"{kind}:{year}:%") for kind in LABELS)))
            .order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc()))


def member_schedule(db: Session, today: date) -> tuple[object, list[Moment]] | None:
    """(cycle, its reminders still to come) for the open or next cycle, for members."""
    cycles = all_cycles(db)
    cycle = next((c for c in cycles if c.opens_on <= today <= c.grace_until), None) or next(
        (c for c in cycles if c.opens_on > today), None)
    if cycle is None:
        return None
    return cycle, [m for m in cycle_schedule(cycle) if m.on >= today]
