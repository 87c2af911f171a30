from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow
from portal.organisations.models import Organisation


class CodeVersion(Base):
    """A version of the People Pillar text. Published versions are immutable."""

    __tablename__ = "code_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Assigned on publication (1, 2, 3…); drafts have none.
    number: Mapped[int | None] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary_of_changes: Mapped[str] = mapped_column(sa.Text, default="")
    # Ordered list of {"heading": …, "body": …}.
    commitments: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Pledge(Base):
    __tablename__ = "pledges"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(32), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    code_version_id: Mapped[int] = mapped_column(sa.ForeignKey("code_versions.id"))
    signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    signatory_name: Mapped[str] = mapped_column(sa.String(120))
    signatory_title: Mapped[str] = mapped_column(sa.String(120))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The canonical plain text signed (version text + company name; no personal data).
    signed_text: Mapped[str] = mapped_column(sa.Text)
    text_sha256: Mapped[str] = mapped_column(sa.String(64))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(400))
    # Equals organisation_id while the pledge is active, NULL otherwise: the unique constraint
    # makes "one active pledge per company" hold on both databases, even under double submits.
    active_organisation_id: Mapped[int | None] = mapped_column(unique=True)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pledges.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.String(2000))

    organisation: Mapped[Organisation] = relationship()
    code_version: Mapped[CodeVersion] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.active_organisation_id is not None
