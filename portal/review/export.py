"""CSV export of a cycle: one row per company, streamed in batches (never all rows at once)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.attestations.models import Attestation, AttestationVersion
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


def _row(row, year: int, details: tuple[dict, dict, dict]) -> list[str]:
    versions, flags, decisions = details
    answers = row.answers or {}
    values = [
        row.organisation_id, row.name, row.company_number, year, row.status.value,
        versions.get(row.id), row.first_submitted_at, row.submitted_at, row.is_late,
        row.decided_at, row.headcount, row.avg_hours_per_week, row.coverage_pct,
        *((answers.get(section) or {}).get(name) for section, name in ANSWER_COLUMNS),
        flags.get(row.id, []), decisions.get(row.id), row.decision_reason,
    ]
    return [_cell(value) for value in values]


def _encode(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def stream_csv(session_factory: Callable[[], Session], cycle_id: int, year: int,
               batch_size: int = BATCH) -> Iterator[str]:
    """Yield the header, then one chunk of CSV per batch of attestations.

    The generator owns its session: a streamed response outlives the request's session.
    Plain column rows, not ORM objects, so nothing accumulates in an identity map and memory
    stays flat whether the cycle has fifty companies or fifty thousand.
    """
    yield _encode([list(COLUMNS)])
    query = (sa.select(
        Attestation.id, Attestation.organisation_id, Attestation.status, Attestation.answers,
        Attestation.first_submitted_at, Attestation.submitted_at, Attestation.is_late,
        Attestation.decided_at, Attestation.headcount, Attestation.avg_hours_per_week,
        Attestation.coverage_pct, Attestation.decision_reason, Organisation.name,
        Organisation.company_number)
        .join(Organisation, Organisation.id == Attestation.organisation_id)
        .where(Attestation.cycle_id == cycle_id)
        .order_by(Organisation.search_name, Attestation.id)
        .execution_options(yield_per=batch_size))
    with session_factory() as db:
        for partition in db.execute(query).partitions():
            details = _batch_details(db, [row.id for row in partition])
            yield _encode([_row(row, year, details) for row in partition])
