"""`flask --app portal portal daily`: the reporting calendar's one scheduled command.

Idempotent: every mail it queues has a dedupe key (kind:cycle:company:user), so running it
twice a day, or on two machines, queues each mail once. Skipped for days, it catches up with
what is still relevant (see portal.calendar.reminders). Everything happens in one transaction.
"""

from __future__ import annotations

from datetime import date

import click
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.service import purge_expired_learning_records
from portal.calendar.digest import build_digest, send_digest
from portal.calendar.models import DailyRun
from portal.calendar.notices import (
    expiring_certificates,
    send_certificate_expiring,
    send_resign_reminders,
)
from portal.calendar.purge import DEFAULT_AGE_DAYS, purge_abandoned
from portal.calendar.reminders import companies_by_cycle_status, send_cycle_reminders
from portal.cli import portal_cli
from portal.db import session as request_session
from portal.directory.status import status_context

DAILY_LOCK = 0x5050_0008  # "PP", issue 8: any constant shared by every scheduler


def serialise_daily_runs(db: Session) -> None:
    """Two schedulers firing at once (two machines, a manual run during cron's): the second
    waits until the first commits, then finds every mail already queued. SQLite allows one
    writer at a time already; on PostgreSQL a transaction-scoped advisory lock does it."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(sa.select(sa.func.pg_advisory_xact_lock(DAILY_LOCK)))


def run_daily(db: Session, today: date | None = None, *,
              purge_after_days: int | None = None) -> dict[str, int]:
    """Do one day's scheduled work; only flushes. Returns what it did, by kind."""
    serialise_daily_runs(db)
    today = today or clock.today()
    ctx = status_context(db, today)
    # Computed once: reminders, notices and the digest all read them.
    groups = companies_by_cycle_status(db, ctx) if ctx.cycle else {}
    expiring = expiring_certificates(db, today)
    summary = {
        "reminders": send_cycle_reminders(db, today, ctx, groups),
        "certificate_expiring": send_certificate_expiring(db, today, expiring),
        "resign_reminders": send_resign_reminders(db, today),
    }
    run = _run_for(db, today)
    digest = build_digest(db, ctx, _previous_seen(db, today), groups=groups,
                          expiring=expiring)
    run.seen = digest.seen
    summary["digest"] = send_digest(db, digest)
    summary["learning_records_purged"] = purge_expired_learning_records(db)
    age = purge_after_days or current_app.config.get("PURGE_ABANDONED_AFTER_DAYS",
                                                     DEFAULT_AGE_DAYS)
    summary.update(purge_abandoned(db, age))
    run.summary, run.finished_at = summary, clock.now()
    db.flush()
    return summary


def _run_for(db: Session, today: date) -> DailyRun:
    run = db.execute(sa.select(DailyRun).where(DailyRun.run_on == today)).scalar_one_or_none()
    if run is None:
        run = DailyRun(run_on=today, seen={}, summary={}, started_at=clock.now())
        db.add(run)
        db.flush()
    return run


def _previous_seen(db: Session, today: date) -> dict | None:
    return db.execute(sa.select(DailyRun.seen).where(DailyRun.run_on < today)
                      .order_by(DailyRun.run_on.desc()).limit(1)).scalar_one_or_none()


@portal_cli.command("daily")
@click.option("--purge-after-days", type=click.IntRange(min=30), default=None,
              help=f"Delete abandoned drafts and unconfirmed registrations older than this "
                   f"(default: PORTAL_PURGE_ABANDONED_AFTER_DAYS, else {DEFAULT_AGE_DAYS}).")
def daily_command(purge_after_days):
    """Reminders, staff digest, expiry and re-signing notices, retention purges (run daily)."""
    summary = run_daily(request_session, purge_after_days=purge_after_days)
    request_session.commit()
    click.echo(", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in summary.items()))
