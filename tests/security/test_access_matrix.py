"""Every route, asked by every kind of person: the answer must be the one in MATRIX.

The routes come from app.url_map, so a new route fails this test until it has a row. Each row
lists what each role sees, in the order of ROLES:

    anonymous · unverified member of A · contributor of A · admin of A · admin of B (asking
    for A's objects) · reviewer · staff admin

    "200", "400", "403", "404", "405", "410": that status
    "login":  redirected to sign in          "verify": redirected to confirm their email
    "302":    redirected elsewhere (e.g. a signed-in user sent home from the sign-in page)
    "ok":     a POST-only action this role may take: not sent here (its domain tests do)

GET routes are requested with GET. POST-only routes are sent, with a valid CSRF token, for
every role that must be refused, so only the permission check stands in the way; nothing may
change in the database. Set ACCESS_MATRIX_PRINT=1 to print the observed table.
"""

from __future__ import annotations

import os
import re
from operator import attrgetter

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.db import get_session
from tests.conftest import PortalClient
from tests.security.access_world import ROLES, build_world, outcome, url_for_rule

# fmt: off
# anonymous, unverified, contributor, admin_a, admin_b, reviewer, staff_admin
MATRIX: dict[str, tuple[str, ...]] = {
    # Members: their own company's attestation (A's is submitted, so its editing pages
    # redirect to the task list; B's is a fresh draft).
    "attestations.check_answers": ("login", "200", "200", "200", "302", "403", "403"),
    "attestations.confirmation": ("login", "200", "200", "200", "404", "403", "403"),
    "attestations.copy_last_year": ("login", "ok", "ok", "ok", "ok", "403", "403"),
    "attestations.evidence": ("login", "302", "302", "302", "200", "403", "403"),
    "attestations.evidence_done": ("login", "ok", "ok", "ok", "ok", "403", "403"),
    "attestations.evidence_download": ("login", "200", "200", "200", "404", "200", "200"),
    "attestations.index": ("login", "200", "200", "200", "200", "403", "403"),
    "attestations.learning_record": ("login", "302", "302", "302", "200", "403", "403"),
    "attestations.learning_record_template": ("login", "200", "200", "200", "200", "403", "403"),
    "attestations.preview_pdf": ("login", "200", "200", "200", "404", "403", "403"),
    "attestations.remove_evidence_file": ("login", "ok", "ok", "ok", "404", "403", "403"),
    "attestations.section": ("login", "302", "302", "302", "200", "403", "403"),
    "attestations.submit": ("login", "ok", "403", "ok", "ok", "403", "403"),
    "attestations.version_pdf": ("login", "200", "200", "200", "404", "200", "200"),
    # Staff admin: reporting cycles.
    "attestations.cycles": ("login", "403", "403", "403", "403", "403", "200"),
    "attestations.edit_cycle": ("login", "403", "403", "403", "403", "403", "200"),
    "attestations.new_cycle": ("login", "403", "403", "403", "403", "403", "200"),
    "audit.log": ("login", "403", "403", "403", "403", "200", "200"),
    "audit.verify": ("login", "403", "403", "403", "403", "ok", "ok"),
    # Accounts. Links with a bad token answer 400 for everyone.
    "auth.accept_invitation": ("400", "400", "400", "400", "400", "400", "400"),
    "auth.account": ("login", "200", "200", "200", "200", "200", "200"),
    "auth.change_email": ("login", "200", "200", "200", "200", "200", "200"),
    "auth.change_password": ("login", "200", "200", "200", "200", "200", "200"),
    "auth.check_email": ("200", "200", "200", "200", "200", "200", "200"),
    "auth.confirm_email_change": ("400", "400", "400", "400", "400", "400", "400"),
    "auth.forgot_password": ("200", "200", "200", "200", "200", "200", "200"),
    "auth.login": ("200", "302", "302", "302", "302", "302", "302"),
    "auth.logout": ("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
    "auth.logout_everywhere": ("login", "ok", "ok", "ok", "ok", "ok", "ok"),
    "auth.register": ("200", "200", "200", "200", "200", "200", "200"),
    "auth.replace_recovery_codes": ("login", "403", "403", "403", "403", "ok", "ok"),
    "auth.reset_password": ("400", "400", "400", "400", "400", "400", "400"),
    "auth.reset_two_factor": ("login", "403", "403", "403", "403", "403", "200"),
    # The second step exists only between a staff password and its code.
    "auth.two_factor": ("login", "login", "login", "login", "login", "login", "login"),
    "auth.two_factor_enrol": ("login", "login", "login", "login", "login", "login", "login"),
    "auth.two_factor_recovery": ("login", "login", "login", "login", "login", "login", "login"),
    "auth.two_factor_settings": ("login", "403", "403", "403", "403", "200", "200"),
    "auth.unverified": ("login", "200", "302", "302", "302", "302", "302"),
    "auth.verify_email": ("400", "400", "400", "400", "400", "400", "400"),
    # Staff calendar and the mail outbox.
    "calendar.index": ("login", "403", "403", "403", "403", "200", "200"),
    "calendar.outbox": ("login", "403", "403", "403", "403", "403", "200"),
    "calendar.retry": ("login", "403", "403", "403", "403", "403", "ok"),
    # The public impact dashboard and its CSV tables; staff analytics and the annual report.
    "impact.analytics": ("login", "403", "403", "403", "403", "200", "200"),
    "impact.annual_report": ("login", "403", "403", "403", "403", "200", "200"),
    # A member compares their own company with the anonymous averages.
    "impact.compare": ("login", "200", "200", "200", "200", "403", "403"),
    "impact.index": ("200", "200", "200", "200", "200", "200", "200"),
    "impact.table_csv": ("200", "200", "200", "200", "200", "200", "200"),
    # Privacy: company admins download their data; anyone signed in may delete their account.
    "privacy.company_export": ("login", "verify", "403", "200", "200", "403", "403"),
    "privacy.delete_account": ("login", "200", "200", "200", "200", "200", "200"),
    # Reminder preferences (company admins) and one-click unsubscribe links.
    "reminders.preferences": ("login", "200", "403", "200", "200", "403", "403"),
    "reminders.unsubscribe": ("404", "404", "404", "404", "404", "404", "404"),
    # Certificates: public verification; downloads for the company and staff only.
    "certificates.achievement": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.badge": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.cancel_revocation": ("login", "403", "403", "403", "403", "403", "ok"),
    "certificates.check_file": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.company_certificates": ("login", "200", "200", "200", "200", "403", "403"),
    "certificates.confirm_revocation": ("login", "403", "403", "403", "403", "403", "ok"),
    "certificates.credential_json": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.credential_jwt": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.download": ("login", "200", "200", "200", "404", "200", "200"),
    "certificates.issuer": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.public_pdf": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.jwks": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.reissue": ("login", "403", "403", "403", "403", "403", "200"),
    "certificates.revoke": ("login", "403", "403", "403", "403", "403", "200"),
    "certificates.staff_detail": ("login", "403", "403", "403", "403", "200", "200"),
    "certificates.staff_list": ("login", "403", "403", "403", "403", "200", "200"),
    "certificates.status_list": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.verification": ("200", "200", "200", "200", "200", "200", "200"),
    "certificates.verify": ("200", "200", "200", "200", "200", "200", "200"),
    # The public directory and open data.
    "directory.api_member": ("200", "200", "200", "200", "200", "200", "200"),
    "directory.api_members": ("200", "200", "200", "200", "200", "200", "200"),
    "directory.delist": ("login", "403", "403", "403", "403", "403", "200"),
    "directory.delisting": ("login", "403", "403", "403", "403", "200", "200"),
    "directory.members": ("200", "200", "200", "200", "200", "200", "200"),
    "directory.members_csv": ("200", "200", "200", "200", "200", "200", "200"),
    "directory.open_data": ("200", "200", "200", "200", "200", "200", "200"),
    "directory.openapi": ("200", "200", "200", "200", "200", "200", "200"),
    "directory.profile": ("200", "200", "200", "200", "200", "200", "200"),
    "directory.relist": ("login", "403", "403", "403", "403", "403", "ok"),
    # A sampled company's evidence-request upload slot: its admins only (B sees its own list).
    "evidence_checks.index": ("login", "200", "403", "200", "200", "403", "403"),
    "evidence_checks.upload": ("login", "verify", "403", "200", "404", "403", "403"),
    # Company pages: people of A are 404 to B's admin; admin actions need a confirmed email.
    "organisations.change_role": ("login", "verify", "403", "200", "404", "403", "403"),
    "organisations.edit_profile": ("login", "200", "403", "200", "200", "403", "403"),
    "organisations.invite": ("login", "verify", "403", "200", "200", "403", "403"),
    "organisations.overview": ("login", "200", "200", "200", "200", "403", "403"),
    "organisations.people": ("login", "200", "200", "200", "200", "403", "403"),
    "organisations.remove_member": ("login", "verify", "403", "200", "404", "403", "403"),
    "organisations.resend_invitation": ("login", "verify", "403", "ok", "404", "403", "403"),
    "organisations.revoke_invitation": ("login", "verify", "403", "ok", "404", "403", "403"),
    "pages.accessibility": ("200", "200", "200", "200", "200", "200", "200"),
    "pages.contact": ("200", "200", "200", "200", "200", "200", "200"),
    "pages.health": ("200", "200", "200", "200", "200", "200", "200"),
    "pages.home": ("200", "200", "200", "200", "200", "200", "200"),
    "pages.privacy": ("200", "200", "200", "200", "200", "200", "200"),
    # Pledges. Version 1 is published, so it can no longer be edited, deleted or published.
    "pledges.code_version": ("login", "403", "403", "403", "403", "200", "200"),
    "pledges.code_versions": ("login", "403", "403", "403", "403", "200", "200"),
    "pledges.confirmation": ("login", "200", "200", "200", "404", "403", "403"),
    "pledges.delete_code_version": ("login", "403", "403", "403", "403", "403", "302"),
    "pledges.edit_code_version": ("login", "403", "403", "403", "403", "403", "302"),
    "pledges.new_code_version": ("login", "403", "403", "403", "403", "403", "200"),
    "pledges.pledge_detail": ("login", "200", "200", "200", "404", "403", "403"),
    "pledges.publish_code_version": ("login", "403", "403", "403", "403", "403", "302"),
    "pledges.record": ("login", "200", "200", "200", "200", "403", "403"),
    "pledges.sign": ("login", "302", "302", "302", "302", "403", "403"),
    "pledges.staff_pledge": ("login", "403", "403", "403", "403", "200", "200"),
    "pledges.staff_pledges": ("login", "403", "403", "403", "403", "200", "200"),
    "pledges.staff_statement_pdf": ("login", "403", "403", "403", "403", "200", "200"),
    "pledges.statement_pdf": ("login", "200", "200", "200", "404", "403", "403"),
    "pledges.withdraw": ("login", "verify", "403", "200", "200", "403", "403"),
    # Review: reviewers decide; sampling, exports and reopening are for staff admins.
    "review.add_note": ("login", "403", "403", "403", "403", "ok", "ok"),
    "review.approve": ("login", "403", "403", "403", "403", "200", "200"),
    "review.assign": ("login", "403", "403", "403", "403", "ok", "ok"),
    "review.attestation": ("login", "403", "403", "403", "403", "200", "200"),
    "review.export_csv": ("login", "403", "403", "403", "403", "403", "200"),
    "review.exports": ("login", "403", "403", "403", "403", "403", "200"),
    "review.new_sample": ("login", "403", "403", "403", "403", "403", "200"),
    "review.queue": ("login", "403", "403", "403", "403", "200", "200"),
    "review.reject": ("login", "403", "403", "403", "403", "200", "200"),
    "review.reopen": ("login", "403", "403", "403", "403", "403", "200"),
    "review.request_changes": ("login", "403", "403", "403", "403", "200", "200"),
    "review.sample": ("login", "403", "403", "403", "403", "403", "200"),
    "review.sample_outcome": ("login", "403", "403", "403", "403", "403", "200"),
    "review.sampling": ("login", "403", "403", "403", "403", "403", "200"),
    # Staff pages: companies for every reviewer; accounts and interventions for admins.
    "staff.accounts": ("login", "403", "403", "403", "403", "403", "200"),
    "staff.appoint_admin": ("login", "403", "403", "403", "403", "403", "200"),
    "staff.companies": ("login", "403", "403", "403", "403", "200", "200"),
    "staff.company": ("login", "403", "403", "403", "403", "200", "200"),
    "staff.dashboard": ("login", "403", "403", "403", "403", "200", "200"),
    "staff.disable_staff": ("login", "403", "403", "403", "403", "403", "200"),
    "staff.enable_staff": ("login", "403", "403", "403", "403", "403", "ok"),
    "staff.extend_deadline": ("login", "403", "403", "403", "403", "403", "200"),
    "staff.invite_staff": ("login", "403", "403", "403", "403", "403", "200"),
    "staff.staff_role": ("login", "403", "403", "403", "403", "403", "200"),
}
# fmt: on

HTML_SKIP_H1 = set()  # endpoints whose 200 is not an HTML page with a heading (none so far)


def _client(app, login_id: str | None) -> PortalClient:
    client = PortalClient(app.test_client())
    if login_id is not None:
        with client.session_transaction() as session:
            session["_user_id"] = login_id
            session["_fresh"] = True
    return client


def _csrf(client: PortalClient, signed_in: bool) -> str:
    return client.csrf_token("/account" if signed_in else "/sign-in")


def _row_counts(db) -> dict[str, int]:
    from portal.models import metadata

    return {table.name: db.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in metadata.sorted_tables}


def _rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                  key=attrgetter("endpoint"))


def test_every_view_is_public_or_guarded(app):
    unmarked = [endpoint for endpoint, view in app.view_functions.items()
                if endpoint != "static" and not getattr(view, "access_guard", None)]
    assert not unmarked, f"views without @public or a permission decorator: {unmarked}"


def test_every_route_has_a_row_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    missing = sorted(endpoints - set(MATRIX))
    assert not missing, f"add these routes to MATRIX: {missing}"
    assert not sorted(set(MATRIX) - endpoints), "MATRIX lists routes that no longer exist"
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


def test_every_route_answers_each_role_as_the_matrix_says(app):
    # No app context is held while requests run: each request gets its own, as in production
    # (a shared one would hand every request the test's session, and break streamed bodies).
    with app.app_context():
        world = build_world(get_session(), app)
        before = _row_counts(get_session())
        logins = {role: user.get_id() if user else None for role, user in world.users.items()}
    clients = {role: _client(app, login_id) for role, login_id in logins.items()}
    observed, problems, page_problems = {}, [], []
    for rule in _rules(app):
        if "GET" not in rule.methods:
            problems += _check_post(world, clients, rule, observed)
    with app.app_context():
        assert _row_counts(get_session()) == before, "a refused POST changed the database"
    for rule in _rules(app):
        if "GET" in rule.methods:
            problems += _check_get(world, clients, rule, observed, page_problems)
    if os.environ.get("ACCESS_MATRIX_PRINT"):
        _print_table(observed)
    assert not problems, "\n".join(problems)
    assert not page_problems, "\n".join(page_problems)


def _check_post(world, clients, rule, observed) -> list[str]:
    url, problems = url_for_rule(world, rule), []
    row = MATRIX.get(rule.endpoint, ("ok",) * len(ROLES))
    observed[rule.endpoint] = list(row)
    for index, (role, expected) in enumerate(zip(ROLES, row, strict=True)):
        if expected == "ok":
            continue
        client = clients[role]
        token = _csrf(client, role != "anonymous")
        got, _ = _send(client.post, url, data={"csrf_token": token})
        observed[rule.endpoint][index] = got
        if got != expected:
            problems.append(f"POST {url} as {role}: expected {expected}, got {got}")
    return problems


def _check_get(world, clients, rule, observed, page_problems) -> list[str]:
    url, problems = url_for_rule(world, rule), []
    row = MATRIX.get(rule.endpoint, ("?",) * len(ROLES))
    observed[rule.endpoint] = []
    for role, expected in zip(ROLES, row, strict=True):
        got, response = _send(clients[role].get, url)
        observed[rule.endpoint].append(got)
        if got != expected:
            problems.append(f"GET {url} as {role}: expected {expected}, got {got}")
        if got == "200" and response is not None and response.mimetype == "text/html":
            page_problems += [f"{url} as {role}: {p}" for p in _page_rules(response)]
    return problems


def _send(method, url, **kwargs):
    """(outcome, response). A body that breaks half-way while streaming is a 500 to the user."""
    try:
        response = method(url, **kwargs)
        response.get_data()  # read streamed bodies to the end, so their contexts close
        response.close()
    except Exception:  # noqa: BLE001
        return "500 while streaming", None
    return outcome(response), response


def _page_rules(response) -> list[str]:
    """House rules every HTML page keeps (DESIGN §7 test_meta)."""
    html = BeautifulSoup(response.data, "html.parser")
    problems = []
    if len(html.find_all("h1")) != 1:
        problems.append(f"{len(html.find_all('h1'))} <h1> elements")
    for form in html.find_all("form"):
        has_token = form.find("input", attrs={"name": "csrf_token"}) is not None
        if (form.get("method") or "get").lower() == "post" and not has_token:
            problems.append(f"POST form to {form.get('action')} without a CSRF token")
        if (form.get("method") or "get").lower() == "get" and has_token:
            problems.append(f"GET form to {form.get('action')} leaks the CSRF token")
    # Hidden inputs are never a label's or a link's target, so a repeated id there is harmless
    # (pages with several forms each render their CSRF field as id="csrf_token").
    ids = [tag["id"] for tag in html.find_all(id=True)
           if not (tag.name == "input" and tag.get("type") == "hidden")]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        problems.append(f"duplicate ids {duplicates}")
    if html.find(style=True) or html.find("style"):
        problems.append("inline style (the CSP forbids it)")
    if any(not s.get("src") for s in html.find_all("script")):
        problems.append("inline script (the CSP forbids it)")
    if any(attr.startswith("on") for tag in html.find_all(True) for attr in tag.attrs):
        problems.append("inline event handler (the CSP forbids it)")
    return problems


def _print_table(observed: dict[str, list[str]]) -> None:
    print("\nMATRIX = {")
    for endpoint in sorted(observed):
        cells = ", ".join(f'"{cell}"' for cell in observed[endpoint])
        line = f'    "{endpoint}": ({cells}),'
        print(re.sub(r"\s+$", "", line))
    print("}")
