"""CSV export of a cycle: one row per company, streamed in batches (never all rows at once)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.attestations.models import Attestation, AttestationVersion, ReportingCycle
from portal.organisations.models import Organisation
from portal.review.models import Review, RiskFlag

BATCH = 1000
ANSWER_COLUMNS = (
    ("workforce", "period_start"), ("workforce", "period_end"), ("workforce", "headcount"),
    ("workforce", "fte"),
    ("learning", "has_policy"), ("learning", "policy_description"),
    ("learning", "total_hours"), ("learning", "employees_meeting_hour"),
    ("learning", "recording_methods"), ("learning", "formats"),
    ("learning", "micro_credentials"),
    ("dei", "policy_url"), ("dei", "has_senior_sponsor"), ("dei", "training_completion_pct"),
    ("dei", "data_collected"), ("dei", "pay_gap_url"), ("dei", "recruitment_practices"),
    ("dei", "has_adjustments_policy"),
    ("narrative", "highlights"), ("narrative", "plans"),
)
COLUMNS = (
    "organisation_id", "company", "company_number", "cycle", "status", "version",
    "first_submitted_at", "submitted_at", "is_late", "decided_at",
    "headcount", "avg_hours_per_week", "coverage_pct",
    *(f"{section}.{name}" for section, name in ANSWER_COLUMNS),
    "risk_flags", "decision", "decision_reason",
)
# Spreadsheet programs run cells starting with these as formulas (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _batch_details(db: Session, ids: list[int]) -> tuple[dict, dict, dict]:
    """Latest version number, its flags and the latest decision, for one batch of ids."""
    versions = dict(db.execute(
        sa.select(AttestationVersion.attestation_id, sa.func.max(AttestationVersion.number))
        .where(AttestationVersion.attestation_id.in_(ids))
        .group_by(AttestationVersion.attestation_id)).all())
    latest_version_ids = set(db.execute(
        sa.select(sa.func.max(AttestationVersion.id))
        .where(AttestationVersion.attestation_id.in_(ids))
        .group_by(AttestationVersion.attestation_id)).scalars())
    flags: dict[int, list[str]] = {}
    for attestation_id, code in db.execute(
            sa.select(RiskFlag.attestation_id, RiskFlag.code)
            .where(RiskFlag.attestation_version_id.in_(latest_version_ids))
            .order_by(RiskFlag.id)):
        flags.setdefault(attestation_id, []).append(code)
    decisions = {}
    for attestation_id, decision in db.execute(
            sa.select(Review.attestation_id, Review.decision)
            .where(Review.attestation_id.in_(ids)).order_by(Review.id)):
        decisions[attestation_id] = decision.value  # the last one wins
    return versions, flags, decisions


def _row(attestation: Attestation, organisation: Organisation, cycle: ReportingCycle,
         details: tuple[dict, dict, dict]) -> list[str]:
    versions, flags, decisions = details
    answers = attestation.answers or {}
    values = [
        organisation.id, organisation.name, organisation.company_number, cycle.year,
        attestation.status.value, versions.get(attestation.id),
        attestation.first_submitted_at, attestation.submitted_at, attestation.is_late,
        attestation.decided_at, attestation.headcount, attestation.avg_hours_per_week,
        attestation.coverage_pct,
        *((answers.get(section) or {}).get(name) for section, name in ANSWER_COLUMNS),
        flags.get(attestation.id, []), decisions.get(attestation.id),
        attestation.decision_reason,
    ]
    return [_cell(value) for value in values]


def _encode(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def stream_csv(db: Session, cycle: ReportingCycle, batch_size: int = BATCH) -> Iterator[str]:
    """Yield the header, then one chunk of CSV per batch of attestations."""
    yield _encode([list(COLUMNS)])
    query = (sa.select(Attestation, Organisation)
             .join(Organisation, Organisation.id == Attestation.organisation_id)
             .where(Attestation.cycle_id == cycle.id)
             .order_by(Organisation.search_name, Attestation.id)
             .execution_options(yield_per=batch_size))
    for partition in db.execute(query).partitions():
        details = _batch_details(db, [attestation.id for attestation, _ in partition])
        yield _encode([_row(attestation, organisation, cycle, details)
                       for attestation, organisation in partition])
        for attestation, organisation in partition:
            # Keeps memory flat over 50,000 rows: the identity map forgets each batch.
            db.expunge(attestation)
            db.expunge(organisation)
