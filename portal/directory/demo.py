"""Demo directory data: one named company delisted by staff, so the 410 profile can be seen."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from portal import clock
from portal.audit.service import record

DELISTED_INDEX = 11  # Thistle Direct in the named demo companies
DELISTED_REASON = ("An evidence check found that the learning hours declared for 2025 were "
                   "not recorded. The company may apply to rejoin after its next report.")


def seed(db: Session, ctx) -> None:
    if len(ctx.companies) <= DELISTED_INDEX:
        return
    organisation = ctx.companies[DELISTED_INDEX]
    if organisation.delisted_at is not None:
        return
    organisation.delisted_at = clock.now() - timedelta(days=10)
    organisation.delisted_reason = DELISTED_REASON
    staff = next(iter(ctx.staff.values()), None)
    record(db, "company_delisted", actor=staff, obj=organisation,
           organisation_id=organisation.id, detail={"reason": DELISTED_REASON, "demo": True})
    ctx.lines += ["", "Directory:", f"  delisted by staff: {organisation.name}"]
