"""Numbered pagination shared by every list page."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import sqlalchemy as sa
from sqlalchemy.orm import Session


@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def window(self, radius: int = 2) -> list[int | None]:
        """Page numbers to show, with None where a gap ('…') goes."""
        shown = {1, self.pages, *range(self.number - radius, self.number + radius + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        result: list[int | None] = []
        for n in numbers:
            if result and n - result[-1] > 1:
                result.append(None)
            result.append(n)
        return result


def page_number(raw: str | None) -> int:
    """Page 0, negative or non-numeric page numbers mean the first page, never an error."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


def paginate(db: Session, query: sa.Select, number: int, per_page: int = 25) -> Page:
    total = db.execute(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    last = max(1, ceil(total / per_page))
    number = min(number, last)
    rows = db.execute(query.limit(per_page).offset((number - 1) * per_page))
    # column_descriptions counts entities: select(Model) is one item, not one per column.
    items = list(rows.scalars()) if len(query.column_descriptions) == 1 else list(rows)
    return Page(items, number, per_page, total)
