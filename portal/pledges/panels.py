"""The pledge panel on the company overview: where the company stands, what to do next."""

from __future__ import annotations

from portal import clock
from portal.pledges.pages import pledge_summary


def company_panel(db, organisation, user) -> dict | None:
    summary = pledge_summary(db, organisation.id, clock.today())
    state = summary["state"] or ("withdrawn" if summary["withdrawn"] else "not_signed")
    return {"pledge_summary": summary, "pledge_state": state,
            "may_sign": bool(user.is_member_admin and user.is_verified)}
