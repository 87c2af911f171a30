"""The SQL derivation of DESIGN §3 against a plain-Python model of the same table, on random
companies and dates around every deadline (hypothesis; both databases)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from portal import clock
from portal.attestations.models import ReportingCycle
from portal.directory.status import public_status
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)

YEARS = (2025, 2026)
DUE, GRACE, OPENS, WINDOW = (7, 31), (12, 31), (4, 1), 60
_names = itertools.count(1)


def _day(year, month_day):
    return date(year, *month_day)


# Days that matter (each deadline, the day before and after) plus any day in between.
KEY_DAYS = sorted({d + timedelta(days=k) for y in YEARS for d in (
    _day(y, OPENS), _day(y, DUE), _day(y, GRACE), _day(y, DUE) - timedelta(days=WINDOW))
    for k in (-1, 0, 1)})
days = st.one_of(st.sampled_from(KEY_DAYS), st.dates(date(2025, 1, 1), date(2027, 6, 30)))
statuses = st.sampled_from([None, "draft", "submitted", "in_review", "changes_requested",
                            "approved", "rejected"])
optional_days = st.one_of(st.none(), days)


@st.composite
def companies(draw):
    today = draw(days)
    signed_on = draw(st.dates(date(2024, 6, 1), today))
    cycles = {}
    for year in YEARS:
        status = draw(statuses)
        cycles[year] = {
            "status": status,
            "extended_until": draw(optional_days) if status in ("draft", "changes_requested")
            else None,
            "changes_due_on": draw(optional_days) if status == "changes_requested" else None,
            "certificate": (draw(st.dates(date(year, 6, 1), date(year + 2, 6, 1))),
                            draw(st.booleans())) if status == "approved" else None,
        }
    return today, signed_on, cycles


def expected(today, signed_on, cycles):
    """DESIGN §3, written out plainly: (code, year, code and year shown beside, or None)."""
    opened = [y for y in YEARS if _day(y, OPENS) <= today]
    current = opened[-1] if opened else None
    valid = [y for y, c in cycles.items() if c["certificate"] and not c["certificate"][1]
             and c["certificate"][0] >= today]
    in_cycle = _in_cycle(current, cycles[current], signed_on, today) if current else None
    if in_cycle in ("approved", "pledged"):
        in_cycle = None
    if valid:
        beside = (in_cycle, current) if in_cycle and max(valid) != current else None
        return "certified", max(valid), beside
    return (in_cycle, current, None) if in_cycle else ("pledged", None, None)


def _in_cycle(year, cycle, signed_on, today):
    status, extended = cycle["status"], cycle["extended_until"]
    due, grace = _day(year, DUE), _day(year, GRACE)
    if status in ("approved", "rejected"):
        return "approved" if status == "approved" else "non_reporting"
    if status in ("submitted", "in_review"):
        return "under_review"
    if status == "changes_requested":
        still_open = today <= grace or (cycle["changes_due_on"] or date.min) >= today or (
            extended or date.min) >= today
        return "under_review" if still_open else "non_reporting"
    if signed_on > due - timedelta(days=WINDOW):
        return "pledged"
    if today <= due or (extended or date.min) >= today:
        return "reporting_due"
    return "overdue" if today <= grace else "non_reporting"


def _arrange(db, today, signed_on, cycles):
    rows = {c.year: c for c in db.query(ReportingCycle).all()}
    for year in YEARS:
        if year not in rows:
            rows[year] = create_cycle(db, year)
    organisation, admin = create_company_with_admin(db, f"Model {next(_names)} Ltd")
    signed_at = datetime.combine(signed_on, time(10, 0), tzinfo=clock.timezone())
    create_pledge(db, organisation, admin, signed_at=signed_at.astimezone(UTC))
    for year, spec in cycles.items():
        if spec["status"] is None:
            continue
        attestation = create_attestation(
            db, organisation, rows[year], status=spec["status"],
            submitted_at=datetime(year, 6, 1, tzinfo=UTC))
        attestation.extended_until = spec["extended_until"]
        attestation.changes_due_on = spec["changes_due_on"]
        db.commit()
        if spec["certificate"]:
            valid_until, revoked = spec["certificate"]
            create_certificate(db, organisation, rows[year], attestation,
                               valid_until=valid_until,
                               revoked_at=datetime(year, 9, 1, tzinfo=UTC) if revoked else None)
    return organisation


@given(company=companies())
def test_sql_derivation_matches_the_plain_model(db, company):
    today, signed_on, cycles = company
    organisation = _arrange(db, today, signed_on, cycles)
    db.expire_all()
    status = public_status(db, organisation, today)
    beside = (status.secondary.code.value, status.secondary.year) if status.secondary else None
    assert (status.code.value, status.year, beside) == expected(today, signed_on, cycles), (
        today, signed_on, cycles)
