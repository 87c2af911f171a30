"""The outbox: queue mail in the caller's transaction; a worker delivers it.

Promise: queued exactly once (unique dedupe key), delivered at least once (retries with
exponential backoff, capped at an hour, for at least 48 hours before staff see it as failed).
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.orm import Session

from portal import clock
from portal.mail.models import OutboxMail

log = logging.getLogger(__name__)
RETRY_FOR = timedelta(hours=48)
MAX_BACKOFF = timedelta(hours=1)


def queue_mail(
    db: Session,
    kind: str,
    to: str,
    subject: str,
    context: dict,
    *,
    dedupe_key: str | None = None,
    user_id: int | None = None,
    organisation_id: int | None = None,
    headers: dict | None = None,
) -> OutboxMail | None:
    """Render mail/<kind>.txt and .html and queue one row; None if already queued."""
    dedupe_key = dedupe_key or f"{kind}:{uuid.uuid4().hex}"
    exists = db.execute(
        sa.select(OutboxMail.id).where(OutboxMail.dedupe_key == dedupe_key)
    ).first()
    if exists:
        return None
    base_url = current_app.config["PORTAL_BASE_URL"]
    context = {"base_url": base_url, "subject": subject, **context}
    domain = urlsplit(base_url).hostname or "pledgeportal.example"
    mail = OutboxMail(
        kind=kind, to_addr=to, subject=subject, user_id=user_id,
        organisation_id=organisation_id, headers=headers or {},
        text_body=render_template(f"mail/{kind}.txt", **context),
        html_body=render_template(f"mail/{kind}.html", **context),
        message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain),
        dedupe_key=dedupe_key, next_attempt_at=clock.now(),
    )
    db.add(mail)
    db.flush()
    if current_app.config["PORTAL_ENV"] == "development":
        log.warning("Mail queued to %s: %s\n%s", to, subject, mail.text_body)
    return mail


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_addr
    message["Subject"] = mail.subject
    # Stable across retries, so a receiving server can drop a duplicate delivery.
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(mail.created_at)
    for name, value in (mail.headers or {}).items():
        message[name] = value
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


def deliver(message: EmailMessage, mail_url: str, mail_dir: str) -> None:
    if mail_url in ("", "file"):
        Path(mail_dir).mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        (Path(mail_dir) / f"{name}.eml").write_bytes(bytes(message))
        return
    parts = urlsplit(mail_url)
    with smtplib.SMTP(parts.hostname or "127.0.0.1", parts.port or 25, timeout=10) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(parts.username, parts.password or "")
        smtp.send_message(message)


def backoff(attempts: int) -> timedelta:
    # 2^6 minutes already exceeds the cap; a bounded exponent keeps timedelta in range.
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 6)), MAX_BACKOFF)


def _claim_batch(db: Session, limit: int) -> list[OutboxMail]:
    query = (
        sa.select(OutboxMail)
        .where(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))
        .where(OutboxMail.next_attempt_at <= clock.now())
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        # Several workers on several machines: each row goes to exactly one of them.
        query = query.with_for_update(skip_locked=True)
    return list(db.execute(query).scalars())


def send_one(db: Session, mail: OutboxMail) -> bool:
    config = current_app.config
    mail.attempts += 1
    try:
        deliver(build_message(mail, config["MAIL_FROM"]), config["MAIL_URL"], config["MAIL_DIR"])
    except (OSError, smtplib.SMTPException) as error:
        mail.last_error = str(error)[:1000]
        now = clock.now()
        if now - mail.created_at >= RETRY_FOR:
            mail.failed_at = now
        else:
            mail.next_attempt_at = now + backoff(mail.attempts)
        log.warning("Mail %s to %s failed (attempt %s): %s", mail.id, mail.to_addr,
                    mail.attempts, error)
        return False
    mail.sent_at = clock.now()
    mail.last_error = None
    return True


def send_pending(db: Session, limit: int = 100) -> tuple[int, int]:
    """Send what is due; each row is committed as it goes. Returns (sent, failed)."""
    sent = failed = 0
    while True:
        batch = _claim_batch(db, min(limit - sent - failed, 20))
        if not batch:
            break
        for mail in batch:
            if send_one(db, mail):
                sent += 1
            else:
                failed += 1
        db.commit()
        if sent + failed >= limit:
            break
    return sent, failed


def retry(db: Session, mail: OutboxMail) -> None:
    """Staff asked to try a failed mail again."""
    mail.failed_at = None
    mail.created_at = clock.now()
    mail.next_attempt_at = clock.now()
