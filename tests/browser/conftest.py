"""Browser tests: the real app under gunicorn, driven by Playwright in Debian's Chromium.

One PostgreSQL database and one gunicorn server for the whole run; a fresh browser context
per test. Every distinct page a test visits goes through `audit(page, name)`: axe-core (WCAG
2.0/2.1/2.2 A and AA), 320 px reflow, one <h1>, `lang`, the title pattern, and its HTML is kept
for one Nu Html Checker run at the end (test_zz_html_validity.py).

These tests run in one process (`make e2e`, called by `make test`): the HTML check needs the
pages every journey saw, and one server and one browser are cheaper than one per xdist worker.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from portal.cli import upgrade_database
from portal.config import PROJECT_ROOT
from tests.browser.page_checks import DESKTOP, Auditor
from tests.conftest import _pg_status, postgres_available, postgres_database

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "html_validation: runs after every other browser test (needs their pages)")


def pytest_collection_modifyitems(session, config, items):
    """The Nu Html Checker test goes last: it validates the pages the journeys saved."""
    last = [item for item in items if item.get_closest_marker("html_validation")]
    for item in last:
        items.remove(item)
        items.append(item)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


# --- the server -------------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    database_url: str
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(process: subprocess.Popen, url: str, server: LiveServer) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)  # polling a starting server, not synchronising with a page
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def live_server():
    if not postgres_available():
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required but unreachable: {_pg_status.get('error')}")
        pytest.skip("Browser tests run against PostgreSQL only, and it is unreachable")
    ARTIFACTS.mkdir(exist_ok=True)
    with postgres_database() as database_url:
        upgrade_database(database_url)
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PORTAL_ENV": "testing", "DATABASE_URL": database_url,
               "SECRET_KEY": "browser-test-secret", "MAIL_URL": "file",
               "PORTAL_BASE_URL": base_url, "RATELIMIT_STORAGE_URI": "memory://"}
        env.pop("PORTAL_FROZEN_NOW", None)
        server = LiveServer(base_url, database_url, ARTIFACTS / "gunicorn.log")
        with server.log_path.open("w") as log:
            # The real app; only the login rate limit is off, as every test signs in from
            # the same loopback address (the limits have their own tests).
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                 f"127.0.0.1:{port}", "--access-logfile", "-",
                 "portal:create_app({'RATELIMIT_ENABLED': False})"],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            try:
                _wait_until_up(process, base_url, server)
                yield server
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


# --- reading the database the server writes ---------------------------------------------------

class Mailbox:
    """Links from the outbox (`outbox_mail.text_body`): what the member would click."""

    def __init__(self, database_url: str):
        self.database_url = database_url

    def latest(self, to_addr: str, kind: str | None = None) -> str:
        query = "SELECT text_body FROM outbox_mail WHERE lower(to_addr) = lower(%s)"
        params: list = [to_addr]
        if kind:
            query += " AND kind = %s"
            params.append(kind)
        with psycopg.connect(self.database_url) as conn:
            row = conn.execute(query + " ORDER BY id DESC LIMIT 1", params).fetchone()
        assert row, f"no mail{' of kind ' + kind if kind else ''} to {to_addr} in the outbox"
        return row[0]

    def link(self, to_addr: str, kind: str | None = None, containing: str = "") -> str:
        body = self.latest(to_addr, kind)
        links = [url for url in re.findall(r"https?://\S+", body) if containing in url]
        assert links, f"no link containing {containing!r} in the mail to {to_addr}:\n{body}"
        return links[0]


@pytest.fixture(scope="session")
def mailbox(live_server):
    return Mailbox(live_server.database_url)


@pytest.fixture(scope="session")
def portal_app(live_server):
    """The app object on the server's database, for arranging data with tests/factories.py."""
    from portal import create_app

    app = create_app({"PORTAL_ENV": "testing", "DATABASE_URL": live_server.database_url,
                      "SECRET_KEY": "browser-test-secret", "MAIL_URL": "file",
                      "PORTAL_BASE_URL": live_server.url})
    yield app
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def staff_account(portal_app):
    """Create (once) a staff account with its development-only TOTP secret; returns the email.

    The secrets are the ones `portal.auth.two_factor.DEMO_TOTP_SECRETS` documents for demos and
    browser tests; the codes are computed with pyotp as the phone app would.
    """
    from portal.auth.models import StaffRole
    from portal.auth.service import create_user, find_user_by_email
    from portal.auth.two_factor import DEMO_TOTP_SECRETS
    from portal.db import get_session
    from tests.browser.steps import PASSWORD

    def make(email: str, role: str = "reviewer") -> str:
        with portal_app.app_context():
            db = get_session()
            if find_user_by_email(db, email) is None:
                user = create_user(db, email=email, name=email.split("@")[0].replace(".", " ")
                                   .title(), password=PASSWORD, staff_role=StaffRole(role),
                                   verified=True)
                user.totp_secret = DEMO_TOTP_SECRETS[email]
                db.commit()
        return email

    return make


@pytest.fixture(scope="session")
def open_cycle(portal_app):
    """This year's cycle, open now, about last calendar year.

    Due in 30 days, so a company signing today is inside the default 60-day new-signer
    window and still shows "Pledged" in journey 1, whichever test runs first.
    """
    import sqlalchemy as sa

    from portal import clock
    from portal.attestations.models import ReportingCycle
    from portal.db import get_session
    from tests.factories import create_cycle

    today = clock.today()
    with portal_app.app_context():
        db = get_session()
        cycle = db.execute(sa.select(ReportingCycle).where(
            ReportingCycle.year == today.year)).scalar_one_or_none()
        if cycle is None:
            create_cycle(db, today.year, opens_on=date(today.year, 1, 1),
                         due_on=today + timedelta(days=30),
                         grace_until=today + timedelta(days=120))
    return today.year


@pytest.fixture
def pledged_company(portal_app):
    """A company with a confirmed admin and a signed pledge, arranged in the database."""
    from portal.db import get_session
    from tests.browser import steps
    from tests.factories import PASSWORD, create_company, create_member, create_pledge

    company = steps.new_company()
    with portal_app.app_context():
        db = get_session()
        organisation = create_company(db, company.name, headcount_band="1-9")
        admin = create_member(db, organisation, email=company.email, name=company.person)
        create_pledge(db, organisation, admin)
    company.password = PASSWORD
    return company


# --- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _save_failure(request, pages) -> None:
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
    (ARTIFACTS / f"{name}.txt").write_text(str(report.longrepr))
    for n, page in enumerate(pages):
        stem = ARTIFACTS / (name if n == 0 else f"{name}-{n + 1}")
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content())
        except Exception as error:  # noqa: BLE001 - never hide the test's own failure
            print(f"could not save failure artifacts: {error}")


@pytest.fixture
def open_page(request, browser, live_server):
    """A new page in its own browser context (its own cookies): one per person in a journey."""
    contexts, pages, server_errors = [], [], []

    def open_(**context_options):
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP,
                                      locale="en-GB", **context_options)
        # Upper bounds, not waits: generous because CI shares two cores with PDF rendering.
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.documents = []  # each main-frame document as the server sent it, for vnu

        def remember(response):
            if response.status >= 500:
                server_errors.append(f"{response.status} {response.request.method} "
                                     f"{response.url}")
            if response.frame == page.main_frame and response.request.is_navigation_request() \
                    and response.status not in (301, 302, 303, 307, 308):
                page.documents.append(response)

        page.on("response", remember)
        contexts.append(context)
        pages.append(page)
        return page

    yield open_
    _save_failure(request, pages)
    for context in contexts:
        context.close()
    # A journey that reached its end past a server error still failed someone.
    assert not server_errors, f"the server answered with errors: {server_errors}\n" \
        f"(see {ARTIFACTS / 'gunicorn.log'})"


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def page_without_js(open_page):
    return open_page(java_script_enabled=False)


# --- auditing each page -----------------------------------------------------------------------

@pytest.fixture(scope="session")
def _auditor():
    return Auditor()


@pytest.fixture
def audit(_auditor):
    return _auditor


def pytest_terminal_summary(terminalreporter, config):
    auditor = getattr(config, "_browser_auditor", None)
    if not auditor or not auditor.pages:
        return
    terminalreporter.write_line(
        f"browser: {len(auditor.pages)} distinct pages checked; axe ran "
        f"{len(auditor.rules_run)} WCAG A/AA rules ({len(auditor.rules_applicable)} applied "
        f"to at least one page); the Nu Html Checker passed {auditor.html_validated} of them")


@pytest.fixture(scope="session", autouse=True)
def _report_auditor(request, _auditor):
    request.config._browser_auditor = _auditor
    yield
    if _auditor.pages:
        ARTIFACTS.mkdir(exist_ok=True)
        lines = [f"{name}\t{url}" for name, url in _auditor.pages.items()]
        lines.append(f"axe rules run: {len(_auditor.rules_run)}; "
                     f"applied: {len(_auditor.rules_applicable)}")
        (ARTIFACTS / "pages-checked.txt").write_text("\n".join(lines) + "\n")

