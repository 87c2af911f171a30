"""Grouped SQL over approved attestations: one row per cycle (or per cycle and bucket).

The population is every APPROVED attestation whose certificate was not revoked (a revoked
certificate means staff no longer stand behind the figures). Its figures are the
attestation's derived columns (headcount, average hours, coverage: frozen with the approved
version) and its DE&I answers. Filters narrow it by the company's sector, region and size band.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal import clock
from portal.attestations.models import Attestation, AttestationStatus, ReportingCycle
from portal.attestations.sections import RECRUITMENT_PRACTICES
from portal.certificates.models import Certificate
from portal.impact import stats
from portal.impact.sqlfuncs import (
    json_has_text,
    json_is_true,
    json_list_contains,
    json_section,
)
from portal.organisations.models import Organisation
from portal.pledges.models import Pledge
from portal.reference import HEADCOUNT_BAND_NAMES, REGION_NAMES, SECTOR_NAMES

DIMENSIONS = {  # URL parameter -> (column, allowed values, what the message calls it)
    "sector": (Organisation.sector, SECTOR_NAMES, "sector"),
    "region": (Organisation.region, REGION_NAMES, "region"),
    "size": (Organisation.headcount_band, HEADCOUNT_BAND_NAMES, "number of employees"),
}
# Histogram of average learning hours per employee per week: half-hour bins, then "3 or more".
HOUR_BIN_EDGES = (Decimal("0.5"), Decimal("1"), Decimal("1.5"), Decimal("2"), Decimal("2.5"),
                  Decimal("3"))
HOUR_BIN_LABELS = ("Under 0.5", "0.5 to 1", "1 to 1.5", "1.5 to 2", "2 to 2.5", "2.5 to 3",
                   "3 or more")


def practice_expressions(dei) -> list[tuple[str, str, sa.ColumnElement]]:
    """(code, label, SQL condition) for each DE&I practice, on the answers' "dei" object."""
    rows = [("policy", "Published DE&I policy", json_has_text(dei, "policy_url")),
            ("sponsor", "Named senior sponsor", json_is_true(dei, "has_senior_sponsor")),
            ("pay_gap", "Published pay-gap report", json_has_text(dei, "pay_gap_url")),
            ("adjustments", "Reasonable-adjustments policy",
             json_is_true(dei, "has_adjustments_policy"))]
    rows += [(code, f"Recruitment: {label}", json_list_contains(dei, code, "recruitment_practices"))
             for code, label in RECRUITMENT_PRACTICES]
    return rows


PRACTICES = [(code, label) for code, label, _e in practice_expressions(sa.column("dei", sa.JSON))]


@dataclass(frozen=True)
class ImpactFilters:
    """Sector, region and size band from the URL. Unknown values are dropped, and
    `ignored` says which, so a mistyped link shows everything with a message, never an error."""

    sector: str = ""
    region: str = ""
    size: str = ""
    ignored: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args) -> ImpactFilters:
        values, ignored = {}, []
        for name, (_column, allowed, words) in DIMENSIONS.items():
            value = (args.get(name) or "").strip()
            if value and value not in allowed:
                ignored.append(f"There is no {words} “{value[:40]}”, so all are shown.")
                value = ""
            values[name] = value
        return cls(**values, ignored=tuple(ignored))

    @property
    def active(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in DIMENSIONS if getattr(self, name)}

    @property
    def is_filtered(self) -> bool:
        return bool(self.active)

    def conditions(self, names: Iterable[str] | None = None) -> list[sa.ColumnElement]:
        chosen = self.active if names is None else {n: self.active[n] for n in names}
        return [DIMENSIONS[name][0] == value for name, value in chosen.items()]

    def args(self) -> dict[str, str]:
        return dict(self.active)


def approved_population(*conditions) -> sa.Select:
    """FROM attestations ⋈ organisations ⋈ cycles WHERE approved and not revoked."""
    revoked = sa.exists().where(Certificate.attestation_id == Attestation.id,
                                Certificate.revoked_at.is_not(None))
    return (sa.select().select_from(Attestation)
            .join(Organisation, Organisation.id == Attestation.organisation_id)
            .join(ReportingCycle, ReportingCycle.id == Attestation.cycle_id)
            .where(Attestation.status == AttestationStatus.APPROVED, ~revoked, *conditions))


def _count_if(condition) -> sa.ColumnElement:
    return sa.func.sum(sa.case((condition, 1), else_=0))


@dataclass
class ApprovedTotals:
    companies: int = 0
    employees: int = 0
    meeting_hour: int = 0
    meeting_coverage: int = 0
    practices: dict[str, int] = field(default_factory=dict)


def approved_totals(db: Session, conditions: list) -> dict[int, ApprovedTotals]:
    """{cycle id: totals}: one grouped query for every cycle. The inner query reads each
    row's DE&I answers once (MATERIALIZED: else PostgreSQL folds it into the outer query and
    parses the answers again for every practice counted); the outer one counts them."""
    rows = approved_population(*conditions).add_columns(
        Attestation.cycle_id.label("cycle_id"), Attestation.headcount.label("headcount"),
        sa.case((Attestation.avg_hours_per_week >= ReportingCycle.min_avg_hours_per_week, 1),
                else_=0).label("meets_hour"),
        sa.case((Attestation.coverage_pct >= ReportingCycle.min_coverage_pct, 1),
                else_=0).label("meets_coverage"),
        json_section(Attestation.answers, "dei").label("dei"),
    ).cte("approved_rows").prefix_with("MATERIALIZED", dialect="postgresql")
    query = sa.select(
        rows.c.cycle_id, sa.func.count(), sa.func.coalesce(sa.func.sum(rows.c.headcount), 0),
        sa.func.sum(rows.c.meets_hour), sa.func.sum(rows.c.meets_coverage),
        *(_count_if(expression) for _code, _label, expression in practice_expressions(rows.c.dei)),
    ).group_by(rows.c.cycle_id)
    totals = {}
    for cycle_id, companies, employees, hour, coverage, *practices in db.execute(query):
        totals[cycle_id] = ApprovedTotals(
            companies, int(employees), int(hour or 0), int(coverage or 0),
            {code: int(n or 0) for (code, _label), n in zip(PRACTICES, practices, strict=True)})
    return totals


def hour_histogram(db: Session, conditions: list) -> dict[int, list[int]]:
    """{cycle id: companies per HOUR_BIN_LABELS bin}."""
    value = Attestation.avg_hours_per_week
    bucket = sa.case(*((value < edge, index) for index, edge in enumerate(HOUR_BIN_EDGES)),
                     else_=len(HOUR_BIN_EDGES)).label("bucket")
    query = approved_population(value.is_not(None), *conditions).add_columns(
        Attestation.cycle_id, bucket, sa.func.count()).group_by(Attestation.cycle_id, bucket)
    histogram: dict[int, list[int]] = {}
    for cycle_id, index, count in db.execute(query):
        histogram.setdefault(cycle_id, [0] * len(HOUR_BIN_LABELS))[index] = count
    return histogram


def spreads(db: Session, column, conditions: list) -> dict[int, stats.Spread]:
    """{cycle id: median and quartiles of `column`}. The database ranks the values and sends
    only the (at most six) ranks the quartiles need, whatever the group's size."""
    ranked = approved_population(column.is_not(None), *conditions).add_columns(
        Attestation.cycle_id.label("cycle_id"), column.label("value"),
        (sa.func.row_number().over(partition_by=Attestation.cycle_id, order_by=column) - 1
         ).label("rank"),
        sa.func.count().over(partition_by=Attestation.cycle_id).label("n"),
    ).subquery()
    last = ranked.c.n - 1
    # Floor and ceiling of each quartile's position, (n - 1) × q, in integer arithmetic.
    wanted = [last // 4, (last + 3) // 4, last // 2, (last + 1) // 2, last * 3 // 4,
              (last * 3 + 3) // 4]
    rows = db.execute(sa.select(ranked.c.cycle_id, ranked.c.n, ranked.c.rank, ranked.c.value)
                      .where(sa.or_(*(ranked.c.rank == rank for rank in wanted))))
    by_cycle: dict[int, tuple[int, dict]] = {}
    for cycle_id, n, rank, value in rows:
        by_cycle.setdefault(cycle_id, (n, {}))[1][rank] = Decimal(value)
    return {cycle_id: stats.spread_from_ranks(n, values)
            for cycle_id, (n, values) in by_cycle.items()}


def reported_counts(db: Session, conditions: list) -> dict[int, int]:
    """{cycle id: companies that submitted at least once} (public: the directory shows it)."""
    query = (sa.select(Attestation.cycle_id, sa.func.count()).select_from(Attestation)
             .join(Organisation, Organisation.id == Attestation.organisation_id)
             .where(Attestation.first_submitted_at.is_not(None), *conditions)
             .group_by(Attestation.cycle_id))
    return dict(db.execute(query).all())


def pledged_counts(db: Session, conditions: list, cycles, today: date) -> dict[int, int]:
    """{cycle id: companies whose pledge was in force at the end of the cycle's grace period
    (or today, for a cycle still running), or that reported for it}: one query, one counted
    column per cycle."""
    if not cycles:
        return {}
    columns = []
    for cycle in cycles:
        end = clock.end_of_day(min(today, cycle.grace_until))
        # A company that reported for the cycle had pledged, whatever happened since.
        reported = sa.select(Attestation.organisation_id).where(
            Attestation.cycle_id == cycle.id, Attestation.first_submitted_at.is_not(None))
        in_force = sa.or_(sa.and_(Pledge.signed_at <= end, sa.or_(
            Pledge.withdrawn_at.is_(None), Pledge.withdrawn_at > end)),
            Pledge.organisation_id.in_(reported))
        columns.append(sa.func.count(sa.distinct(sa.case((in_force, Pledge.organisation_id)))))
    row = db.execute(sa.select(*columns).select_from(Pledge).join(
        Organisation, Organisation.id == Pledge.organisation_id).where(*conditions)).one()
    return {cycle.id: count for cycle, count in zip(cycles, row, strict=True)}


def opened_cycles(db: Session, today: date) -> list[ReportingCycle]:
    return list(db.execute(sa.select(ReportingCycle).where(ReportingCycle.opens_on <= today)
                           .order_by(ReportingCycle.year)).scalars())


def certified_companies(db: Session, cycle_id: int) -> list[tuple[str, str, str]]:
    """(name, slug, sector) of listed companies in the population for one cycle, by name."""
    query = approved_population(Attestation.cycle_id == cycle_id, Organisation.is_listed,
                                Organisation.delisted_at.is_(None)).add_columns(
        Organisation.name, Organisation.slug, Organisation.sector).order_by(
        Organisation.search_name, Organisation.id)
    return [tuple(row) for row in db.execute(query)]
