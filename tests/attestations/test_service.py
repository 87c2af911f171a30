"""Service rules: deadlines, reopened forms, copying last year, retention of learning records."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal import clock
from portal.attestations import service
from portal.attestations.evidence import import_learning_record
from portal.attestations.models import EvidenceBlob, EvidenceFile
from portal.attestations.panels import company_panel
from tests.attestations.helpers import LEARNING_FORM, pledged_company, soup
from tests.factories import GOOD_ANSWERS, create_attestation, create_cycle


def test_submission_deadline(db, frozen_clock):
    organisation, _admin, cycle = pledged_company(db, frozen_clock)
    attestation = create_attestation(db, organisation, cycle)
    assert service.submission_deadline(attestation) == date(2026, 12, 31)
    attestation.extended_until = date(2027, 1, 31)
    assert service.submission_deadline(attestation) == date(2027, 1, 31)
    attestation.status = "changes_requested"
    attestation.changes_due_on = date(2027, 2, 14)
    assert service.submission_deadline(attestation) == date(2027, 2, 14)


def test_changes_requested_reopens_the_form_with_messages(client, db, login_as, frozen_clock):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    attestation = create_attestation(db, organisation, cycle, status="changes_requested",
                                     submitted_by=admin)
    attestation.review_messages = {"learning": "Please explain the hours."}
    attestation.changes_due_on = date(2027, 1, 14)
    db.commit()
    frozen_clock(date(2027, 1, 10))  # after grace: the change request has its own deadline
    login_as(client, admin)
    page = soup(client.get("/company/attestation"))
    assert "Please explain the hours." in page.get_text()
    assert "14 January 2027" in page.get_text()
    section = soup(client.get("/company/attestation/learning"))
    assert "Please explain the hours." in section.get_text()
    assert section.select_one("#total_hours")["value"] == "5600"
    response = client.submit("/company/attestation/learning", {**LEARNING_FORM,
                                                               "row_version": "0"})
    assert response.status_code == 302
    frozen_clock(date(2027, 1, 15))
    assert "attestation is closed" in soup(client.get("/company/attestation")).get_text()


def test_rejection_reason_is_shown_read_only(client, db, login_as, frozen_clock):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    attestation = create_attestation(db, organisation, cycle, status="rejected")
    attestation.decision_reason = "The figures could not be verified."
    db.commit()
    login_as(client, admin)
    page = soup(client.get("/company/attestation"))
    assert "The figures could not be verified." in page.get_text()
    assert page.select(".task-list") == []
    assert client.get("/company/attestation/workforce").status_code == 302


def test_copy_last_year_copies_policies_not_figures(client, db, login_as, frozen_clock):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    create_attestation(db, organisation, create_cycle(db, 2025), status="approved")
    login_as(client, admin)
    page = soup(client.get("/company/attestation"))
    button = page.find("button", string="Start from last year's answers")
    assert button is not None
    action = button.find_parent("form")["action"]
    assert client.submit(action, {}, form_url="/company/attestation").status_code == 302
    current = service.attestation_for(db, organisation.id, cycle)
    assert current.answers["dei"]["policy_url"] == GOOD_ANSWERS["dei"]["policy_url"]
    assert "total_hours" not in current.answers["learning"]
    assert "workforce" not in current.answers
    assert set(current.copied_sections) == {"learning", "dei"}
    section = soup(client.get("/company/attestation/dei"))
    assert "copied from last year" in section.get_text()


def test_purge_keeps_totals_and_deletes_old_learning_records(app, db, frozen_clock):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    attestation = create_attestation(db, organisation, cycle, answers={
        "workforce": GOOD_ANSWERS["workforce"]})
    with app.test_request_context():
        import_learning_record(db, attestation, "r.csv", b"employee_ref,hours\nE1,60\n", 0,
                               admin)
        db.commit()
        assert service.purge_expired_learning_records(db) == 0
        clock.freeze(clock.now() + timedelta(days=397))
        assert service.purge_expired_learning_records(db) == 1
        db.commit()
    stored = db.execute(sa.select(EvidenceFile)).scalar_one()
    assert stored.deleted_at is not None
    assert db.execute(sa.select(EvidenceBlob)).first() is None
    db.refresh(attestation)
    assert attestation.answers["learning"]["total_hours"] == 60


def test_company_panel(db, frozen_clock):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    panel = company_panel(db, organisation, admin)
    assert panel["year"] == 2026 and panel["deadline"] == date(2026, 7, 31)
    assert panel["days_left"] == 91 and panel["link_text"] == "Start the attestation"
    create_attestation(db, organisation, cycle, status="submitted")
    assert company_panel(db, organisation, admin)["status"] == "submitted"


def test_change_request_on_last_cycle_comes_first(client, db, login_as, frozen_clock):
    organisation, admin, _cycle = pledged_company(db, frozen_clock, today=date(2026, 4, 5))
    old = create_attestation(db, organisation, create_cycle(db, 2025),
                             status="changes_requested")
    old.changes_due_on = date(2026, 4, 10)
    db.commit()
    login_as(client, admin)
    assert soup(client.get("/company/attestation")).h1.get_text(strip=True) == \
        "Annual attestation 2025"
    frozen_clock(date(2026, 4, 11))
    assert soup(client.get("/company/attestation")).h1.get_text(strip=True) == \
        "Annual attestation 2026"


def test_extension_allows_submission_after_grace_on_time(client, db, login_as, frozen_clock):
    from tests.attestations.helpers import fill_all_sections

    organisation, admin, cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    fill_all_sections(client)
    attestation = service.attestation_for(db, organisation.id, cycle)
    attestation.extended_until = date(2027, 1, 31)
    db.commit()
    frozen_clock(date(2027, 1, 20))
    response = client.submit("/company/attestation/submit", {
        "confirm": "y", "declaration_name": "A", "declaration_role": "B"},
        form_url="/company/attestation/check")
    assert response.status_code == 302
    db.refresh(attestation)
    assert attestation.status == "submitted" and attestation.is_late is False


def test_approved_attestation_page(client, db, login_as, frozen_clock):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    create_attestation(db, organisation, cycle, status="approved", submitted_by=admin)
    login_as(client, admin)
    page = soup(client.get("/company/attestation"))
    assert "Your attestation was approved" in page.get_text()
    assert page.select_one(".tag").get_text(strip=True) == "Approved"
    assert page.find("a", string="Download what you submitted (PDF)") is not None
    assert page.select(".task-list") == []
