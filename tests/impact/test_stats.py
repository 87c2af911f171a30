"""Medians and quartiles against the standard library, including even counts and empty groups."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.impact import stats
from portal.impact.privacy import hidden_siblings


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert stats.median([4, 1, 3, 2]) == Decimal("2.5")
    assert stats.median([1, 2, 3]) == 2


def test_empty_group_has_no_median_and_is_suppressed():
    spread = stats.spread([])
    assert (spread.companies, spread.median, spread.interquartile_range) == (0, None, None)
    assert spread.is_suppressed


@pytest.mark.parametrize(("companies", "suppressed"), [(0, True), (4, True), (5, False)])
def test_groups_of_fewer_than_five_are_suppressed(companies, suppressed):
    assert stats.is_suppressed(companies) is suppressed


@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=2, max_size=40))
def test_quartiles_match_the_standard_library_inclusive_method(values):
    lower, middle, upper = statistics.quantiles([Decimal(v) for v in values], n=4,
                                                method="inclusive")
    spread = stats.spread(values)
    assert (spread.lower_quartile, spread.median, spread.upper_quartile) == (lower, middle, upper)
    assert spread.median == statistics.median(values)


@given(st.integers(min_value=1, max_value=500))
def test_quantile_ranks_are_neighbours_within_the_list(n):
    for q in stats.QUARTILES:
        lower, upper = stats.quantile_ranks(n, q)
        assert 0 <= lower <= upper <= n - 1 and upper - lower <= 1


@pytest.mark.parametrize(("counts", "hidden"), [
    ({"A": 9, "B": 7}, set()),
    ({"A": 9, "B": 7, "C": 1}, {"C", "B"}),        # 1 alone would be exposed: hide B too
    ({"A": 9, "B": 3, "C": 2}, {"B", "C"}),        # the hidden hold 5 together: enough
    ({"A": 6, "B": 1}, {"A", "B"}),
])
def test_complementary_suppression_hides_enough_siblings(counts, hidden):
    assert hidden_siblings(counts) == hidden


@pytest.mark.parametrize(("counts", "regions"), [
    ({(): 20, ("sector",): 10, ("region",): 10, ("sector", "region"): 5}, [5, 5, 5, 5]),
    # Neither sector M nor London: 16 − 10 − 10 + 5 = 1 company, exposed by subtraction.
    ({(): 16, ("sector",): 10, ("region",): 10, ("sector", "region"): 5}, [1, 5, 5, 5]),
    ({(): 12, ("size",): 7}, [5, 7]),
])
def test_venn_regions_by_inclusion_exclusion(counts, regions):
    from portal.impact.privacy import venn_regions

    assert sorted(venn_regions(counts)) == regions
