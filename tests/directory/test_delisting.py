"""Staff delisting (audited, with a public reason) and members leaving the directory."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEvent
from portal.auth.models import StaffRole
from portal.organisations.models import Organisation
from tests.directory.test_views import SIGNED, names, pledged, soup
from tests.factories import create_company_with_admin, create_cycle, create_pledge, create_staff


@pytest.fixture
def today(frozen_clock):
    frozen_clock(date(2026, 8, 15))


def test_staff_admin_delists_with_a_reason_shown_on_the_profile(client, db, login_as, today):
    organisation = pledged(db, "Bad Actor Ltd")
    admin = create_staff(db, StaffRole.ADMIN)
    login_as(client, admin)
    url = f"/staff/companies/{organisation.id}/delist"
    response = client.submit(url, {"reason": "Evidence did not support the hours declared."})
    assert response.status_code == 302
    profile = client.get(f"/members/{organisation.slug}")
    assert profile.status_code == 410
    assert "Evidence did not support the hours declared." in profile.get_data(as_text=True)
    event = db.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "company_delisted")).scalar_one()
    assert (event.actor_id, event.object_id) == (admin.id, str(organisation.id))
    assert names(client.get("/members")) == []


def test_delisting_needs_a_reason(client, db, login_as, today):
    organisation = pledged(db, "Reasonless Ltd")
    login_as(client, create_staff(db, StaffRole.ADMIN))
    response = client.submit(f"/staff/companies/{organisation.id}/delist", {"reason": "  "})
    assert response.status_code == 200
    html = soup(response)
    assert html.title.get_text().startswith("Error: ")
    assert html.select_one(".error-summary a").get_text() == (
        "Enter the reason for delisting the company")
    assert html.select_one("#reason-error")
    db.expire_all()
    assert db.get(Organisation, organisation.id).delisted_at is None


def test_relisting_undoes_a_delisting_and_is_audited(client, db, login_as, today):
    organisation = pledged(db, "Second Chance Ltd")
    login_as(client, create_staff(db, StaffRole.ADMIN))
    url = f"/staff/companies/{organisation.id}/delist"
    client.submit(url, {"reason": "Mistake"})
    response = client.submit(f"/staff/companies/{organisation.id}/relist", form_url=url)
    assert response.status_code == 302
    assert client.get(f"/members/{organisation.slug}").status_code == 200
    actions = db.execute(sa.select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
    assert actions[-2:] == ["company_delisted", "company_relisted"]


@pytest.mark.parametrize("who", ["reviewer", "member", "anonymous"])
def test_only_staff_admins_may_delist(client, db, login_as, today, who):
    organisation = pledged(db, "Protected Ltd")
    if who == "reviewer":
        login_as(client, create_staff(db, StaffRole.REVIEWER))
    elif who == "member":
        _, member = create_company_with_admin(db, "Other Co")
        login_as(client, member)
    url = f"/staff/companies/{organisation.id}/delist"
    assert client.get(url).status_code == (302 if who == "anonymous" else 403)
    assert client.post(url, data={"reason": "x"}).status_code in (302, 400, 403)
    db.expire_all()
    assert db.get(Organisation, organisation.id).delisted_at is None


def test_delisting_an_unknown_company_is_not_found(client, db, login_as):
    login_as(client, create_staff(db, StaffRole.ADMIN))
    assert client.get("/staff/companies/999999/delist").status_code == 404


def _profile_form(organisation, **changes):
    values = {"company_name": organisation.name, "sector": organisation.sector,
              "region": organisation.region, "headcount_band": organisation.headcount_band,
              "website": organisation.website or "", "is_listed": "y"}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


@pytest.mark.parametrize(("day", "allowed"), [(date(2026, 7, 31), True),
                                              (date(2026, 8, 1), False)])
def test_members_cannot_leave_the_directory_while_behind(client, db, login_as, frozen_clock,
                                                         day, allowed):
    frozen_clock(day)
    create_cycle(db, 2026)
    organisation, admin = create_company_with_admin(db, "Leaver Ltd")
    create_pledge(db, organisation, admin, signed_at=SIGNED)
    login_as(client, admin)
    response = client.submit("/company/profile", _profile_form(organisation, is_listed=None))
    db.expire_all()
    if allowed:
        assert response.status_code == 302
        assert db.get(Organisation, organisation.id).is_listed is False
    else:
        assert response.status_code == 200
        html = soup(response)
        assert "cannot leave the directory while its report is overdue" in html.select_one(
            ".error-summary").get_text()
        assert html.select_one("#is_listed-error")
        assert db.get(Organisation, organisation.id).is_listed is True


def test_staff_company_page_links_admins_to_delisting(client, db, login_as):
    organisation = pledged(db, "Linked Ltd")
    login_as(client, create_staff(db, StaffRole.ADMIN))
    page = client.get(f"/staff/companies/{organisation.id}")
    if page.status_code == 404:
        pytest.skip("the staff company page is not there")
    link = soup(page).find("a", href=f"/staff/companies/{organisation.id}/delist")
    assert link.get_text(" ", strip=True) == "Delist Linked Ltd"


def test_delisting_page_lists_candidates_and_delisted_companies(client, db, login_as,
                                                                frozen_clock):
    from datetime import UTC, datetime

    frozen_clock(date(2027, 2, 1))  # after the grace periods of 2025 and 2026
    create_cycle(db, 2025)
    create_cycle(db, 2026)
    pledged(db, "Silent Twice Ltd")
    gone = pledged(db, "Already Gone Ltd")
    gone.delisted_at = datetime(2027, 1, 20, tzinfo=UTC)
    gone.delisted_reason = "Two cycles without a report."
    db.commit()
    login_as(client, create_staff(db, StaffRole.REVIEWER))
    html = soup(client.get("/staff/delisting"))
    tables = html.select("table")
    assert [td.get_text(strip=True) for td in tables[0].select("tbody td:first-child")] == [
        "Silent Twice Ltd"]
    assert "Two cycles without a report." in tables[1].get_text()
    assert not html.find("a", string="Delist")  # reviewers look; staff admins decide
    login_as(client, create_staff(db, StaffRole.ADMIN))
    html = soup(client.get("/staff/delisting"))
    assert html.select_one("table a[href$='/delist']").get_text(" ", strip=True).startswith(
        "Delist")


def test_delisting_page_empty_states(client, db, login_as, today):
    login_as(client, create_staff(db, StaffRole.ADMIN))
    text = soup(client.get("/staff/delisting")).get_text(" ", strip=True)
    assert "No company has been non-reporting for two cycles in a row." in text
    assert "No company is delisted." in text


def test_directory_pages_have_one_h1_unique_ids_and_csrf_on_post_forms(client, db, login_as,
                                                                      today):
    from collections import Counter

    create_cycle(db, 2026)
    listed = pledged(db, "Structure Ltd")
    delisted = pledged(db, "Structure Gone Ltd")
    login_as(client, create_staff(db, StaffRole.ADMIN))
    client.submit(f"/staff/companies/{delisted.id}/delist", {"reason": "Test"})
    urls = ["/members", "/members?q=zzz", f"/members/{listed.slug}",
            f"/members/{delisted.slug}", "/open-data", "/staff/delisting",
            f"/staff/companies/{listed.id}/delist", f"/staff/companies/{delisted.id}/delist"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 410), url
        html = soup(response)
        assert len(html.find_all("h1")) == 1, url
        ids = Counter(tag["id"] for tag in html.find_all(id=True))
        assert [i for i, n in ids.items() if n > 1] == [], url
        for form in html.find_all("form"):
            if form.get("method", "get").lower() == "post":
                assert form.find("input", attrs={"name": "csrf_token"}), url
            else:
                assert not form.find("input", attrs={"name": "csrf_token"}), url
