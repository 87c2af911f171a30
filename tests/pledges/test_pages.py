"""Every pledge page: guarded, one <h1>, unique ids, CSRF on POST forms, nothing inline."""

import pytest
from bs4 import BeautifulSoup

from portal.auth.models import StaffRole
from tests.factories import create_company_with_admin, create_staff
from tests.pledges.helpers import publish_code_version, sign_pledge_as


def test_every_pledge_route_has_one_access_guard(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("pledges."):
            view = app.view_functions[rule.endpoint]
            assert getattr(view, "access_guard", None), rule.rule


def check_page(response, url):
    assert response.status_code == 200, url
    page = BeautifulSoup(response.data, "html.parser")
    assert len(page.find_all("h1")) == 1, url
    assert page.title.get_text().endswith(" – Pledge Portal"), url
    ids = [tag["id"] for tag in page.find_all(id=True)]
    assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
    assert not page.find_all(style=True) and not page.find_all("style"), url
    assert not page.find_all("script"), url
    for form in page.find_all("form", method="post"):
        assert form.find("input", attrs={"name": "csrf_token"}), url
    for label in page.find_all("label", attrs={"for": True}):
        assert page.find(id=label["for"]), (url, label["for"])


@pytest.fixture
def signed(db):
    organisation, admin = create_company_with_admin(db, "Atlas Audience Lab")
    pledge = sign_pledge_as(db, organisation, admin)
    return organisation, admin, pledge


def test_member_pages_are_well_formed(client, db, login_as, signed):
    _, admin, pledge = signed
    login_as(client, admin)
    urls = ["/company", "/company/pledge", f"/company/pledge/{pledge.id}",
            f"/company/pledge/{pledge.id}/signed", "/company/pledge/withdraw"]
    for url in urls:
        check_page(client.get(url), url)
    publish_code_version(db)
    for url in ("/company/pledge/sign", "/company/pledge"):
        check_page(client.get(url), url)


def test_staff_pages_are_well_formed(client, db, login_as, signed):
    _, _, pledge = signed
    login_as(client, create_staff(db, StaffRole.ADMIN))
    client.submit("/staff/code-versions/new", {
        "title": "Draft", "summary_of_changes": "Tidied.", "heading_1": "One", "body_1": "Text"})
    urls = ["/staff/code-versions", "/staff/code-versions/new", "/staff/code-versions/1",
            "/staff/code-versions/2", "/staff/code-versions/2/edit",
            "/staff/code-versions/2/publish", "/staff/code-versions/2/delete",
            "/staff/pledges", "/staff/pledges?state=active&q=atlas", f"/staff/pledges/{pledge.id}"]
    for url in urls:
        check_page(client.get(url), url)


def test_pledge_history_is_paginated(client, db, login_as, signed):
    from portal.pledges import service

    organisation, admin, _ = signed
    for _ in range(26):  # withdraw and sign again: 27 pledges in the history
        service.withdraw_pledge(db, organisation, admin, "Testing pages")
        db.commit()
        sign_pledge_as(db, organisation, admin)
    login_as(client, admin)
    first = BeautifulSoup(client.get("/company/pledge").data, "html.parser")
    assert len(first.select("table tbody tr")) == 25
    assert "Showing 1 to 25 of 27" in first.select_one(".pagination").get_text(" ", strip=True)
    second = BeautifulSoup(client.get("/company/pledge?page=2").data, "html.parser")
    assert len(second.select("table tbody tr")) == 2
