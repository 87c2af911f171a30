"""Tables stack on narrow screens (320 px): every cell keeps its column's name.

static/css/portal.css hides the header row once the table stacks and shows each cell's
data-label above it (<td> and row headers, <th scope="row">); a cell without one is a bare value
nobody can place. Every template in templates/ with a <table> (but the PDFs, printed at A4, whose
tables never stack) is rendered here with rows, as the person who sees it (a member admin, a
reviewer, a staff admin or an anonymous visitor), and each cell must carry its column's <th>
words. A cell with nothing in it (an action with nothing to do) carries no label instead: a
label with nothing under it reads as a missing value (components/cells.html `cell` decides).
A template whose tables sit in macros of another template (impact/_figures.html) is covered by
a page that imports them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import request_started, template_rendered

from portal.attestations.models import AttestationVersion
from portal.audit.service import record
from portal.auth.models import OrgRole
from portal.mail.models import OutboxMail
from portal.pledges.models import CodeVersion
from portal.review import sampling, service
from portal.review.models import (
    Decision,
    Review,
    RiskFlag,
    SampledAttestation,
    SampleOutcome,
    Severity,
)
from tests.attestations.helpers import WORKFORCE_FORM, post_file
from tests.factories import (
    GOOD_ANSWERS,
    add_attestation_version,
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_member,
    create_pledge,
)
from tests.impact.helpers import approved_company
from tests.review.conftest import NOW, world  # noqa: F401  (the fixture)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
PRINTED = "/pdf/"  # PDF templates: A4 pages, never stacked
_IMPORTS = re.compile(r"""{%-?\s*(?:import|from|include)\s+["']([^"']+)["']""")


def templates_with_tables() -> dict[str, int]:
    """{"review/queue.html": number of <table> in its source} for every screen template."""
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        count = path.read_text().count("<table")
        if count and PRINTED not in f"/{name}":
            found[name] = count
    return found


def imported_templates(name: str) -> set[str]:
    """The templates `name` imports or includes, and theirs (layouts are not followed)."""
    found, todo = set(), [name]
    while todo:
        for other in _IMPORTS.findall((TEMPLATES / todo.pop()).read_text()):
            if other not in found and (TEMPLATES / other).exists():
                found.add(other)
                todo.append(other)
    return found


def is_empty(cell) -> bool:
    """Nothing in the cell: no words and no element (a link, a button, an image)."""
    return not cell.get_text(strip=True) and cell.find(True) is None


def body_cells(table):
    """(column header text, cell) for each <td> and row header of the body."""
    headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    for row in table.select("tbody tr"):
        column = 0
        for cell in row.find_all(["th", "td"], recursive=False):
            if cell.name == "td" or cell.get("scope") == "row":
                yield headers[column], cell
            column += int(cell.get("colspan", 1))


def unlabelled_cells(table) -> list[str]:
    """Cells of the body whose data-label is not their column's header text, and empty cells
    that carry a label all the same. A row header (<th scope="row">) is a cell too; one
    spanning columns names the first (and may name more)."""
    problems = []
    for header, cell in body_cells(table):
        label = cell.get("data-label")
        if is_empty(cell):
            if label is not None:
                problems.append(f"{header!r} column: data-label={label!r} on an empty cell")
            continue
        span = int(cell.get("colspan", 1))
        labelled = label == header or (span > 1 and label and label.startswith(header))
        if not labelled:
            problems.append(f"{header!r} column: data-label={label!r} on "
                            f"{cell.get_text(' ', strip=True)!r}")
    return problems


@dataclass(frozen=True)
class Page:
    """A page to read as `role`: a URL, or a function that answers it (an upload's reply)."""

    role: str
    url: str | Callable
    tables: int | None = None  # when the template repeats a table in a loop


def read_pages(app, client, login_as, users: dict, pages: list[Page],
               empty: set | None = None) -> set[str]:
    """Render each page as its role; check its tables. Returns the templates covered; adds
    (main template, column) of each empty cell seen to `empty`."""
    rendered, covered = [], set()
    expected = templates_with_tables()

    def remember(sender, template, context, **extra):
        rendered.append(template.name)

    def forget(sender, **extra):  # only the last request's templates count
        rendered.clear()

    template_rendered.connect(remember, app)
    request_started.connect(forget, app)
    try:
        for page in pages:
            with client.raw.session_transaction() as session:
                session.clear()
            if users[page.role] is not None:
                login_as(client, users[page.role])
            response = client.get(page.url) if isinstance(page.url, str) else page.url(client)
            where = f"{getattr(page.url, '__name__', page.url)} as {page.role}"
            assert response.status_code == 200, where
            main = rendered[0]  # the page's own template (layouts and includes come after)
            parts = {main} | imported_templates(main)
            tables = BeautifulSoup(response.data, "html.parser").select("main table")
            count = page.tables or sum(expected.get(part, 0) for part in parts)
            assert len(tables) == count, f"{where} ({main}): every table shown"
            for table in tables:
                assert table.select("tbody td"), f"{where}: a table without rows proves nothing"
                assert unlabelled_cells(table) == [], where
                if empty is not None:
                    empty |= {(main, header) for header, cell in body_cells(table)
                              if is_empty(cell)}
            covered |= {part for part in parts if part in expected}
    finally:
        template_rendered.disconnect(remember, app)
        request_started.disconnect(forget, app)
    return covered


# Arranging: rows in every table ----------------------------------------------------------

def _arrange_review_and_staff(db, arranged, client, login_as) -> list[Page]:
    """In the review tests' world (Kestrel CRM submitted on 15 June 2026): a sample, a
    resubmission with changes, a certificate with its history, mail, a staff invitation."""
    organisation, attestation = arranged["organisation"], arranged["attestation"]
    last_cycle = create_cycle(db, 2025)
    approved = create_attestation(db, organisation, last_cycle, status="approved",
                                  submitted_by=arranged["admin"],
                                  submitted_at=datetime(2025, 6, 1, tzinfo=UTC))
    certificate = create_certificate(db, organisation, last_cycle, approved)
    record(db, "certificate_issued", actor=arranged["reviewer"], obj=certificate,
           organisation_id=organisation.id)
    other, _ = create_company_with_admin(db, "Heron Data")
    create_attestation(db, other, arranged["cycle"], status="approved")
    checked, _ = create_company_with_admin(db, "Osprey Payroll")
    create_attestation(db, checked, arranged["cycle"], status="approved")
    audit = sampling.draw_sample(db, arranged["staff_admin"], arranged["cycle"], 100, "seed",
                                 "Send it")
    done = db.execute(sa.select(SampledAttestation).where(
        SampledAttestation.organisation_id == checked.id)).scalar_one()
    sampling.record_sample_outcome(db, arranged["staff_admin"], done, SampleOutcome.CONFIRMED,
                                   "Evidence matched.")  # nothing left to do: an empty action
    service.request_changes(db, arranged["reviewer"], attestation, {"narrative": "More detail."})
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["narrative"]["highlights"] = "A learning week and a mentoring scheme."
    add_attestation_version(db, attestation, answers=answers)
    db.commit()
    assert db.execute(sa.select(SampledAttestation)).scalars().first() is not None
    login_as(client, arranged["staff_admin"])
    client.submit("/staff/accounts/invite", {"email": "new.reviewer@association.example",
                                             "staff_role": "reviewer"})
    return [Page("reviewer", "/staff/review?status=all"),
            Page("reviewer", f"/staff/review/{attestation.id}"),
            Page("staff_admin", "/staff/review/sampling"),
            Page("staff_admin", f"/staff/review/sampling/{audit.id}"),
            Page("reviewer", "/staff/companies"),
            Page("reviewer", f"/staff/companies/{organisation.id}"),
            Page("staff_admin", "/staff/accounts"),
            Page("reviewer", "/staff/certificates"),
            Page("reviewer", f"/staff/certificates/{certificate.id}"),
            Page("reviewer", "/staff/audit")]


def _arrange_staff_programme(db, arranged) -> list[Page]:
    """Peers certified in 2026 (so the figures show), a company silent in 2024 and 2025 and
    one delisted, a draft code version, a reminder mail that failed, a decision and a risk flag."""
    cycle = arranged["cycle"]
    create_cycle(db, 2024)
    peers = [approved_company(db, [cycle]) for _ in range(6)]
    silent, _ = create_company_with_admin(db, "Silent Twice Ltd")
    create_pledge(db, silent, signed_at=datetime(2023, 1, 10, tzinfo=UTC))
    gone, _ = create_company_with_admin(db, "Already Gone Ltd")
    create_pledge(db, gone, signed_at=datetime(2023, 1, 10, tzinfo=UTC))
    gone.delisted_at, gone.delisted_reason = NOW - timedelta(days=5), "No report."
    db.add(CodeVersion(title="People Pillar, next edition",
                       commitments=[{"heading": "Learning", "body": "An hour a week."}],
                       created_by_id=arranged["staff_admin"].id))
    attestation = arranged["attestation"]
    version = db.execute(sa.select(AttestationVersion).where(
        AttestationVersion.attestation_id == attestation.id)).scalars().first()
    db.add(Review(attestation_id=attestation.id, attestation_version_id=version.id,
                  reviewer_id=arranged["reviewer"].id, decision=Decision.APPROVED, decided_at=NOW))
    db.add(RiskFlag(attestation_id=attestation.id, attestation_version_id=version.id,
                    code="no_dei_policy_url", severity=Severity.MEDIUM, explanation="x"))
    db.add(OutboxMail(kind="reminder_1_week", to_addr="a@example.com",
                      organisation_id=peers[0].id, subject="Your attestation is due",
                      text_body="t", html_body="h", message_id="<labels@example>",
                      dedupe_key=f"reminder_1_week:2026:{peers[0].id}:1",
                      created_at=NOW - timedelta(days=23), attempts=5,
                      failed_at=NOW - timedelta(days=21), last_error="Mailbox full"))
    db.add(OutboxMail(kind="reminder_1_week", to_addr="b@example.com",  # nothing to retry
                      organisation_id=peers[1].id, subject="Your attestation is due",
                      text_body="t", html_body="h", message_id="<labels-sent@example>",
                      dedupe_key=f"reminder_1_week:2026:{peers[1].id}:1",
                      created_at=NOW - timedelta(days=22), attempts=1,
                      sent_at=NOW - timedelta(days=22)))
    db.commit()
    return [Page("staff_admin", "/staff/cycles"),
            Page("reviewer", "/staff/code-versions"),
            Page("reviewer", "/staff/pledges"),
            Page("reviewer", "/staff/calendar"),
            Page("staff_admin", "/staff/calendar/mail"),
            Page("staff_admin", "/staff/calendar/mail?show=all"),  # a sent one: no retry
            Page("staff_admin", "/staff/delisting"),
            Page("reviewer", "/staff/delisting"),  # may not delist: no actions
            Page("reviewer", "/staff/analytics")]


def _upload_bad_learning_record(client):
    """The learning-record page as it answers a file with a row to fix."""
    assert client.submit("/company/attestation/workforce", WORKFORCE_FORM).status_code == 302
    url = "/company/attestation/learning-record"
    token = client.csrf_token(url)
    html = BeautifulSoup(client.get(url).data, "html.parser")
    version = html.select_one("input[name=row_version]")["value"]
    return post_file(client, url, {"csrf_token": token, "row_version": version},
                     "learning_record", b"employee_ref,hours\nE1,60\nE1,10\n", "record.csv")


def _upload_evidence(client):
    url = "/company/attestation/evidence"
    response = post_file(client, url, {"csrf_token": client.csrf_token(url)}, "evidence_file",
                         b"%PDF-1.4 evidence", "evidence.pdf")
    assert response.status_code == 302
    return client.get(url)


def _arrange_members(db, arranged, client, login_as) -> tuple[dict, list[Page]]:
    """A company still writing its attestation; Kestrel CRM publishes its figures and has a
    colleague who has not confirmed and one invited."""
    drafting, drafting_admin = create_company_with_admin(db, "Wren Learning")
    create_pledge(db, drafting, drafting_admin)
    organisation = arranged["organisation"]
    organisation.publishes_metrics = True
    create_member(db, organisation, role=OrgRole.CONTRIBUTOR, verified=False)
    login_as(client, arranged["admin"])
    assert client.submit("/company/people/invite", {
        "email": "new.colleague@example.com", "org_role": "contributor"}).status_code == 302
    return {"drafting_admin": drafting_admin}, [
        Page("admin", "/company/pledge"),
        Page("admin", "/company/people"),
        Page("admin", "/company/certificates"),
        Page("admin", "/company/compare", tables=2),  # one a cycle since the pledge (2025, 2026)
        Page("drafting_admin", _upload_evidence),
        Page("drafting_admin", _upload_bad_learning_record),
        Page("anonymous", "/members"),
        Page("anonymous", f"/members/{organisation.slug}"),
        Page("anonymous", "/open-data"),
        Page("anonymous", "/impact"),
    ]


def test_every_table_cell_is_labelled_with_its_column(app, db, world, client,  # noqa: F811
                                                     login_as):
    pages = _arrange_review_and_staff(db, world, client, login_as)
    pages += _arrange_staff_programme(db, world)
    members, member_pages = _arrange_members(db, world, client, login_as)
    users = {"anonymous": None, "admin": world["admin"], "reviewer": world["reviewer"],
             "staff_admin": world["staff_admin"], **members}
    empty: set = set()
    covered = read_pages(app, client, login_as, users, pages + member_pages, empty)
    assert covered == set(templates_with_tables()), "add a page for each template with a table"
    # Action cells with nothing to do were seen (and, checked above, carry no label).
    assert {("calendar/outbox.html", "Action"), ("directory/delisting.html", "Action"),
            ("review/sample.html", "Action")} <= empty


def test_unlabelled_cells_names_the_cells_without_their_column():
    html = BeautifulSoup(
        "<table><thead><tr><th>Measure</th><th>Yours</th><th>Median</th><th>Range</th></tr>"
        "</thead><tbody><tr><th scope='row' data-label='Measure'>Hours</th>"
        "<td data-label='Yours'>2</td><td colspan='2' data-label='Median and range'>Too few</td>"
        "</tr><tr><th scope='row'>Coverage</th><td>90%</td><td data-label='Median'>1</td>"
        "<td data-label='Median'>2</td></tr></tbody></table>", "html.parser")
    assert unlabelled_cells(html.table) == [
        "'Measure' column: data-label=None on 'Coverage'",
        "'Yours' column: data-label=None on '90%'",
        "'Range' column: data-label='Median' on '2'"]


def test_an_empty_cell_carries_no_label_and_only_an_empty_one_may_omit_it():
    html = BeautifulSoup(
        "<table><thead><tr><th>Mail</th><th><span class='visually-hidden'>Action</span></th>"
        "</tr></thead><tbody>"
        "<tr><td data-label='Mail'>Sent</td><td>\n    </td></tr>"
        "<tr><td data-label='Mail'>Failed</td><td data-label='Action'><button>Retry</button>"
        "</td></tr>"
        "<tr><td data-label='Mail'>Sent</td><td data-label='Action'>  </td></tr>"
        "<tr><td data-label='Mail'>Failed</td><td><button>Retry</button></td></tr>"
        "</tbody></table>", "html.parser")
    assert unlabelled_cells(html.table) == [
        "'Action' column: data-label='Action' on an empty cell",
        "'Action' column: data-label=None on 'Retry'"]


def test_the_cell_macro_names_its_column_only_when_it_has_content(app):
    with app.test_request_context():
        template = app.jinja_env.from_string(
            '{% from "components/cells.html" import cell %}<table><tbody>'
            '{% for can in (true, false) %}<tr>{% call cell("Action", "actions") %}\n'
            '  {% if can %}<a href="/x">Retry<span> {{ name }}</span></a>{% endif %}\n'
            '{% endcall %}</tr>{% endfor %}</tbody></table>')
        html = BeautifulSoup(template.render(name="<Kestrel>"), "html.parser")
    full, empty = html.select("td")
    assert full["data-label"] == "Action" and full["class"] == ["actions"]
    assert full.get_text(" ", strip=True) == "Retry <Kestrel>"   # escaped once, not twice
    assert "data-label" not in empty.attrs and is_empty(empty)
