"""Which reminders a person gets: opt-outs from the preferences page or an unsubscribe link."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.audit.service import record
from portal.calendar.models import ReminderOptOut

# Mail kind (template name) -> what the person sees on the preferences page.
REMINDER_KINDS = {
    "reminder_open": "When a reporting cycle opens",
    "reminder_3_months": "3 months before the attestation is due",
    "reminder_1_month": "1 month before the attestation is due",
    "reminder_1_week": "1 week before the attestation is due",
    "reminder_overdue": "The day after the due date, if nothing was sent",
    "reminder_final": "Final notice, 2 weeks before the last day to report",
    "reminder_resign": "When the pledge must be signed again for a new code version",
    "certificate_expiring": "30 days before a certificate expires",
}
# The person who signed the pledge promised to report: the last warning always reaches them.
SIGNATORY_LOCKED = frozenset({"reminder_final"})


def opted_out(db: Session, user_ids) -> set[tuple[int, str]]:
    """{(user id, kind)} for these people: one query for any number of them."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    rows = db.execute(sa.select(ReminderOptOut.user_id, ReminderOptOut.kind)
                      .where(ReminderOptOut.user_id.in_(ids)))
    return {(user_id, kind) for user_id, kind in rows}


def wants(kind: str, user_id: int, opt_outs: set, is_signatory: bool) -> bool:
    if is_signatory and kind in SIGNATORY_LOCKED:
        return True
    return (user_id, kind) not in opt_outs


def can_opt_out(kind: str, is_signatory: bool) -> bool:
    return not (is_signatory and kind in SIGNATORY_LOCKED)


def chosen_kinds(db: Session, user) -> list[str]:
    """The kinds this person currently gets, in page order."""
    outs = opted_out(db, [user.id])
    return [kind for kind in REMINDER_KINDS if (user.id, kind) not in outs]


def set_preferences(db: Session, user, wanted: list[str], *, is_signatory: bool) -> list[str]:
    """Keep exactly the opt-outs for the kinds not wanted; returns the kinds switched off."""
    wanted_set = set(wanted) | (SIGNATORY_LOCKED if is_signatory else set())
    off = [kind for kind in REMINDER_KINDS if kind not in wanted_set]
    db.execute(sa.delete(ReminderOptOut).where(ReminderOptOut.user_id == user.id,
                                               ReminderOptOut.kind.not_in(off)))
    existing = {kind for _, kind in opted_out(db, [user.id])}
    for kind in off:
        if kind not in existing:
            db.add(ReminderOptOut(user_id=user.id, kind=kind, source="preferences"))
    db.flush()
    record(db, "reminder_preferences_changed", actor=user, obj=user,
           organisation_id=user.organisation_id, detail={"switched_off": off})
    return off
