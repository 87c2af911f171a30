"""Keyboard only: registration and sign-in with Tab, Shift+Tab, Enter and Space."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import steps

pytestmark = pytest.mark.postgres_only


def test_register_and_sign_in_with_the_keyboard_alone(page, audit, mailbox):
    company = steps.new_company()
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    steps.assert_focus_visible(page)

    steps.tab_to(page, page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Register your company"))
    page.keyboard.press("Enter")
    steps.heading(page, "Register your company")

    # A failed submit moves focus to the error summary; its links lead to the fields.
    steps.tab_to(page, page.get_by_role("button", name="Register"))
    page.keyboard.press("Space")
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Enter your company's name")).to_be_focused()
    steps.assert_focus_visible(page)
    page.keyboard.press("Enter")
    company_name = page.get_by_label("Company name")
    expect(company_name).to_be_focused()
    page.keyboard.type(company.name)

    choices = (("Sector", "Information", "J"), ("Region", "London", "TLI"),
               ("Number of employees", "5", "50-249"))
    for label, typed, value in choices:
        select = page.get_by_label(label)
        steps.tab_to(page, select)
        page.keyboard.type(typed)
        expect(select).to_have_value(value)
    steps.type_into(page, page.get_by_label("Your full name"), company.person)
    email = page.get_by_label("Work email address")
    steps.type_into(page, email, company.email)
    steps.type_into(page, page.get_by_label("Create a password"), company.password)
    steps.tab_to(page, email, backwards=True)
    expect(email).to_have_value(company.email)
    steps.tab_to(page, page.get_by_role("button", name="Register"))
    page.keyboard.press("Enter")
    steps.heading(page, "Check your email")

    page.goto(mailbox.link(company.email, kind="verify_email", containing="/verify-email/"))
    steps.heading(page, "Sign in")
    # A wrong password first: the summary takes focus again.
    steps.type_into(page, page.get_by_label("Email address"), company.email)
    steps.type_into(page, page.get_by_label("Password"), "not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit(page, "sign in (errors)")
    steps.type_into(page, page.get_by_label("Password"), company.password)
    page.keyboard.press("Enter")
    steps.heading(page, company.name)
