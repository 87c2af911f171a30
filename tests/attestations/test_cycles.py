"""Staff admin: reporting cycles."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.attestations.models import ReportingCycle
from portal.audit.models import AuditEvent
from portal.auth.models import StaffRole
from tests.attestations.helpers import errors, soup
from tests.factories import create_company_with_admin, create_cycle, create_staff

GOOD = {"year": "2027", "opens_on-day": "1", "opens_on-month": "4", "opens_on-year": "2027",
        "due_on-day": "31", "due_on-month": "7", "due_on-year": "2027",
        "grace_until-day": "31", "grace_until-month": "12", "grace_until-year": "2027",
        "min_avg_hours_per_week": "1.0", "min_coverage_pct": "80",
        "new_signer_window_days": "60"}


@pytest.fixture
def staff_admin(client, db, login_as):
    user = create_staff(db, StaffRole.ADMIN)
    login_as(client, user)
    return user


def test_list_is_empty_then_shows_cycles(client, db, staff_admin):
    page = soup(client.get("/staff/cycles"))
    assert "There are no reporting cycles yet" in page.get_text()
    create_cycle(db, 2026)
    row = soup(client.get("/staff/cycles")).select_one("tbody tr").get_text(" ", strip=True)
    assert row.startswith("2026") and "31 July 2026" in row


def test_create_a_cycle(client, db, staff_admin):
    form = soup(client.get("/staff/cycles/new"))
    assert form.select_one("#min_coverage_pct")["value"] == "80"
    response = client.submit("/staff/cycles/new", GOOD)
    assert response.status_code == 302
    cycle = db.execute(sa.select(ReportingCycle)).scalar_one()
    assert (cycle.year, cycle.due_on.isoformat(), cycle.min_coverage_pct) == (
        2027, "2027-07-31", 80)
    assert db.execute(sa.select(AuditEvent).where(AuditEvent.action == "cycle_created")).first()


@pytest.mark.parametrize("changes, message", [
    ({"year": ""}, "Enter the year of the cycle"),
    ({"due_on-month": "3"}, "The due date must be after the opening date"),
    ({"grace_until-day": "30", "grace_until-month": "6"},
     "The last date for late submissions must be the same as or after the due date"),
    ({"opens_on-day": "31", "opens_on-month": "4"}, "The opening date must be a real date"),
    ({"min_coverage_pct": "120"}, "Minimum coverage must be 100 or fewer"),
])
def test_cycle_validation(client, db, staff_admin, changes, message):
    response = client.submit("/staff/cycles/new", {**GOOD, **changes})
    assert errors(response) == [message]


def test_one_cycle_per_year_and_edit(client, db, staff_admin):
    create_cycle(db, 2027)
    response = client.submit("/staff/cycles/new", GOOD)
    assert errors(response) == ["There is already a cycle for 2027"]
    cycle = db.execute(sa.select(ReportingCycle)).scalar_one()
    url = f"/staff/cycles/{cycle.id}"
    assert soup(client.get(url)).select_one("#due_on-month")["value"] == "7"
    assert client.submit(url, {**GOOD, "due_on-day": "15"}).status_code == 302
    db.expire_all()
    assert db.get(ReportingCycle, cycle.id).due_on.day == 15


def test_reviewers_and_members_cannot_manage_cycles(client, db, login_as):
    login_as(client, create_staff(db, StaffRole.REVIEWER))
    assert client.get("/staff/cycles").status_code == 403
    _organisation, member = create_company_with_admin(db)
    login_as(client, member)
    assert client.get("/staff/cycles/new").status_code == 403
