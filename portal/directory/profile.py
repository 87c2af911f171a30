"""What a public profile shows: certificates, the DE&I policy, and opted-in metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.attestations.models import Attestation, ReportingCycle
from portal.certificates.models import Certificate
from portal.organisations.models import Organisation


@dataclass(frozen=True)
class CertificateLine:
    number: str
    verification_id: str
    year: int
    issued_at: object
    valid_until: date
    state: str  # valid | expired | superseded | revoked


@dataclass(frozen=True)
class CycleMetrics:
    year: int
    avg_hours_per_week: Decimal | None
    coverage_pct: Decimal | None


def certificate_history(db: Session, organisation_id: int, today: date) -> list[CertificateLine]:
    rows = db.execute(
        sa.select(Certificate.number, Certificate.verification_id, ReportingCycle.year,
                  Certificate.issued_at, Certificate.valid_until, Certificate.revoked_at,
                  Certificate.superseded_by_id)
        .join(ReportingCycle, ReportingCycle.id == Certificate.cycle_id)
        .where(Certificate.organisation_id == organisation_id)
        .order_by(ReportingCycle.year.desc(), Certificate.issued_at.desc()))
    return [CertificateLine(number, vid, year, issued, valid_until,
                            _state(revoked, superseded, valid_until, today))
            for number, vid, year, issued, valid_until, revoked, superseded in rows]


def _state(revoked_at, superseded_by_id, valid_until: date, today: date) -> str:
    # Same order as portal.certificates.service.certificate_state: the strongest reason first.
    if revoked_at is not None:
        return "revoked"
    if superseded_by_id is not None:
        return "superseded"
    return "expired" if today > valid_until else "valid"


def certified_metrics(db: Session, organisation_ids: list[int]) -> dict[int, list[CycleMetrics]]:
    """{organisation id: metrics of each certified cycle, newest first}, only for companies
    that chose to publish them: one query for a whole page of companies."""
    if not organisation_ids:
        return {}
    rows = db.execute(
        sa.select(Certificate.organisation_id, ReportingCycle.year,
                  Attestation.avg_hours_per_week, Attestation.coverage_pct)
        .join(ReportingCycle, ReportingCycle.id == Certificate.cycle_id)
        .join(Attestation, Attestation.id == Certificate.attestation_id)
        .join(Organisation, Organisation.id == Certificate.organisation_id)
        .where(Certificate.organisation_id.in_(organisation_ids),
               Organisation.publishes_metrics.is_(True),
               Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None))
        .order_by(Certificate.organisation_id, ReportingCycle.year.desc()))
    metrics: dict[int, list[CycleMetrics]] = {}
    for organisation_id, year, avg, coverage in rows:
        metrics.setdefault(organisation_id, []).append(CycleMetrics(year, avg, coverage))
    return metrics


def pledged_since(db: Session, organisation_id: int):
    """When the company's current run of pledging began: re-signing keeps the date."""
    from portal.pledges.models import Pledge

    return db.execute(sa.select(sa.func.min(Pledge.signed_at)).where(
        Pledge.organisation_id == organisation_id, Pledge.withdrawn_at.is_(None))).scalar_one()


def dei_policy_url(db: Session, organisation_id: int) -> str | None:
    """From the latest approved attestation: a published policy is public by definition."""
    answers = db.execute(
        sa.select(Attestation.answers)
        .join(ReportingCycle, ReportingCycle.id == Attestation.cycle_id)
        .where(Attestation.organisation_id == organisation_id,
               Attestation.status == "approved")
        .order_by(ReportingCycle.year.desc()).limit(1)).scalar_one_or_none()
    url = ((answers or {}).get("dei") or {}).get("policy_url")
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None
