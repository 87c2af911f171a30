from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.db import Base, UTCDateTime, utcnow
from portal.organisations.models import Organisation


class Certificate(Base):
    """Issued once, never edited: a correction revokes or supersedes and re-issues."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # PP-YYYY-NNNNNN-C, C a check digit over all ten digits.
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    sequence: Mapped[int]
    # Unguessable: the only identifier in URLs and the QR code.
    verification_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    attestation_id: Mapped[int] = mapped_column(sa.ForeignKey("attestations.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_cycles.id"), index=True)
    code_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("code_versions.id"))
    # Position in the published Bitstring Status List (revocation flips this bit).
    status_list_index: Mapped[int] = mapped_column(unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[date]
    pdf: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64))
    rendered_values: Mapped[dict] = mapped_column(sa.JSON)
    credential_jws: Mapped[str | None] = deferred(mapped_column(sa.Text))
    template_version: Mapped[str] = mapped_column(sa.String(40))
    weasyprint_version: Mapped[str] = mapped_column(sa.String(40))
    is_demo: Mapped[bool] = mapped_column(default=False)
    verification_count: Mapped[int] = mapped_column(default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(2000))
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revocation_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Two-person rule: the first admin proposes, a second confirms.
    revocation_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    supersede_reason: Mapped[str | None] = mapped_column(sa.String(2000))

    organisation: Mapped[Organisation] = relationship()
