"""The staff admins' daily digest: what changed, what is waiting, and the audit chain head.

"New" means new since the previous day's run (DailyRun.seen); the audit head hash in every
digest puts a copy of the chain's state outside the database (DESIGN §2), so a rewrite of the
whole audit table is detectable from the staff admins' inboxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import Attestation, AttestationStatus
from portal.audit.service import head_hash
from portal.auth.models import StaffRole, User
from portal.calendar.mailing import external_url
from portal.calendar.notices import expiring_certificates
from portal.calendar.reminders import companies_by_cycle_status, companies_with_cycle_status
from portal.directory.status import StatusCode, StatusContext
from portal.mail.service import queue_mail
from portal.organisations.models import Organisation
from portal.review.queries import waiting_days
from portal.review.working_days import SERVICE_LEVEL_DAYS
from portal.templating import format_date


@dataclass
class Digest:
    today: date
    year: int | None
    new_overdue: list[Organisation] = field(default_factory=list)
    new_non_reporting: list[Organisation] = field(default_factory=list)
    waiting: list[tuple[Attestation, str, int]] = field(default_factory=list)
    delist_candidates: list[Organisation] = field(default_factory=list)
    expiring: list = field(default_factory=list)
    audit_head: str = ""
    seen: dict = field(default_factory=dict)

    @property
    def subject(self) -> str:
        counts = [(len(self.new_overdue), "new overdue"),
                  (len(self.new_non_reporting), "new non-reporting"),
                  (len(self.waiting), "waiting too long"),
                  (len(self.delist_candidates), "to consider delisting"),
                  (len(self.expiring), "certificates expiring")]
        said = ", ".join(f"{n} {what}" for n, what in counts if n) or "nothing new"
        return f"Pledge Portal daily digest, {format_date(self.today)}: {said}"


def build_digest(db: Session, ctx: StatusContext, previous_seen: dict | None, *,
                 groups: dict | None = None, expiring: list | None = None) -> Digest:
    """groups and expiring: what the day's run already computed (else computed here)."""
    today, cycle = ctx.today, ctx.cycle
    digest = Digest(today, cycle.year if cycle else None, audit_head=head_hash(db))
    if cycle is not None:
        groups = groups if groups is not None else companies_by_cycle_status(db, ctx)
        overdue = groups.get(StatusCode.OVERDUE, [])
        non_reporting = groups.get(StatusCode.NON_REPORTING, [])
        digest.seen = {"year": cycle.year, "overdue": [o.id for o in overdue],
                       "non_reporting": [o.id for o in non_reporting]}
        before = previous_seen if (previous_seen or {}).get("year") == cycle.year else {}
        digest.new_overdue = [o for o in overdue if o.id not in set(before.get("overdue", []))]
        digest.new_non_reporting = [o for o in non_reporting
                                    if o.id not in set(before.get("non_reporting", []))]
    digest.waiting = waiting_too_long(db, today)
    digest.delist_candidates = delist_candidates(db, ctx)
    digest.expiring = expiring if expiring is not None else expiring_certificates(db, today)
    return digest


def waiting_too_long(db: Session, today: date) -> list[tuple[Attestation, str, int]]:
    """Submissions without a decision after the 10-working-day service level, oldest first."""
    # Ten working days are at least fourteen calendar days: the database does the rough cut.
    rows = db.execute(
        sa.select(Attestation, Organisation.name)
        .join(Organisation, Organisation.id == Attestation.organisation_id)
        .where(Attestation.status.in_([AttestationStatus.SUBMITTED, AttestationStatus.IN_REVIEW]),
               Attestation.submitted_at < _start_of(today - timedelta(days=13)))
        .order_by(Attestation.submitted_at))
    found = [(a, name, waiting_days(a, today)) for a, name in rows]
    return [row for row in found if row[2] > SERVICE_LEVEL_DAYS]


def _start_of(day: date):
    return clock.end_of_day(day - timedelta(days=1))


def delist_candidates(db: Session, ctx: StatusContext) -> list[Organisation]:
    """Companies Non-reporting in each of the two latest closed cycles (staff decide)."""
    closed = [c for c in ctx.cycles if c.grace_until < ctx.today][-2:]
    if len(closed) < 2:
        return []
    earlier, later = (companies_with_cycle_status(db, replace(ctx, cycle=c),
                                                  StatusCode.NON_REPORTING) for c in closed)
    earlier_ids = {o.id for o in earlier}
    return [o for o in later if o.id in earlier_ids]


def staff_admins(db: Session) -> list[User]:
    return list(db.execute(sa.select(User).where(
        User.staff_role == StaffRole.ADMIN, User.disabled_at.is_(None),
        User.erased_at.is_(None)).order_by(User.id)).scalars())


def send_digest(db: Session, digest: Digest) -> int:
    shown = digest.new_overdue[:50] + digest.new_non_reporting[:50] + \
        digest.delist_candidates[:50]
    context = {"digest": digest, "calendar_url": external_url("calendar.index"),
               "company_urls": {o.id: external_url("staff.company", organisation_id=o.id)
                                for o in shown},
               "queue_url": external_url("review.queue"),
               "outbox_url": external_url("calendar.outbox")}
    queued = 0
    for admin in staff_admins(db):
        mail = queue_mail(db, "digest", admin.email, digest.subject,
                          {"recipient_name": admin.name, **context},
                          dedupe_key=f"digest:{digest.today.isoformat()}:staff:{admin.id}",
                          user_id=admin.id)
        queued += mail is not None
    return queued
