"""Which cycle reminder is due for whom on a given day.

Each reminder has a planned date and a window in which it is still worth sending: a reminder
before the due date is relevant until the next one is planned (so a skipped day catches up,
but a stale "1 week before" never arrives after the due date). The overdue notice stays
relevant until the last day to report: a company that has not reported must hear it.
Who is reminded is decided by the public status function (DESIGN §3), never a second rule.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.calendar.mailing import external_url, send_to_companies
from portal.directory.status import (
    StatusCode,
    StatusContext,
    status_context,
    status_filter,
    status_select,
)
from portal.organisations.models import Organisation
from portal.templating import format_date as format_day

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Moment:
    kind: str            # the mail kind (template name)
    on: date             # when it is planned
    until: date          # the last day it is still worth sending
    status: StatusCode   # the cycle status a company must have to get it


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier; 31 May minus 3 months is 28 (or 29) February."""
    month, year = day.month - months, day.year
    while month < 1:
        month, year = month + 12, year - 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def cycle_schedule(cycle) -> list[Moment]:
    """The reminders of one cycle, in date order. Works on a ReportingCycle or CycleDates."""
    due, grace = cycle.due_on, cycle.grace_until
    planned = [("reminder_open", cycle.opens_on),
               ("reminder_3_months", months_before(due, 3)),
               ("reminder_1_month", months_before(due, 1)),
               ("reminder_1_week", due - 7 * DAY)]
    # A reminder planned before the cycle opens is covered by the "cycle is open" mail.
    planned = [planned[0]] + [(k, on) for k, on in planned[1:] if cycle.opens_on < on <= due]
    ends = [on - DAY for _, on in planned[1:]] + [due]
    moments = [Moment(kind, on, until, StatusCode.REPORTING_DUE)
               for (kind, on), until in zip(planned, ends, strict=True) if on <= due]
    moments.append(Moment("reminder_overdue", due + DAY, grace, StatusCode.OVERDUE))
    moments.append(Moment("reminder_final", max(grace - 14 * DAY, due + DAY), grace,
                          StatusCode.OVERDUE))
    return moments


def due_moments(cycle, today: date) -> list[Moment]:
    return [m for m in cycle_schedule(cycle) if m.on <= today <= m.until]


def companies_by_cycle_status(db: Session, ctx: StatusContext
                              ) -> dict[StatusCode, list[Organisation]]:
    """{status in the context's cycle: companies whose pledge counts}: one query, so a day's
    reminders and digest share it."""
    query, columns = status_select(ctx)
    query = query.where(columns.standing.is_(None)).order_by(Organisation.id)
    groups: dict[StatusCode, list[Organisation]] = {}
    for row in db.execute(query):
        if row.cycle_status in StatusCode.__members__.values():
            groups.setdefault(StatusCode(row.cycle_status), []).append(row.Organisation)
    return groups


def companies_with_cycle_status(db: Session, ctx: StatusContext, code: StatusCode
                                ) -> list[Organisation]:
    """Companies whose pledge counts and whose status in the context's cycle is `code`."""
    query, columns = status_select(ctx)
    query = query.where(status_filter(columns, code)).order_by(Organisation.id)
    return [row.Organisation for row in db.execute(query)]


def _context(cycle, organisation: Organisation, today: date) -> dict:
    return {
        "organisation_name": organisation.name, "year": cycle.year,
        "opens_on": format_day(cycle.opens_on), "due_on": format_day(cycle.due_on),
        "grace_until": format_day(cycle.grace_until),
        "days_to_due": (cycle.due_on - today).days,
        "days_to_grace": (cycle.grace_until - today).days,
        "attestation_url": external_url("attestations.index"),
    }


SUBJECTS = {
    "reminder_open": "{organisation_name}: the {year} People Pillar attestation is open",
    "reminder_3_months": "{organisation_name}: your {year} attestation is due on {due_on}",
    "reminder_1_month": "{organisation_name}: your {year} attestation is due in 1 month",
    "reminder_1_week": "{organisation_name}: your {year} attestation is due in 1 week",
    "reminder_overdue": "{organisation_name}: your {year} attestation is overdue",
    "reminder_final": "Final notice: {organisation_name} must report by {grace_until}",
}


def send_cycle_reminders(db: Session, today: date, ctx: StatusContext | None = None,
                         groups: dict | None = None) -> int:
    """Queue every reminder due today for the open cycle; returns how many were queued.

    groups: `companies_by_cycle_status(db, ctx)` when the caller already has it."""
    ctx = ctx or status_context(db, today)
    cycle = ctx.cycle
    moments = due_moments(cycle, today) if cycle is not None else []
    if not moments:
        return 0
    groups = groups if groups is not None else companies_by_cycle_status(db, ctx)
    queued = 0
    for moment in moments:
        companies = {o.id: _context(cycle, o, today) for o in groups.get(moment.status, [])}
        subject = SUBJECTS[moment.kind]
        queued += send_to_companies(db, moment.kind, f"{moment.kind}:{cycle.year}:", companies,
                                    lambda context, subject=subject: subject.format(**context))
    return queued


def reminders_sent(db: Session, year: int) -> dict[str, dict[str, int]]:
    """{kind: {"companies", "queued", "sent", "failed"}} from the outbox, for the calendar."""
    from portal.mail.models import OutboxMail

    rows = db.execute(
        sa.select(OutboxMail.kind, sa.func.count(sa.distinct(OutboxMail.organisation_id)),
                  sa.func.count(), sa.func.count(OutboxMail.sent_at),
                  sa.func.count(OutboxMail.failed_at))
        .where(sa.or_(*(OutboxMail.dedupe_key.like(f"{kind}:{year}:%") for kind in SUBJECTS)))
        .group_by(OutboxMail.kind))
    return {kind: {"companies": companies, "queued": queued, "sent": sent, "failed": failed}
            for kind, companies, queued, sent, failed in rows}
