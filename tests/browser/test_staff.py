"""Staff sign in with a password and a TOTP code, then every page of the staff area."""

from __future__ import annotations

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
        link = page.get_by_role("navigation", name="Staff").get_by_role(
            "link", name=label, exact=True)
        link.click()
        expect(link).to_have_attribute("aria-current", "page")
        audit(page, f"staff: {label.lower()}")
