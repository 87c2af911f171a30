"""Medians, quartiles and the small-group rule, on plain numbers (no database).

Quartiles use linear interpolation between the two nearest ranks (Excel's QUARTILE.INC,
numpy's default, `statistics.quantiles(method="inclusive")`), so the members' interquartile
range matches what an analyst gets from the CSV. The database sends only the ranks needed
(`quantile_ranks`), never a whole column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

# Fewer companies than this and a group's figures are not shown: with four or fewer, one
# company's answers could be guessed from the group's.
MIN_GROUP_SIZE = 5
QUARTILES = (Decimal("0.25"), Decimal("0.5"), Decimal("0.75"))


def is_suppressed(companies: int) -> bool:
    return companies < MIN_GROUP_SIZE


def quantile_ranks(n: int, q: Decimal) -> tuple[int, int]:
    """The two 0-based ranks whose values the q-quantile of n sorted values lies between."""
    position = (n - 1) * q
    lower = int(position)
    return lower, min(lower + (position != lower), n - 1)


def quantile_from_ranks(n: int, values_by_rank: Mapping[int, Decimal], q: Decimal
                        ) -> Decimal | None:
    """The q-quantile of n sorted values given (at least) the values at its two ranks."""
    if n <= 0:
        return None
    lower, upper = quantile_ranks(n, q)
    position = (n - 1) * q
    low, high = Decimal(values_by_rank[lower]), Decimal(values_by_rank[upper])
    return low + (high - low) * (position - lower)


def quantile(values: Sequence, q: Decimal) -> Decimal | None:
    ordered = sorted(Decimal(v) for v in values)
    return quantile_from_ranks(len(ordered), dict(enumerate(ordered)), q)


def median(values: Sequence) -> Decimal | None:
    return quantile(values, Decimal("0.5"))


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range of one group (None when it is empty)."""

    companies: int
    lower_quartile: Decimal | None
    median: Decimal | None
    upper_quartile: Decimal | None

    @property
    def is_suppressed(self) -> bool:
        return is_suppressed(self.companies)

    @property
    def interquartile_range(self) -> Decimal | None:
        if self.lower_quartile is None or self.upper_quartile is None:
            return None
        return self.upper_quartile - self.lower_quartile


def spread_from_ranks(n: int, values_by_rank: Mapping[int, Decimal]) -> Spread:
    if n <= 0:
        return Spread(0, None, None, None)
    return Spread(n, *(quantile_from_ranks(n, values_by_rank, q) for q in QUARTILES))


def spread(values: Sequence) -> Spread:
    ordered = sorted(Decimal(v) for v in values)
    return spread_from_ranks(len(ordered), dict(enumerate(ordered)))


def percentage(part: int | None, whole: int | None) -> Decimal | None:
    if not whole or part is None:
        return None
    return Decimal(part) * 100 / Decimal(whole)
