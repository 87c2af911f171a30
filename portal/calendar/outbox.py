"""The staff mail page: the outbox by state, and retrying a mail that failed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.audit.service import record
from portal.mail import service as mail_service
from portal.mail.models import OutboxMail
from portal.organisations.models import Organisation


def outbox_query(show: str) -> sa.Select:
    query = (sa.select(OutboxMail, Organisation.name)
             .outerjoin(Organisation, Organisation.id == OutboxMail.organisation_id))
    if show == "failed":
        query = query.where(OutboxMail.failed_at.is_not(None))
    elif show == "waiting":
        query = query.where(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None))
    elif show == "sent":
        query = query.where(OutboxMail.sent_at.is_not(None))
    return query.order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())


def outbox_counts(db: Session) -> dict[str, int]:
    failed, waiting, sent, total = db.execute(sa.select(
        sa.func.count(OutboxMail.failed_at),
        sa.func.count().filter(OutboxMail.sent_at.is_(None), OutboxMail.failed_at.is_(None)),
        sa.func.count(OutboxMail.sent_at), sa.func.count())).one()
    return {"failed": failed, "waiting": waiting, "sent": sent, "all": total}


def retry_mail(db: Session, mail: OutboxMail, actor) -> bool:
    """Send a failed mail again (another 48 hours of retries); False if it had not failed."""
    if mail.failed_at is None or mail.sent_at is not None:
        return False
    mail_service.retry(db, mail)
    db.flush()
    record(db, "mail_retried", actor=actor, obj=mail, organisation_id=mail.organisation_id,
           detail={"kind": mail.kind, "attempts": mail.attempts})
    return True
