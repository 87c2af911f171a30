"""Each worker remembers its last few /impact answers until the data behind them changes.

The figures move only when an attestation, pledge, certificate, company or cycle changes, so
a fingerprint of those tables (counts and latest change times: two small aggregate queries)
decides whether a remembered answer still holds. Nothing can go stale: any write the figures
depend on changes the fingerprint. Tests turn it off (IMPACT_CACHE) so identical frozen
times in different tests never share an answer; test_cache turns it on.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from threading import Lock

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.attestations.models import Attestation, ReportingCycle
from portal.certificates.models import Certificate
from portal.impact import dashboard
from portal.impact.queries import ImpactFilters
from portal.organisations.models import Organisation
from portal.pledges.models import Pledge

MAX_ENTRIES = 256
_entries: OrderedDict = OrderedDict()
_lock = Lock()


def fingerprint(db: Session) -> tuple:
    def scalar(column):
        return sa.select(column).scalar_subquery()

    counts = db.execute(sa.select(
        scalar(sa.func.count(Attestation.id)), scalar(sa.func.max(Attestation.updated_at)),
        scalar(sa.func.count(Pledge.id)), scalar(sa.func.max(Pledge.id)),
        scalar(sa.func.max(Pledge.withdrawn_at)), scalar(sa.func.count(Certificate.revoked_at)),
        scalar(sa.func.max(Certificate.revoked_at)), scalar(sa.func.count(Organisation.id)),
        scalar(sa.func.max(Organisation.updated_at)))).one()
    cycles = db.execute(sa.select(
        ReportingCycle.id, ReportingCycle.year, ReportingCycle.opens_on, ReportingCycle.due_on,
        ReportingCycle.grace_until, ReportingCycle.min_avg_hours_per_week,
        ReportingCycle.min_coverage_pct).order_by(ReportingCycle.id)).all()
    return tuple(counts), tuple(tuple(row) for row in cycles)


def impact_for(db: Session, filters: ImpactFilters, today: date, year: int | None, *,
               enabled: bool = True) -> dashboard.Impact:
    """dashboard.build_impact, remembered while the fingerprint stays the same."""
    if not enabled:
        return dashboard.build_impact(db, filters, today, year)
    key = (str(db.get_bind().url), tuple(sorted(filters.active.items())), year, today,
           fingerprint(db))
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
