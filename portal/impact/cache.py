"""Each worker remembers its last few /impact answers until the data behind them changes.

The figures move only when public data changes, and the public data version (portal.freshness)
moves with every such change, in the same transaction: a remembered answer keyed on it and on
today's date never goes stale. (portal.pagecache replays whole pages for anonymous visitors;
this serves signed-in members and the CSV tables too.)
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from threading import Lock

from sqlalchemy.orm import Session

from portal import freshness
from portal.impact import dashboard
from portal.impact.queries import ImpactFilters

MAX_ENTRIES = 256
_entries: OrderedDict = OrderedDict()
_lock = Lock()


def impact_for(db: Session, filters: ImpactFilters, today: date, year: int | None, *,
               enabled: bool = True) -> dashboard.Impact:
    """dashboard.build_impact, remembered while the fingerprint stays the same."""
    if not enabled:
        return dashboard.build_impact(db, filters, today, year)
    key = (str(db.get_bind().url), tuple(sorted(filters.active.items())), year, today,
           freshness.committed())
    with _lock:
        found = _entries.get(key)
        if found is not None:
            _entries.move_to_end(key)
    if found is None:
        found = dashboard.build_impact(db, ImpactFilters(**filters.active), today, year)
        with _lock:
            _entries[key] = found
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    # The remembered figures carry no messages: this request's own are put back.
    return dashboard.Impact(filters, found.cycles, found.selected)


@freshness.keyed_on_version
def clear() -> None:
    with _lock:
        _entries.clear()
