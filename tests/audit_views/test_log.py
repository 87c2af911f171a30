"""The audit log viewer: filters, links to objects, pagination and chain verification."""

from __future__ import annotations

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.audit.models import AuditEvent
from portal.audit.service import record
from portal.review import service as review_service


def soup(response):
    return BeautifulSoup(response.data, "html.parser")


def _rows(page):
    return [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in page.select("tbody tr")]


def test_each_row_links_to_its_object(db, world, client, login_as):
    review_service.request_changes(db, world["reviewer"], world["attestation"],
                                   {"dei": "Add a link."})
    db.commit()
    login_as(client, world["reviewer"])
    page = soup(client.get("/staff/audit"))
    assert page.h1.get_text(strip=True) == "Audit log"
    link = page.find("a", string=f"Attestation {world['attestation'].id}")
    assert link["href"] == f"/staff/review/{world['attestation'].id}"


def test_filters_by_action_actor_object_company_and_date(db, world, client, login_as):
    organisation = world["organisation"]
    record(db, "company_profile_updated", actor=world["admin"], obj=organisation,
           organisation_id=organisation.id)
    record(db, "staff_note_added", actor=world["reviewer"], obj=world["attestation"],
           organisation_id=organisation.id)
    db.commit()
    login_as(client, world["reviewer"])

    def actions(query):
        return [row[3] for row in _rows(soup(client.get(f"/staff/audit?{query}")))]

    assert actions("action=staff_note_added") == ["staff note added"]
    assert actions(f"actor={world['admin'].email.upper()}") == ["company profile updated"]
    assert actions(f"actor={world['reviewer'].id}") == ["staff note added"]
    assert actions(f"actor={world['reviewer'].name.lower()[:4]}%25") == []  # % is literal
    assert actions(f"actor={world['reviewer'].name.upper()}") == ["staff note added"]
    assert actions(f"object_type=organisations&object_id={organisation.id}") == [
        "company profile updated"]
    assert actions(f"organisation={organisation.id}") == [
        "staff note added", "company profile updated"]
    assert actions("date_from=2026-06-15&date_to=2026-06-15") == [
        "staff note added", "company profile updated"]
    assert actions("date_from=2026-06-16") == []


def test_bad_filters_are_explained_beside_the_field(world, client, login_as):
    login_as(client, world["reviewer"])
    response = client.get("/staff/audit?date_from=31/13/2026&organisation=abc"
                          "&date_to=2026-01-01")
    assert response.status_code == 200
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    assert [a.get_text() for a in page.select(".error-summary a")] == [
        "Enter the company's portal number as digits, like 42",
        "Enter the from date as year-month-day, like 2026-07-31",
    ]
    assert page.select_one("#date_from")["value"] == "31/13/2026"
    page = soup(client.get("/staff/audit?date_from=2026-02-01&date_to=2026-01-01"))
    assert "The end date must be the same as or after the start date" in page.get_text()


def test_the_log_is_paginated(db, world, client, login_as):
    for number in range(30):
        record(db, "bulk_event", detail={"n": number})
    db.commit()
    login_as(client, world["reviewer"])
    first = soup(client.get("/staff/audit?action=bulk_event"))
    assert len(_rows(first)) == 25
    assert first.find("a", rel="next")["href"] == "/staff/audit?action=bulk_event&page=2"
    second = soup(client.get("/staff/audit?action=bulk_event&page=2"))
    assert len(_rows(second)) == 5


def test_verify_chain_reports_intact_then_broken(db, world, client, login_as):
    record(db, "something", detail={"a": 1})
    db.commit()
    login_as(client, world["reviewer"])
    response = client.submit("/staff/audit/verify", form_url="/staff/audit",
                             follow_redirects=True)
    assert "The audit chain is intact" in soup(response).select_one(".notification").get_text()
    db.execute(sa.update(AuditEvent).where(AuditEvent.action == "something")
               .values(detail={"a": 2}))
    db.commit()
    response = client.submit("/staff/audit/verify", form_url="/staff/audit",
                             follow_redirects=True)
    message = soup(response).select_one(".notification--error").get_text()
    assert "The audit chain is broken at event" in message
    assert "does not match its hash" in message


def test_verify_needs_a_csrf_token(world, client, login_as):
    login_as(client, world["reviewer"])
    response = client.post("/staff/audit/verify", follow_redirects=True)
    assert "This page expired" in soup(response).get_text()
