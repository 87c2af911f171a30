"""The public figures, per cycle, for one filtered group: what /impact and the report show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from portal.attestations.models import Attestation
from portal.impact import charts, privacy, queries
from portal.impact.queries import HOUR_BIN_LABELS, PRACTICES, ImpactFilters
from portal.impact.stats import Spread, percentage


@dataclass
class CycleImpact:
    year: int
    min_avg_hours_per_week: Decimal
    min_coverage_pct: int
    pledged: int
    reported: int
    certified: int
    # Figures from attestations: None when the group is too small to show (privacy).
    is_shown: bool = False
    employees: int | None = None
    hours: Spread | None = None
    meeting_hour: int | None = None
    meeting_coverage: int | None = None
    histogram: list[tuple[str, int]] = field(default_factory=list)
    practices: list[tuple[str, int]] = field(default_factory=list)

    @property
    def reported_pct(self):
        return percentage(self.reported, self.pledged)

    @property
    def certified_pct(self):
        return percentage(self.certified, self.pledged)

    @property
    def meeting_hour_pct(self):
        return percentage(self.meeting_hour, self.certified) if self.is_shown else None

    @property
    def meeting_coverage_pct(self):
        return percentage(self.meeting_coverage, self.certified) if self.is_shown else None

    def practice_rows(self) -> list[tuple[str, int, Decimal | None]]:
        return [(label, count, percentage(count, self.certified))
                for label, count in self.practices]


@dataclass
class Impact:
    filters: ImpactFilters
    cycles: list[CycleImpact]  # oldest first
    selected: CycleImpact | None

    @property
    def any_shown(self) -> bool:
        return any(cycle.is_shown for cycle in self.cycles)


def build_impact(db: Session, filters: ImpactFilters, today: date,
                 year: int | None = None) -> Impact:
    """Seven grouped queries (plus one per filter for the privacy rule), however many rows."""
    cycles = queries.opened_cycles(db, today)
    conditions = filters.conditions()
    pledged = queries.pledged_counts(db, conditions, cycles, today)
    reported = queries.reported_counts(db, conditions)
    totals = queries.approved_totals(db, conditions)
    shown = privacy.shown_cells(db, filters)
    histogram = queries.hour_histogram(db, conditions)
    spreads = queries.spreads(db, Attestation.avg_hours_per_week, conditions)
    rows = []
    for cycle in cycles:
        total = totals.get(cycle.id, queries.ApprovedTotals())
        row = CycleImpact(cycle.year, cycle.min_avg_hours_per_week, cycle.min_coverage_pct,
                          pledged.get(cycle.id, 0), reported.get(cycle.id, 0), total.companies)
        if shown.get(cycle.id):
            row.is_shown = True
            row.employees, row.hours = total.employees, spreads.get(cycle.id)
            row.meeting_hour, row.meeting_coverage = total.meeting_hour, total.meeting_coverage
            row.histogram = list(zip(HOUR_BIN_LABELS, histogram.get(
                cycle.id, [0] * len(HOUR_BIN_LABELS)), strict=True))
            row.practices = [(label, total.practices.get(code, 0)) for code, label in PRACTICES]
        rows.append(row)
    return Impact(filters, rows, _selected(rows, year))


def _selected(rows: list[CycleImpact], year: int | None) -> CycleImpact | None:
    """The asked-for year, else the latest cycle with figures to show, else the latest."""
    by_year = {row.year: row for row in rows}
    if year in by_year:
        return by_year[year]
    with_figures = [row for row in rows if row.certified]
    return (with_figures or rows or [None])[-1]


# Charts and tables ---------------------------------------------------------------------------

def histogram_chart(cycle: CycleImpact) -> charts.BarChart:
    hours = cycle.hours
    summary = f"{cycle.certified:,} certified companies in {cycle.year}"
    if hours and hours.median is not None:
        summary += f": the median company gave {hours.median:.2f} hours a week"
        summary += (f" (half gave between {hours.lower_quartile:.2f} and "
                    f"{hours.upper_quartile:.2f})")
    return charts.bar_chart(f"Average learning hours per employee per week, {cycle.year}",
                            cycle.histogram, summary=summary + ".")


def trend_charts(impact: Impact) -> list[charts.BarChart]:
    rows = impact.cycles
    certified = charts.bar_chart(
        "Companies certified, by cycle", [(str(r.year), r.certified) for r in rows],
        summary="; ".join(f"{r.year}: {r.certified:,} of {r.pledged:,} pledged companies"
                          for r in rows) + ".")
    medians = [(str(r.year), r.hours.median if r.is_shown and r.hours else None) for r in rows]
    median_chart = charts.bar_chart(
        "Median average learning hours per employee per week, by cycle", medians, places=2,
        summary="; ".join(f"{year}: {'not shown' if v is None else f'{v:.2f} hours'}"
                          for year, v in medians) + ".")
    return [certified, median_chart]


TREND_HEADER = ["cycle", "companies_pledged", "companies_reported", "companies_certified",
                "employees_covered", "median_hours_per_week", "lower_quartile_hours",
                "upper_quartile_hours", "companies_meeting_hour", "companies_meeting_coverage",
                "figures_shown"]


def trend_rows(impact: Impact) -> list[list]:
    rows = []
    for r in impact.cycles:
        hours = r.hours if r.is_shown else None
        rows.append([r.year, r.pledged, r.reported, r.certified, r.employees,
                     *(_plain(getattr(hours, name, None)) for name in (
                         "median", "lower_quartile", "upper_quartile")),
                     r.meeting_hour, r.meeting_coverage,
                     "yes" if r.is_shown else "no: too few companies"])
    return rows


def histogram_rows(cycle: CycleImpact | None) -> list[list]:
    if cycle is None or not cycle.is_shown:
        return []
    return [[cycle.year, label, count] for label, count in cycle.histogram]


def practice_rows(cycle: CycleImpact | None) -> list[list]:
    if cycle is None or not cycle.is_shown:
        return []
    return [[cycle.year, label, count, cycle.certified] for label, count in cycle.practices]


def _plain(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.3f}"
