from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, UTCDateTime, enum_column, utcnow
from portal.organisations.models import Organisation


class AttestationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReportingCycle(Base):
    """Cycle YYYY is filed during YYYY about the previous twelve months."""

    __tablename__ = "reporting_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    opens_on: Mapped[date]
    due_on: Mapped[date]
    grace_until: Mapped[date]
    min_avg_hours_per_week: Mapped[Decimal] = mapped_column(
        sa.Numeric(5, 2), default=Decimal("1.0"))
    min_coverage_pct: Mapped[int] = mapped_column(default=80)
    # Companies that pledged fewer than this many days before due_on report next cycle.
    new_signer_window_days: Mapped[int] = mapped_column(default=60)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def period_start(self) -> date:
        return date(self.year - 1, 1, 1)

    @property
    def period_end(self) -> date:
        return date(self.year - 1, 12, 31)


class Attestation(Base):
    __tablename__ = "attestations"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_cycles.id"), index=True)
    status: Mapped[AttestationStatus] = mapped_column(
        enum_column(AttestationStatus), default=AttestationStatus.DRAFT, index=True)
    # Answers by section: {"workforce": {...}, "learning": {...}, "dei": {...}, ...}.
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Section key -> "in_progress" | "completed"; "copied" sections carry a review banner.
    section_status: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    copied_sections: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Section key -> version number, carried as a hidden field: two colleagues editing
    # different sections never conflict, the same section does (and sees both versions).
    section_versions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Section key -> the raw inputs of a "save and come back later" that did not validate yet,
    # so nothing typed is lost; cleared when the section is saved complete.
    draft_inputs: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Optimistic concurrency: every save bumps it; a stale form sees a conflict.
    row_version: Mapped[int] = mapped_column(default=1)
    # Derived metrics of the current answers (also frozen into each version).
    headcount: Mapped[int | None]
    avg_hours_per_week: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 3))
    coverage_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))
    assigned_reviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    declaration_name: Mapped[str | None] = mapped_column(sa.String(120))
    declaration_role: Mapped[str | None] = mapped_column(sa.String(120))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    is_late: Mapped[bool] = mapped_column(default=False)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff's latest messages to the member, by section key (shown on those sections while
    # changes are requested), and the reason for a rejection (shown to the company).
    review_messages: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Set when staff request changes: the reopened form's own deadline.
    changes_due_on: Mapped[date | None]
    # Per-company deadline extension granted by staff.
    extended_until: Mapped[date | None]
    extension_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    cycle: Mapped[ReportingCycle] = relationship(lazy="joined")


class AttestationVersion(Base):
    """One frozen submission: exactly what was declared, with its sha256."""

    __tablename__ = "attestation_versions"
    __table_args__ = (sa.UniqueConstraint("attestation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attestation_id: Mapped[int] = mapped_column(sa.ForeignKey("attestations.id"), index=True)
    number: Mapped[int]
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    is_late: Mapped[bool] = mapped_column(default=False)
    headcount: Mapped[int | None]
    avg_hours_per_week: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 3))
    coverage_pct: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 2))

    attestation: Mapped[Attestation] = relationship()


class EvidenceFile(Base):
    """Metadata only: lists and exports never load the bytes (kept in EvidenceBlob)."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    attestation_id: Mapped[int] = mapped_column(sa.ForeignKey("attestations.id"), index=True)
    # "evidence" (section E), "learning_record" (section B import) or "sampling".
    purpose: Mapped[str] = mapped_column(sa.String(20), default="evidence")
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when removed by the member or purged after the retention period; bytes deleted.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EvidenceBlob(Base):
    __tablename__ = "evidence_blobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_file_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evidence_files.id", ondelete="CASCADE"), unique=True)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
