"""Who gets calendar mail, and queueing it with links and one-click unsubscribe headers."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from portal.auth.models import OrgRole, User
from portal.calendar import preferences
from portal.calendar.unsubscribe import unsubscribe_token
from portal.mail.models import OutboxMail
from portal.mail.service import queue_mail
from portal.pledges.models import Pledge


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str
    organisation_id: int
    is_signatory: bool


def external_url(endpoint: str, **values) -> str:
    """An absolute link for mail, built without a request (the daily job runs from cron).

    A page another developer has not shipped yet falls back to the portal's home page,
    so a mail never carries a broken link.
    """
    base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
    try:
        return base + current_app.url_map.bind("portal.invalid").build(endpoint, values)
    except BuildError:
        return base + "/"


def recipients_by_company(db: Session, organisation_ids) -> dict[int, list[Recipient]]:
    """{organisation id: [signatory of the active pledge, company admins]}: 2 queries.

    Only people who can act on the mail: active accounts with a confirmed address that
    still belong to the company.
    """
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    signers = dict(db.execute(
        sa.select(Pledge.active_organisation_id, Pledge.signed_by_id)
        .where(Pledge.active_organisation_id.in_(ids))).all())
    users = db.execute(
        sa.select(User.id, User.email, User.name, User.organisation_id)
        .where(User.organisation_id.in_(ids), User.disabled_at.is_(None),
               User.erased_at.is_(None), User.email_verified_at.is_not(None),
               sa.or_(User.org_role == OrgRole.ADMIN,
                      User.id.in_([s for s in signers.values() if s is not None])))
        .order_by(User.id))
    found: dict[int, list[Recipient]] = {}
    for user_id, email, name, organisation_id in users:
        found.setdefault(organisation_id, []).append(Recipient(
            user_id, email, name, organisation_id, signers.get(organisation_id) == user_id))
    return found


def queued_keys(db: Session, prefix: str) -> set[str]:
    """Dedupe keys already in the outbox under a prefix: one query instead of one per mail."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return set(db.execute(sa.select(OutboxMail.dedupe_key).where(
        OutboxMail.dedupe_key.like(f"{escaped}%", escape="\\"))).scalars())


def unsubscribe_headers(recipient: Recipient, kind: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe; none when this person may not switch the kind off."""
    if not preferences.can_opt_out(kind, recipient.is_signatory):
        return {}
    url = external_url("reminders.unsubscribe",
                       token=unsubscribe_token(recipient.user_id, kind))
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def queue_reminder(db: Session, kind: str, recipient: Recipient, subject: str, context: dict,
                   dedupe_key: str) -> bool:
    """Queue one reminder with its unsubscribe link; False when it was already queued."""
    headers = unsubscribe_headers(recipient, kind)
    context = {
        "recipient_name": recipient.name, "is_signatory": recipient.is_signatory,
        "preferences_url": external_url("reminders.preferences"),
        "unsubscribe_url": headers["List-Unsubscribe"].strip("<>") if headers else None,
        **context,
    }
    mail = queue_mail(db, kind, recipient.email, subject, context, dedupe_key=dedupe_key,
                      user_id=recipient.user_id, organisation_id=recipient.organisation_id,
                      headers=headers)
    return mail is not None


def send_to_companies(db: Session, kind: str, key_prefix: str, companies: dict[int, dict],
                      subject_for) -> int:
    """Queue `kind` for everyone who wants it at each company; returns how many were queued.

    companies: {organisation id: mail context}; the dedupe key is key_prefix + company:user.
    """
    recipients = recipients_by_company(db, companies)
    opt_outs = preferences.opted_out(
        db, [r.user_id for people in recipients.values() for r in people])
    already = queued_keys(db, key_prefix)
    queued = 0
    for organisation_id, context in companies.items():
        for recipient in recipients.get(organisation_id, []):
            key = f"{key_prefix}{organisation_id}:{recipient.user_id}"
            if key in already or not preferences.wants(
                    kind, recipient.user_id, opt_outs, recipient.is_signatory):
                continue
            queued += queue_reminder(db, kind, recipient, subject_for(context), context, key)
    return queued
