"""Staff sign in with a password and a TOTP code, then every page of the staff area."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import steps

pytestmark = pytest.mark.postgres_only

STAFF_ADMIN = "ada.admin@association.example"


def test_staff_admin_signs_in_with_two_factor_and_sees_the_staff_area(
        page, audit, staff_account):
    staff_account(STAFF_ADMIN, "admin")
    steps.staff_sign_in(page, audit, STAFF_ADMIN, check_errors=True)
    staff_nav = page.get_by_role("navigation", name="Staff")
    labels = [link.inner_text().strip() for link in staff_nav.get_by_role("link").all()]
    assert "Dashboard" in labels
    for label in labels:
        if staff_nav.count() == 0:  # a page without the staff navigation: go back to it
            page.get_by_role("navigation", name="Main").get_by_role(
                "link", name="Staff area").click()
        link = staff_nav.get_by_role("link", name=label, exact=True)
        href = link.get_attribute("href")
        link.click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        page.wait_for_load_state()
        audit(page, f"staff: {label.lower()}")
