"""The audit log: append events in the caller's transaction, verify the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.audit.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def _canonical(event_fields: dict) -> bytes:
    return json.dumps(event_fields, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(
    *, seq: int, at: datetime, actor_id, organisation_id, action: str,
    object_type, object_id, detail: dict, prev_hash: str,
) -> str:
    """Covers only fields that are never erased; personal data is outside."""
    fields = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "organisation_id": organisation_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(_canonical(fields)).hexdigest()


def _lock_head(db: Session) -> AuditChainHead:
    """Take the chain head's write lock first, so two writers can never fork the chain."""
    bumped = db.execute(
        sa.update(AuditChainHead).where(AuditChainHead.id == 1).values(seq=AuditChainHead.seq + 1)
    )
    if bumped.rowcount == 0:
        db.add(AuditChainHead(id=1, seq=1, hash=GENESIS_HASH))
        db.flush()
    return db.execute(
        sa.select(AuditChainHead).where(AuditChainHead.id == 1).execution_options(
            populate_existing=True
        )
    ).scalar_one()


def record(
    db: Session,
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    organisation_id: int | None = None,
    detail: dict | None = None,
    personal: dict | None = None,
) -> AuditEvent:
    """Append one event; it commits or rolls back with the change it describes."""
    obj, actor = _unwrap(obj), _unwrap(actor)
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else obj.id
    actor_id = getattr(actor, "id", actor)
    detail = json.loads(_canonical(detail or {}))
    head = _lock_head(db)
    at = clock.now()
    event = AuditEvent(
        seq=head.seq, at=at, actor_id=actor_id, organisation_id=organisation_id,
        action=action, object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        detail=detail, personal=personal, prev_hash=head.hash,
    )
    event.hash = compute_hash(
        seq=event.seq, at=at, actor_id=actor_id, organisation_id=organisation_id,
        action=action, object_type=object_type, object_id=event.object_id,
        detail=detail, prev_hash=head.hash,
    )
    head.hash = event.hash
    db.add(event)
    db.flush()
    return event


def _unwrap(value):
    """current_user is a proxy; the audit log wants the object behind it."""
    getter = getattr(value, "_get_current_object", None)
    return getter() if getter is not None else value


@dataclass
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def is_intact(self) -> bool:
        return self.broken_seq is None


def verify_chain(db: Session, batch_size: int = 2000) -> ChainReport:
    """Walk the chain in order; name the first row whose hash or link does not hold."""
    query = sa.select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch_size)
    # A server-side cursor on PostgreSQL: closed even when we stop at the first broken row.
    with db.execute(query).scalars() as events:
        return _walk(db, events)


def _walk(db: Session, events) -> ChainReport:
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(checked, event.seq, f"expected sequence {expected_seq}")
        if event.prev_hash != prev_hash:
            return ChainReport(checked, event.seq, "its link to the previous event is wrong")
        recomputed = compute_hash(
            seq=event.seq, at=event.at, actor_id=event.actor_id,
            organisation_id=event.organisation_id, action=event.action,
            object_type=event.object_type, object_id=event.object_id,
            detail=event.detail, prev_hash=event.prev_hash,
        )
        if recomputed != event.hash:
            return ChainReport(checked, event.seq, "its content does not match its hash")
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
    head = db.get(AuditChainHead, 1)
    if head is not None and checked and head.hash != prev_hash:
        return ChainReport(checked, expected_seq, "events after this point were deleted")
    return ChainReport(checked)


def head_hash(db: Session) -> str:
    head = db.get(AuditChainHead, 1)
    return head.hash if head else GENESIS_HASH
