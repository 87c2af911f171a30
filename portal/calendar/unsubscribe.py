"""RFC 8058 one-click unsubscribe: a signed link that works without a session.

The token names the person and the reminder kind; it is signed with SECRET_KEY, so it cannot
be made for someone else. Mail clients POST to it (List-Unsubscribe-Post); a GET only shows
a button, because link scanners open every URL in a mail.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.audit.service import record
from portal.auth import tokens
from portal.calendar.models import ReminderOptOut
from portal.calendar.preferences import REMINDER_KINDS, can_opt_out, opted_out

UNSUBSCRIBE_MAX_AGE = 2 * 366 * 24 * 3600


def unsubscribe_token(user_id: int, kind: str) -> str:
    return tokens.make("unsubscribe", {"u": user_id, "k": kind})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    payload = tokens.read("unsubscribe", token, UNSUBSCRIBE_MAX_AGE)
    if not payload or payload.get("k") not in REMINDER_KINDS or not isinstance(
            payload.get("u"), int):
        return None
    return payload["u"], payload["k"]


def unsubscribe(db: Session, user, kind: str, *, is_signatory: bool) -> bool:
    """One-click opt-out; False when this kind cannot be switched off for this person."""
    if not can_opt_out(kind, is_signatory):
        return False
    if (user.id, kind) not in opted_out(db, [user.id]):
        db.add(ReminderOptOut(user_id=user.id, kind=kind, source="unsubscribe_link"))
        db.flush()
        record(db, "reminder_unsubscribed", actor=user, obj=user,
               organisation_id=user.organisation_id, detail={"kind": kind})
    return True
