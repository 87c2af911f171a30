"""The pages anyone can reach without an account, including error states and a 404."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import steps

pytestmark = pytest.mark.postgres_only


def test_public_pages(page, audit):
    page.goto("/")
    audit(page, "home")
    footer = page.get_by_role("contentinfo")
    for link, title in (("Accessibility statement", "Accessibility statement for Pledge Portal"),
                        ("Privacy notice", "Privacy notice"), ("Contact", "Contact us")):
        footer.get_by_role("link", name=link).click()
        steps.heading(page, title)
        audit(page, link.lower())

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    steps.heading(page, "Sign in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit(page, "sign in (errors)")
    page.get_by_role("link", name="Forgotten your password?").click()
    steps.heading(page, "Reset your password")
    audit(page, "reset your password")
    page.get_by_role("button", name="Send the link").click()
    expect(page).to_have_title("Error: Reset your password – Pledge Portal")
    audit(page, "reset your password (errors)")
    page.get_by_label("Email address").fill("nobody@example.com")
    page.get_by_role("button", name="Send the link").click()
    steps.heading(page, "Check your email")
    audit(page, "reset link sent")

    response = page.goto("/no-such-page")
    assert response.status == 404
    audit(page, "page not found")
