"""Deleting an account: personal data is erased, the records it touched stay whole.

What is kept and why is in docs/privacy.md. The audit chain keeps verifying because its hashes
never cover the `personal` column that is emptied here.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.audit.models import AuditEvent
from portal.audit.service import record
from portal.auth.models import Invitation, OrgRole, User
from portal.mail.models import OutboxMail
from portal.organisations.service import admin_count

ERASED_NAME = "Deleted user"
ERASED_HASH = "!erased"  # no hash format matches it, so no password ever does


def erased_email(user_id: int) -> str:
    # .invalid is reserved (RFC 2606): nothing is ever delivered there.
    return f"deleted-user-{user_id}@erased.invalid"


def deletion_blocker(db: Session, user: User) -> str | None:
    """Why this account cannot be deleted by its owner right now, or None."""
    if user.is_staff:
        return "Staff accounts are closed by a staff admin. Ask another staff admin to " \
               "disable your account."
    if user.org_role == OrgRole.ADMIN and admin_count(db, user.organisation_id) == 1 \
            and _colleague_count(db, user) > 0:
        return f"You are the only admin of {user.organisation.name}. Make a colleague an " \
               "admin first, so the company is not left without one."
    return None


def _colleague_count(db: Session, user: User) -> int:
    return db.execute(sa.select(sa.func.count()).select_from(User).where(
        User.organisation_id == user.organisation_id, User.id != user.id,
        User.erased_at.is_(None))).scalar_one()


def erase_account(db: Session, user: User) -> None:
    """Erase the person, keep the facts: ids, actions and times stay for the audit trail."""
    old_email, organisation_id = user.email, user.organisation_id
    user.name, user.email, user.pending_email = ERASED_NAME, erased_email(user.id), None
    user.password_hash = ERASED_HASH
    user.totp_secret = user.totp_last_step = user.recovery_codes = None
    user.organisation_id, user.org_role = None, None
    user.session_version += 1  # every session of theirs ends now
    user.erased_at = clock.now()
    _erase_audit_personal_data(db, user.id, old_email)
    _erase_mail(db, user.id, old_email)
    for invitation in db.execute(sa.select(Invitation).where(
            Invitation.email == old_email)).scalars():
        invitation.email = user.email
    record(db, "account_erased", actor=user, obj=user, organisation_id=organisation_id)


def _erase_audit_personal_data(db: Session, user_id: int, old_email: str) -> None:
    """Empty `personal` on every event by, about or naming this person (outside the hash)."""
    query = sa.select(AuditEvent).where(AuditEvent.personal.is_not(None)).execution_options(
        yield_per=1000)
    for event in db.execute(query).scalars():
        by_or_about = event.actor_id == user_id or (
            event.object_type == "users" and event.object_id == str(user_id))
        if event.personal and (by_or_about or old_email in str(event.personal).lower()):
            event.personal = None


def _erase_mail(db: Session, user_id: int, old_email: str) -> None:
    query = sa.select(OutboxMail).where(sa.or_(OutboxMail.user_id == user_id,
                                               OutboxMail.to_addr == old_email))
    now = clock.now()
    for mail in db.execute(query).scalars():
        mail.to_addr, mail.subject = erased_email(user_id), "(erased)"
        mail.text_body = mail.html_body = ""
        if mail.sent_at is None and mail.failed_at is None:
            mail.failed_at, mail.last_error = now, "Recipient deleted their account"
