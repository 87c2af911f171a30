"""Every attestation page: one <h1>, no duplicate ids, CSRF on every POST form."""

from __future__ import annotations

from collections import Counter

import pytest

from portal.auth.models import StaffRole
from tests.attestations.helpers import FORMS, pledged_company, soup
from tests.factories import create_cycle, create_staff

MEMBER_PAGES = ["/company/attestation", "/company/attestation/workforce",
                "/company/attestation/learning", "/company/attestation/dei",
                "/company/attestation/narrative", "/company/attestation/evidence",
                "/company/attestation/learning-record", "/company/attestation/check"]


def _check(response):
    assert response.status_code == 200
    page = soup(response)
    assert len(page.find_all("h1")) == 1
    ids = Counter(tag["id"] for tag in page.find_all(id=True))
    assert [i for i, n in ids.items() if n > 1] == []
    for form in page.find_all("form", method="post"):
        assert form.find("input", attrs={"name": "csrf_token"}) is not None
    assert page.find(style=True) is None and page.find("script") is None


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_member_pages_are_well_formed(client, db, login_as, frozen_clock, url):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    for key, data in FORMS.items():
        client.submit(f"/company/attestation/{key}", data)
    _check(client.get(url))


@pytest.mark.parametrize("url", ["/staff/cycles", "/staff/cycles/new", "/staff/cycles/1"])
def test_staff_pages_are_well_formed(client, db, login_as, url):
    create_cycle(db, 2026)
    login_as(client, create_staff(db, StaffRole.ADMIN))
    _check(client.get(url))


def test_error_page_keeps_one_h1_and_prefixes_title(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    response = client.submit("/company/attestation/dei", {"row_version": "0"})
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    assert len(page.find_all("h1")) == 1
    for link in page.select(".error-summary__list a"):
        assert page.find(id=link["href"][1:]) is not None, link["href"]


def test_company_overview_shows_the_attestation_panel(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    panel = soup(client.get("/company")).select_one(".attestation-panel")
    assert panel.h2.get_text(strip=True) == "Annual attestation 2026"
    assert "Deadline 31 July 2026 (91 days left)" in panel.get_text(" ", strip=True)
    assert panel.a["href"] == "/company/attestation"
