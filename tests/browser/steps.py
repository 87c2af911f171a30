"""What a person does on the portal, step by step: found by label and visible text, never CSS."""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.browser.page_checks import FOCUS_YELLOW

PASSWORD = "ample lantern orchard"
_numbers = itertools.count(1)


@dataclass
class NewCompany:
    name: str
    person: str
    email: str
    password: str = PASSWORD


def new_company() -> NewCompany:
    tag = uuid.uuid4().hex[:8]
    n = next(_numbers)
    return NewCompany(name=f"Brightwater Analytics {n} {tag}", person=f"Ada Okafor {n}",
                      email=f"ada.{tag}@brightwater.example")


def heading(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def fill_registration(page, company: NewCompany) -> None:
    page.get_by_label("Company name").fill(company.name)
    page.get_by_label("Sector").select_option(label="Information and communication")
    page.get_by_label("Region").select_option(label="London")
    page.get_by_label("Number of employees").select_option(label="50–249")
    page.get_by_label("Website (optional)").fill("https://www.brightwater.example")
    page.get_by_label("Your full name").fill(company.person)
    page.get_by_label("Work email address").fill(company.email)
    page.get_by_label("Create a password").fill(company.password)


def register(page, audit, company: NewCompany, *, check_errors: bool = True) -> None:
    """From the home page to "Check your email", via the empty-form error state."""
    page.goto("/")
    audit(page, "home")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Register your company").click()
    heading(page, "Register your company")
    audit(page, "register")
    if check_errors:
        page.get_by_role("button", name="Register").click()
        summary = page.get_by_role("alert").filter(has_text="There is a problem")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("link", name="Enter your company's name")).to_be_visible()
        expect(page).to_have_title("Error: Register your company – Pledge Portal")
        audit(page, "register (errors)")
    fill_registration(page, company)
    page.get_by_role("button", name="Register").click()
    heading(page, "Check your email")
    expect(page.get_by_text(company.email)).to_be_visible()
    audit(page, "check your email")


def verify_email(page, audit, mailbox, company: NewCompany) -> None:
    page.goto(mailbox.link(company.email, kind="verify_email", containing="/verify-email/"))
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed")
    heading(page, "Sign in")
    audit(page, "sign in")


def sign_in(page, audit, email: str, password: str = PASSWORD) -> None:
    if page.get_by_role("heading", level=1, name="Sign in").count() == 0:
        page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    heading(page, "Sign in")


# --- keyboard only ----------------------------------------------------------------------------

_FOCUS_STYLE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    return {tag: el.tagName, text: (el.innerText || el.name || el.id || '').slice(0, 60),
            focusVisible: el.matches(':focus-visible'),
            styles: [s.outlineStyle === 'none' ? '' : s.outlineColor, s.backgroundColor,
                     s.borderTopColor, s.boxShadow].join(' | ')};
}"""


def assert_focus_visible(page) -> dict:
    """Whatever has focus shows the yellow focus state (WCAG 2.4.7)."""
    page.wait_for_load_state()
    focused = page.evaluate(_FOCUS_STYLE)
    assert focused, "focus was lost to the page body"
    assert focused["focusVisible"] and FOCUS_YELLOW in focused["styles"], \
        f"no visible focus on {focused}"
    return focused


def tab_to(page, target, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until `target` has focus, checking focus is visible each time."""
    key = "Shift+Tab" if backwards else "Tab"
    page.wait_for_load_state()  # the stylesheet, and so the focus style, has arrived
    for _ in range(limit):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{key} never reached {target}")


def type_into(page, target, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


# --- pledge and directory ---------------------------------------------------------------------

def sign_pledge(page, audit, company: NewCompany) -> None:
    """From the company overview: read the pledge and sign it."""
    page.get_by_role("link", name="Read and sign the pledge").click()
    heading(page, "Sign the People Pillar pledge")
    audit(page, "sign the pledge")
    button = page.get_by_role("button", name=f"Sign the pledge for {company.name}")
    button.click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit(page, "sign the pledge (errors)")
    page.get_by_label("Your full name", exact=True).fill(company.person)
    page.get_by_label("Your job title").fill("Managing Director")
    page.get_by_label(re.compile("^I am authorised to commit")).check()
    page.get_by_label("Type your full name to sign").fill(company.person)
    button.click()
    heading(page, "Pledge signed")
    audit(page, "pledge signed")


def find_in_directory(page, audit, company: NewCompany):
    """The public directory, searched by name; returns the company's row."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Member directory").click()
    heading(page, "Member directory")
    audit(page, "member directory")
    search = page.get_by_role("search")
    search.get_by_label("Search by company name").fill(company.name)
    search.get_by_role("button", name="Search").click()
    entry = page.get_by_role("row").filter(has_text=company.name)
    expect(entry).to_have_count(1)
    audit(page, "member directory (search results)")
    return entry


# --- staff ------------------------------------------------------------------------------------

_last_step: dict[str, int] = {}


def security_code(email: str) -> str:
    """The code the phone app shows now; never one this test already used (codes work once)."""
    import pyotp

    from portal.auth.two_factor import DEMO_TOTP_SECRETS

    totp = pyotp.TOTP(DEMO_TOTP_SECRETS[email])
    step = max(totp.timecode(datetime.now(UTC)), _last_step.get(email, -1) + 1)
    _last_step[email] = step  # the portal accepts one step of drift, so step+1 is fine
    return totp.generate_otp(step)


def staff_sign_in(page, audit, email: str, *, check_errors: bool = False) -> None:
    page.goto("/sign-in")
    sign_in(page, audit, email)
    heading(page, "Enter your security code")
    audit(page, "security code")
    if check_errors:
        page.get_by_label("Code from your authenticator app").fill("000000")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
        audit(page, "security code (errors)")
    page.get_by_label("Code from your authenticator app").fill(security_code(email))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("navigation", name="Staff")).to_be_visible()
