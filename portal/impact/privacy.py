"""Which (filtered group, cycle) cells may show figures from attestations.

A cell is shown only when
1. it holds at least 5 companies (stats.MIN_GROUP_SIZE);
2. no wider group a visitor can also ask for (drop any of the filters) differs from it by
   1–4 companies: subtracting one from the other would expose those few companies' answers;
3. every region of the Venn diagram its filters draw (e.g. "in sector M but not in London")
   holds 0 or at least 5 companies: those regions are sums and differences of the wider
   groups (overall − M − London + M∩London = neither), so a visitor could compute them;
4. no narrower group a visitor can ask for (add filters on the dimensions left free) differs
   from it by 1–4 companies: any requestable group inside this one is such a narrower group
   (e.g. "sector J in London" can sit inside "50–249 employees in London"), so subtracting it
   would expose the few left over;
5. along each filter, its sibling cells (same other filters, another value) that are hidden
   hold 0 or at least 5 companies between them. When the hidden siblings hold 1–4, the
   smallest shown siblings are hidden too ("complementary suppression"), otherwise the wider
   group minus the shown siblings would give the hidden few away.

Counts come from two kinds of grouped query over the approved population; nothing here
looks at a single company.
"""

from __future__ import annotations

from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.attestations.models import Attestation
from portal.impact.queries import DIMENSIONS, ImpactFilters, approved_population
from portal.impact.stats import MIN_GROUP_SIZE


def _reveals_few(difference: int) -> bool:
    return 0 < difference < MIN_GROUP_SIZE


def hidden_siblings(counts: dict[str, int]) -> set[str]:
    """The values of one breakdown whose cells are hidden, primary and complementary."""
    hidden = {value for value, n in counts.items() if n < MIN_GROUP_SIZE}
    shown = sorted((n, value) for value, n in counts.items() if value not in hidden)
    while _reveals_few(sum(counts[value] for value in hidden)) and shown:
        hidden.add(shown.pop(0)[1])
    return hidden


def venn_regions(counts: dict[tuple, int]) -> list[int]:
    """Companies in each region of the filters' Venn diagram, from the counts of every subset
    of the filters (inclusion–exclusion: inside the filters in T and outside the others)."""
    regions = []
    for inside in counts:
        regions.append(sum((-1) ** (len(subset) - len(inside)) * n
                           for subset, n in counts.items() if set(inside) <= set(subset)))
    return regions


def _ancestor_counts(db: Session, filters: ImpactFilters) -> dict[int, dict[tuple, int]]:
    """{cycle id: {subset of filter names: companies}} for every subset of the filters."""
    names = list(filters.active)
    subsets = [subset for size in range(len(names) + 1) for subset in combinations(names, size)]
    columns = [sa.func.sum(sa.case((sa.and_(sa.true(), *filters.conditions(subset)), 1),
                                   else_=0)) for subset in subsets]
    query = approved_population().add_columns(Attestation.cycle_id, *columns).group_by(
        Attestation.cycle_id)
    return {cycle_id: dict(zip(subsets, (int(n or 0) for n in counts), strict=True))
            for cycle_id, *counts in db.execute(query)}


def _sibling_counts(db: Session, filters: ImpactFilters, name: str) -> dict[int, dict[str, int]]:
    column = DIMENSIONS[name][0]
    others = [other for other in filters.active if other != name]
    query = approved_population(*filters.conditions(others)).add_columns(
        Attestation.cycle_id, column, sa.func.count()).group_by(Attestation.cycle_id, column)
    breakdown: dict[int, dict[str, int]] = {}
    for cycle_id, value, count in db.execute(query):
        breakdown.setdefault(cycle_id, {})[value] = count
    return breakdown


def _descendant_counts(db: Session, filters: ImpactFilters) -> dict[int, list[int]]:
    """{cycle id: companies in every narrower group}: the finest cells over the free
    dimensions, one grouped query, summed up to each combination of those dimensions."""
    free = [name for name in DIMENSIONS if name not in filters.active]
    if not free:
        return {}
    columns = [DIMENSIONS[name][0] for name in free]
    query = approved_population(*filters.conditions()).add_columns(
        Attestation.cycle_id, *columns, sa.func.count()).group_by(Attestation.cycle_id, *columns)
    finest: dict[int, list[tuple]] = {}
    for cycle_id, *values, count in db.execute(query):
        finest.setdefault(cycle_id, []).append((tuple(values), count))
    result = {}
    for cycle_id, cells in finest.items():
        sums = []
        for size in range(1, len(free) + 1):
            for chosen in combinations(range(len(free)), size):
                totals: dict[tuple, int] = {}
                for values, count in cells:
                    key = tuple(values[i] for i in chosen)
                    totals[key] = totals.get(key, 0) + count
                sums.extend(totals.values())
        result[cycle_id] = sums
    return result


def shown_cells(db: Session, filters: ImpactFilters) -> dict[int, bool]:
    """{cycle id: may this group's figures be shown}; cycles without approved rows are absent
    (nothing to show anyway)."""
    ancestors = _ancestor_counts(db, filters)
    full = tuple(filters.active)
    shown = {}
    for cycle_id, counts in ancestors.items():
        own = counts[full]
        shown[cycle_id] = own >= MIN_GROUP_SIZE and not any(
            _reveals_few(n - own) for subset, n in counts.items() if subset != full
        ) and not any(_reveals_few(n) for n in venn_regions(counts))
    for cycle_id, narrower in _descendant_counts(db, filters).items():
        own = ancestors.get(cycle_id, {}).get(full, 0)
        # Conservative: a narrower group of 5+ counts even if it is itself hidden for another
        # reason, since a group with the same companies but other filters may be shown.
        if any(n >= MIN_GROUP_SIZE and _reveals_few(own - n) for n in narrower):
            shown[cycle_id] = False
    for name, value in filters.active.items():
        for cycle_id, breakdown in _sibling_counts(db, filters, name).items():
            if value in hidden_siblings(breakdown):
                shown[cycle_id] = False
    return shown
