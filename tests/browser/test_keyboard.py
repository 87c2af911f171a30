"""Keyboard only: register, sign in and sign the pledge with Tab, Shift+Tab, Enter, Space."""

from __future__ import annotations

import re

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

    # Signing the pledge: links with Enter, the checkbox with Space, the button with Enter.
    steps.tab_to(page, page.get_by_role("link", name="Read and sign the pledge"))
    page.keyboard.press("Enter")
    steps.heading(page, "Sign the People Pillar pledge")
    steps.type_into(page, page.get_by_label("Your job title"), "Founder")
    authorised = page.get_by_label(re.compile("^I am authorised to commit"))
    steps.tab_to(page, authorised)
    page.keyboard.press("Space")
    expect(authorised).to_be_checked()
    steps.type_into(page, page.get_by_label("Type your full name to sign"), company.person)
    steps.tab_to(page, page.get_by_role("button", name=re.compile("^Sign the pledge for")))
    page.keyboard.press("Enter")
    steps.heading(page, "Pledge signed")


def test_staff_sign_in_with_two_factor_by_keyboard(page, audit, staff_account):
    email = staff_account("rita.reviewer@association.example", "reviewer")
    page.goto("/sign-in")
    steps.type_into(page, page.get_by_label("Email address"), email)
    steps.type_into(page, page.get_by_label("Password"), steps.PASSWORD)
    page.keyboard.press("Enter")
    steps.heading(page, "Enter your security code")
    steps.type_into(page, page.get_by_label("Code from your authenticator app"),
                    steps.security_code(email))
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Staff")).to_be_visible()
    steps.tab_to(page, page.get_by_role("button", name="Sign out"))
    page.keyboard.press("Enter")
    steps.heading(page, "Sign in")
