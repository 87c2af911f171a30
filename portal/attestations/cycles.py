"""Staff admin's writes to reporting cycles. Functions only flush."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.attestations.models import ReportingCycle
from portal.audit.service import record


def cycle_year_taken(db: Session, year: int, except_id: int | None = None) -> bool:
    query = sa.select(ReportingCycle.id).where(ReportingCycle.year == year)
    if except_id is not None:
        query = query.where(ReportingCycle.id != except_id)
    return db.execute(query).first() is not None


def save_cycle(db: Session, actor, values: dict, cycle: ReportingCycle | None = None):
    is_new = cycle is None
    cycle = cycle or ReportingCycle()
    for name, value in values.items():
        setattr(cycle, name, value)
    db.add(cycle)
    db.flush()
    record(db, "cycle_created" if is_new else "cycle_updated", actor=actor, obj=cycle,
           detail={k: str(v) for k, v in values.items()})
    return cycle
