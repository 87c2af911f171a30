"""How do we compare? A company's own metrics per cycle beside its sector and size band."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.attestations.models import Attestation, AttestationStatus, ReportingCycle
from portal.impact import charts, queries
from portal.impact.stats import Spread
from portal.organisations.models import Organisation


@dataclass
class CompareRow:
    year: int
    status: AttestationStatus | None
    headcount: int | None
    avg_hours_per_week: Decimal | None
    coverage_pct: Decimal | None
    peer_hours: Spread
    peer_coverage: Spread

    @property
    def is_approved(self) -> bool:
        return self.status == AttestationStatus.APPROVED


def compare_rows(db: Session, organisation: Organisation) -> list[CompareRow]:
    """Newest cycle first; only cycles where the company submitted or peers have figures.
    Four queries whatever the number of cycles."""
    peers = [Organisation.sector == organisation.sector,
             Organisation.headcount_band == organisation.headcount_band]
    hours = queries.spreads(db, Attestation.avg_hours_per_week, peers)
    coverage = queries.spreads(db, Attestation.coverage_pct, peers)
    own = {row.cycle_id: row for row in db.execute(
        sa.select(Attestation.cycle_id, Attestation.status, Attestation.headcount,
                  Attestation.avg_hours_per_week, Attestation.coverage_pct)
        .where(Attestation.organisation_id == organisation.id,
               Attestation.first_submitted_at.is_not(None)))}
    cycles = db.execute(sa.select(ReportingCycle.id, ReportingCycle.year)
                        .order_by(ReportingCycle.year.desc())).all()
    empty = Spread(0, None, None, None)
    rows = []
    for cycle_id, year in cycles:
        mine = own.get(cycle_id)
        if mine is None and cycle_id not in hours:
            continue
        rows.append(CompareRow(
            year, AttestationStatus(mine.status) if mine else None,
            mine.headcount if mine else None, mine.avg_hours_per_week if mine else None,
            mine.coverage_pct if mine else None,
            hours.get(cycle_id, empty), coverage.get(cycle_id, empty)))
    return rows


def own_trend_chart(rows: list[CompareRow]) -> charts.BarChart | None:
    points = [(str(row.year), row.avg_hours_per_week) for row in reversed(rows)]
    if all(value is None for _year, value in points):
        return None
    summary = "; ".join(f"{year}: {'no figures' if v is None else f'{v:.2f} hours'}"
                        for year, v in points)
    return charts.bar_chart("Your average learning hours per employee per week, by cycle",
                            points, places=2, summary=summary + ".")
