"""No combination of filters may expose a small group: every shown group has at least 5
companies, no shown group is a shown wider group minus 1–4 companies, and the shown
breakdowns of a group along one filter leave 0 or at least 5 companies unaccounted for.

Hypothesis draws small data sets (companies placed in a few sectors, regions and sizes) and
every filter combination is asked for, as a visitor could.
"""

from __future__ import annotations

import itertools
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.impact.privacy import shown_cells
from portal.impact.queries import ImpactFilters, approved_totals
from tests.factories import create_cycle
from tests.impact.helpers import approved_company

NOW = datetime(2026, 9, 1, 10, 0).astimezone()
VALUES = {"sector": ["M", "J", "K"], "region": ["TLI", "TLC"], "size": ["1-9", "50-249"]}
company = st.tuples(*(st.sampled_from(values) for values in VALUES.values()))


def _combinations():
    for choice in itertools.product(*([""] + values for values in VALUES.values())):
        yield dict(zip(VALUES, choice, strict=True))


def _members(places, filters) -> frozenset[int]:
    wanted = list(filters.values())
    return frozenset(i for i, place in enumerate(places)
                     if all(not v or place[k] == v for k, v in enumerate(wanted)))


def _empty(db) -> None:
    """Delete what an example created (quicker than emptying every table)."""
    from portal.models import metadata

    db.rollback()
    for name in ("attestation_versions", "attestations", "pledges", "organisations",
                 "reporting_cycles"):
        db.execute(metadata.tables[name].delete())
    db.commit()
    db.expunge_all()


@settings(max_examples=15)
@given(st.lists(company, min_size=3, max_size=16))
def test_no_filter_combination_exposes_fewer_than_five_companies(db, frozen_clock, places):
    _empty(db)
    frozen_clock(NOW)
    cycle = create_cycle(db, 2026)
    for index, (sector, region, size) in enumerate(places):
        approved_company(db, [cycle], sector=sector, region=region, size=size,
                         headcount=10 + index)
    shown: dict[frozenset, dict] = {}
    for filters in _combinations():
        chosen = ImpactFilters(**filters)
        members = _members(places, filters)
        totals = approved_totals(db, chosen.conditions()).get(cycle.id)
        assert (totals.companies if totals else 0) == len(members)
        if shown_cells(db, chosen).get(cycle.id):
            assert totals.employees == sum(10 + i for i in members)
            shown[members] = filters
    for group in shown:
        assert len(group) >= 5
    for wider, narrower in itertools.permutations(shown, 2):
        if narrower < wider:
            assert len(wider - narrower) >= 5, (shown[wider], shown[narrower])
    for group, filters in shown.items():
        _assert_venn_regions_safe(places, filters)
        for name in (n for n in VALUES if not filters[n]):
            children = [g for g, f in shown.items() if f[name] and all(
                f[other] == filters[other] for other in VALUES if other != name)]
            left = group - frozenset().union(*children)
            assert len(left) == 0 or len(left) >= 5, (filters, name)


def test_a_hidden_group_shows_no_figures_anywhere(client, db, frozen_clock):
    """Sector J has 1 company: it is hidden, and so is sector M (6), else all minus M = J."""
    frozen_clock(NOW)
    cycle = create_cycle(db, 2026)
    for index in range(6):
        approved_company(db, [cycle], sector="M", headcount=100 + index)
    approved_company(db, [cycle], sector="K", headcount=50)
    for sector in ("M", "K"):
        page = client.get(f"/impact?sector={sector}").get_data(as_text=True)
        assert "Too few companies to show" in page and "Employees covered by" not in page
        data = client.get(f"/impact/hours.csv?sector={sector}").get_data(as_text=True)
        assert data.strip().splitlines() == ["cycle,hours_per_week,companies"]
    # Everyone (7) is hidden too: it is sector M (6) plus one company, and a group with M's
    # companies could be asked for under other filters (the conservative rule 4).
    page = client.get("/impact").get_data(as_text=True)
    assert "Too few companies to show" in page and "Employees covered by" not in page
    approved_company(db, [cycle], sector="K", headcount=50)
    for _ in range(3):
        approved_company(db, [cycle], sector="Q", headcount=55)
    page = client.get("/impact").get_data(as_text=True)
    assert "Employees covered by" in page and "880" in page  # everyone: 11 companies


def _assert_venn_regions_safe(places, filters) -> None:
    """Inside some of the group's filters and outside the others: 0 or at least 5 companies
    (each region is a sum of wider groups a visitor can ask for)."""
    active = [k for k in VALUES if filters[k]]
    index = {name: position for position, name in enumerate(VALUES)}
    for inside in itertools.product([True, False], repeat=len(active)):
        region = [i for i, place in enumerate(places) if all(
            (place[index[name]] == filters[name]) == flag
            for name, flag in zip(active, inside, strict=True))]
        assert len(region) == 0 or len(region) >= 5, (filters, inside)
