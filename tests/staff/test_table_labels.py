"""Staff tables stack on narrow screens (320 px): every cell keeps its column's name.

static/css/portal.css shows a cell's data-label above it once the header row is hidden; a cell
without one is a bare value nobody can place. Every table of templates/review and
templates/staff is rendered with rows here, and each <td> must carry its <th>'s words.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import template_rendered

from portal.review import sampling, service
from portal.review.models import SampledAttestation
from tests.factories import (
    GOOD_ANSWERS,
    add_attestation_version,
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _templates_with_tables() -> dict[str, int]:
    """{"review/queue.html": number of <table> in it} for the two staff template folders."""
    found = {}
    for folder in ("review", "staff"):
        for path in sorted((TEMPLATES / folder).glob("*.html")):
            count = path.read_text().count("<table")
            if count:
                found[f"{folder}/{path.name}"] = count
    return found


def _arrange(db, world, client) -> list[str]:
    """Rows in every table: a sample, a resubmission with changes, a certificate, mail,
    audit events, a staff invitation. Returns the pages to read."""
    organisation, attestation = world["organisation"], world["attestation"]
    last_cycle = create_cycle(db, 2025)
    approved = create_attestation(db, organisation, last_cycle, status="approved",
                                  submitted_by=world["admin"],
                                  submitted_at=datetime(2025, 6, 1, tzinfo=UTC))
    create_certificate(db, organisation, last_cycle, approved)
    other, _ = create_company_with_admin(db, "Heron Data")
    create_attestation(db, other, world["cycle"], status="approved")
    audit = sampling.draw_sample(db, world["staff_admin"], world["cycle"], 100, "seed", "Send it")
    service.request_changes(db, world["reviewer"], attestation, {"narrative": "More detail."})
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["narrative"]["highlights"] = "A learning week and a mentoring scheme."
    add_attestation_version(db, attestation, answers=answers)
    db.commit()
    assert db.execute(sa.select(SampledAttestation)).scalars().first() is not None
    client.submit("/staff/accounts/invite", {"email": "new.reviewer@association.example",
                                             "staff_role": "reviewer"})
    return ["/staff/review?status=all", f"/staff/review/{attestation.id}",
            "/staff/review/sampling", f"/staff/review/sampling/{audit.id}",
            "/staff/companies", f"/staff/companies/{organisation.id}", "/staff/accounts"]


def _unlabelled_cells(table) -> list[str]:
    headers = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    problems = []
    for row in table.select("tbody tr"):
        for column, cell in enumerate(row.find_all(["th", "td"], recursive=False)):
            if cell.name == "td" and cell.get("data-label") != headers[column]:
                problems.append(f"{headers[column]!r} column: data-label="
                                f"{cell.get('data-label')!r} on {cell.get_text(' ', strip=True)!r}")
    return problems


def test_every_staff_table_cell_is_labelled_with_its_column(app, db, world, client, login_as):
    login_as(client, world["staff_admin"])
    urls = _arrange(db, world, client)
    rendered = []

    def remember(sender, template, context, **extra):
        rendered.append(template.name)

    expected = _templates_with_tables()
    seen = set()
    template_rendered.connect(remember, app)
    try:
        for url in urls:
            rendered.clear()
            response = client.get(url)
            assert response.status_code == 200, url
            main = rendered[0]  # the page's own template (layouts and includes come after)
            tables = BeautifulSoup(response.data, "html.parser").select("main table")
            assert len(tables) == expected.get(main, 0), f"{url} ({main}): every table shown"
            for table in tables:
                assert table.select("tbody td"), f"{url}: a table without rows proves nothing"
                assert _unlabelled_cells(table) == [], url
            seen.add(main)
    finally:
        template_rendered.disconnect(remember, app)
    assert seen == set(expected), "add a page for each staff template with a table"
