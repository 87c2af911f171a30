"""Journey 1: a new company registers, confirms its email, signs the pledge, is listed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import steps

pytestmark = pytest.mark.postgres_only


def test_register_verify_sign_pledge_and_be_listed(page, audit, mailbox):
    company = steps.new_company()
    steps.register(page, audit, company)
    steps.verify_email(page, audit, mailbox, company)
    steps.sign_in(page, audit, company.email)
    steps.heading(page, company.name)
    expect(page.get_by_text("Confirm your email address to sign the pledge")).to_have_count(0)
    audit(page, "company overview")
    steps.sign_pledge(page, audit, company)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your company").click()
    steps.heading(page, company.name)
    audit(page, "company overview (pledged)")
    entry = steps.find_in_directory(page, audit, company)
    expect(entry.get_by_role("cell").nth(1)).to_have_text("Pledged")
    entry.get_by_role("link", name=company.name).click()
    steps.heading(page, company.name)
    expect(page.get_by_role("main")).to_contain_text("Pledged")
    audit(page, "member profile")


def test_journey_without_javascript(page_without_js, mailbox):
    """The site needs no JavaScript: journey 1 works with it switched off."""
    page = page_without_js
    page.set_content("<p>off</p><script>document.querySelector('p').textContent = 'on'</script>")
    expect(page.locator("p")).to_have_text("off")  # scripts really do not run
    company = steps.new_company()
    page.goto("/register")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    steps.fill_registration(page, company)
    page.get_by_role("button", name="Register").click()
    steps.heading(page, "Check your email")
    page.goto(mailbox.link(company.email, kind="verify_email", containing="/verify-email/"))
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed")
    steps.sign_in(page, _no_audit, company.email)
    steps.heading(page, company.name)
    steps.sign_pledge(page, _no_audit, company)
    entry = steps.find_in_directory(page, _no_audit, company)
    expect(entry.get_by_role("cell").nth(1)).to_have_text("Pledged")
    steps.sign_out(page)


def _no_audit(page, name):
    """axe and the reflow check need scripts in the page; the JavaScript run skips them."""
