from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UTCDateTime, enum_column, utcnow


class Decision(enum.StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    # A staff admin reopened a rejected attestation on appeal.
    REOPENED = "reopened"


class Severity(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class SampleOutcome(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REVOKED = "revoked"


class Review(Base):
    """One decision on one frozen version: what staff decided and told the member."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    attestation_id: Mapped[int] = mapped_column(sa.ForeignKey("attestations.id"), index=True)
    attestation_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attestation_versions.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    decision: Mapped[Decision] = mapped_column(enum_column(Decision))
    # Section key -> message shown to the member (changes requested).
    messages: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Rejection or appeal reason (shown to the company for rejections).
    reason: Mapped[str | None] = mapped_column(sa.Text)
    internal_note: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RiskFlag(Base):
    """A rule's finding on one submission, with an explanation in plain English."""

    __tablename__ = "risk_flags"
    __table_args__ = (sa.UniqueConstraint("attestation_version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attestation_id: Mapped[int] = mapped_column(sa.ForeignKey("attestations.id"), index=True)
    attestation_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("attestation_versions.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity))
    explanation: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffNote(Base):
    """Internal notes on an attestation: staff only, never shown to the member."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    attestation_id: Mapped[int] = mapped_column(sa.ForeignKey("attestations.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SamplingAudit(Base):
    """A reproducible random sample: the seed and percentage are recorded to redraw it."""

    __tablename__ = "sampling_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_cycles.id"), index=True)
    percentage: Mapped[int]
    seed: Mapped[str] = mapped_column(sa.String(64))
    population_size: Mapped[int]
    message: Mapped[str] = mapped_column(sa.Text)
    drawn_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SampledAttestation(Base):
    __tablename__ = "sampled_attestations"
    __table_args__ = (sa.UniqueConstraint("sampling_audit_id", "attestation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sampling_audit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sampling_audits.id"), index=True)
    attestation_id: Mapped[int] = mapped_column(sa.ForeignKey("attestations.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    outcome: Mapped[SampleOutcome] = mapped_column(
        enum_column(SampleOutcome), default=SampleOutcome.PENDING)
    outcome_note: Mapped[str | None] = mapped_column(sa.Text)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The company's first upload into its evidence-request slot.
    evidence_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
