from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, enum_column, utcnow
from portal.organisations.models import Organisation


class StaffRole(enum.StrEnum):
    REVIEWER = "reviewer"
    ADMIN = "admin"


class OrgRole(enum.StrEnum):
    ADMIN = "admin"
    CONTRIBUTOR = "contributor"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so uniqueness is case-insensitive on both databases.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    pending_email: Mapped[str | None] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    staff_role: Mapped[StaffRole | None] = mapped_column(enum_column(StaffRole))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    org_role: Mapped[OrgRole | None] = mapped_column(enum_column(OrgRole))
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    recovery_codes: Mapped[list | None] = mapped_column(sa.JSON)
    # Part of the login id: bumping it logs the user out everywhere.
    session_version: Mapped[int] = mapped_column(default=1)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None and self.erased_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_staff(self) -> bool:
        return self.staff_role is not None

    @property
    def is_staff_admin(self) -> bool:
        return self.staff_role == StaffRole.ADMIN

    @property
    def is_member_admin(self) -> bool:
        return self.organisation_id is not None and self.org_role == OrgRole.ADMIN


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    org_role: Mapped[OrgRole | None] = mapped_column(enum_column(OrgRole))
    staff_role: Mapped[StaffRole | None] = mapped_column(enum_column(StaffRole))
    # Only the sha256 of the token is stored: a database leak gives no working link.
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resent_count: Mapped[int] = mapped_column(default=0)

    organisation: Mapped[Organisation | None] = relationship()
