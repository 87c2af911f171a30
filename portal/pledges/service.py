"""Pledges: code versions, signing, re-signing, withdrawal. Functions only flush."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.pledges.models import CodeVersion, Pledge


def current_code_version(db: Session) -> CodeVersion:
    """The latest published version (there is always one: migration 0002 creates version 1)."""
    return db.execute(
        sa.select(CodeVersion).where(CodeVersion.published_at.is_not(None))
        .order_by(CodeVersion.number.desc()).limit(1)
    ).scalar_one()


def active_pledge(db: Session, organisation_id: int) -> Pledge | None:
    return db.execute(
        sa.select(Pledge).where(Pledge.active_organisation_id == organisation_id)
    ).scalar_one_or_none()
