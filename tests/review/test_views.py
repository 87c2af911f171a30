"""The queue, the review page and the decision pages, through the real stack."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.attestations.models import Attestation, AttestationStatus
from portal.auth.models import OrgRole
from portal.review import service
from portal.review.models import Review, StaffNote
from tests.factories import (
    GOOD_ANSWERS,
    add_attestation_version,
    create_attestation,
    create_company_with_admin,
    create_member,
)


def soup(response):
    return BeautifulSoup(response.data, "html.parser")


def test_queue_lists_oldest_first_with_days_waiting_and_the_service_level(
        db, world, client, login_as, frozen_clock):
    older_org, _ = create_company_with_admin(db, "Atlas Audience Lab")
    create_attestation(db, older_org, world["cycle"], status="submitted",
                       submitted_at=datetime(2026, 5, 1, 9, tzinfo=UTC))
    login_as(client, world["reviewer"])
    page = soup(client.get("/staff/review"))
    assert page.h1.get_text(strip=True) == "Review queue"
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in page.select("table tbody tr")]
    assert [row[0] for row in rows] == ["Atlas Audience Lab", "Kestrel CRM"]
    # 1 May to 15 June 2026: 29 working days (4 and 25 May are bank holidays).
    assert rows[0][3].startswith("29") and "Over 10 days" in rows[0][3]
    assert rows[1][3] == "0"


def test_queue_filters_by_flags_status_and_reviewer(db, world, client, login_as):
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["dei"]["policy_url"] = None
    flagged_org, _ = create_company_with_admin(db, "Thistle Direct")
    flagged = create_attestation(db, flagged_org, world["cycle"], status="submitted",
                                 answers=answers)
    from portal.review.service import compute_risk_flags, latest_version
    compute_risk_flags(db, flagged, latest_version(db, flagged.id))
    service.assign_to(db, world["reviewer"], world["attestation"])
    db.commit()
    login_as(client, world["reviewer"])

    def names(url):
        return [a.get_text(strip=True) for a in soup(client.get(url)).select("tbody td a")]

    assert names("/staff/review?flagged=yes") == ["Thistle Direct"]
    assert names("/staff/review?flagged=no") == ["Kestrel CRM"]
    assert names("/staff/review?reviewer=me") == ["Kestrel CRM"]
    assert names("/staff/review?reviewer=none") == ["Thistle Direct"]
    assert names("/staff/review?status=in_review") == ["Kestrel CRM"]
    assert names("/staff/review?status=approved") == []
    counts = soup(client.get("/staff/review")).select(".status-counts li")
    assert "1 submitted" in counts[0].get_text(" ", strip=True)
    assert "1 in review" in counts[1].get_text(" ", strip=True)


@pytest.mark.parametrize("query", ["status=nonsense", "cycle=abc", "reviewer=x'--",
                                   "page=-4", "flagged=maybe"])
def test_bad_queue_filters_never_fail(world, client, login_as, query):
    login_as(client, world["reviewer"])
    assert client.get(f"/staff/review?{query}").status_code == 200


def test_review_page_shows_the_frozen_version_flags_and_last_year(db, world, client, login_as):
    from portal.review.service import compute_risk_flags
    from tests.factories import create_cycle

    last_cycle = create_cycle(db, 2025)
    last_answers = copy.deepcopy(GOOD_ANSWERS)
    last_answers["workforce"]["headcount"] = 40
    create_attestation(db, world["organisation"], last_cycle, status="approved",
                       answers=last_answers)
    attestation = world["attestation"]
    attestation.answers = {"workforce": {"headcount": 999}}  # the live draft moves on
    db.commit()
    version = service.latest_version(db, attestation.id)
    compute_risk_flags(db, attestation, version)
    db.commit()
    login_as(client, world["reviewer"])
    page = soup(client.get(f"/staff/review/{attestation.id}"))
    assert page.h1.get_text(strip=True) == "Kestrel CRM"
    text = page.get_text(" ", strip=True)
    assert "Headcount changed from 40 last cycle to 100 (+150%)" in text
    assert "999" not in text  # the frozen version, not the live draft
    headcount_row = [td.get_text(strip=True) for td in page.select("table")[0].find_all(
        "tr")[1].find_all("td")]
    assert headcount_row[:3] == ["100", "40", "+60"]
    assert "Friday learning hour for all." in text


def test_request_changes_form_errors_and_success(db, world, client, login_as, outbox):
    attestation = world["attestation"]
    url = f"/staff/review/{attestation.id}/request-changes"
    login_as(client, world["reviewer"])
    response = client.submit(url, {"internal_note": "kept"})
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one(".error-summary a").get_text() == (
        "Enter a message for at least one section")
    assert page.select_one("#internal_note").get_text() == "kept"
    response = client.submit(url, {"message_dei": "Link your published DE&I policy."})
    assert response.status_code == 302
    db.expire_all()
    assert attestation.status == AttestationStatus.CHANGES_REQUESTED
    assert attestation.review_messages == {"dei": "Link your published DE&I policy."}
    assert outbox(kind="review_changes_requested")


def test_reject_needs_a_reason(db, world, client, login_as):
    attestation = world["attestation"]
    login_as(client, world["reviewer"])
    url = f"/staff/review/{attestation.id}/reject"
    page = soup(client.submit(url, {"reason": "   "}))
    assert page.select_one("#reason-error").get_text(" ", strip=True) == (
        "Error: Enter the reason for rejecting this attestation")
    assert client.submit(url, {"reason": "No records kept."}).status_code == 302
    db.expire_all()
    assert attestation.status == AttestationStatus.REJECTED


def test_approve_through_the_page(db, world, client, login_as):
    attestation = world["attestation"]
    login_as(client, world["reviewer"])
    response = client.submit(f"/staff/review/{attestation.id}/approve", {})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Attestation, attestation.id).status == AttestationStatus.APPROVED


def test_a_reviewer_from_the_company_gets_403_and_no_buttons(db, world, client, login_as):
    attestation = world["attestation"]
    insider = world["reviewer"]
    insider.organisation_id, insider.org_role = world["organisation"].id, OrgRole.CONTRIBUTOR
    db.commit()
    login_as(client, insider)
    page = soup(client.get(f"/staff/review/{attestation.id}"))
    assert "You belong to this company" in page.get_text()
    assert not page.find("a", string="Approve")
    for action in ("approve", "reject", "request-changes"):
        response = client.post(f"/staff/review/{attestation.id}/{action}",
                               data={"reason": "x", "message_dei": "x"})
        assert response.status_code == 403
    assert db.execute(sa.select(sa.func.count()).select_from(Review)).scalar() == 0


def test_notes_are_added_and_empty_notes_refused(db, world, client, login_as):
    attestation = world["attestation"]
    login_as(client, world["reviewer"])
    url = f"/staff/review/{attestation.id}/notes"
    form_url = f"/staff/review/{attestation.id}"
    page = soup(client.submit(url, {"body": ""}, form_url=form_url))
    assert page.select_one(".error-summary a").get_text() == "Enter the note"
    assert client.submit(url, {"body": "Called the company."}, form_url=form_url
                         ).status_code == 302
    assert db.execute(sa.select(StaffNote.body)).scalar_one() == "Called the company."


def test_reopen_is_for_staff_admins_only(db, world, client, login_as):
    attestation = world["attestation"]
    service.reject(db, world["reviewer"], attestation, "No records.")
    db.commit()
    login_as(client, world["reviewer"])
    assert client.get(f"/staff/review/{attestation.id}/reopen").status_code == 403
    login_as(client, world["staff_admin"])
    assert client.submit(f"/staff/review/{attestation.id}/reopen",
                         {"reason": "Appeal upheld."}).status_code == 302
    db.expire_all()
    assert db.get(Attestation, attestation.id).status == AttestationStatus.SUBMITTED


def test_review_page_diff_between_versions(db, world, client, login_as):
    attestation = world["attestation"]
    service.request_changes(db, world["reviewer"], attestation, {"narrative": "More detail."})
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["narrative"]["highlights"] = "A learning week and a mentoring scheme."
    add_attestation_version(db, attestation, answers=answers)
    login_as(client, world["reviewer"])
    page = soup(client.get(f"/staff/review/{attestation.id}"))
    diff = page.find("caption", string="What changed since version 1").find_parent("table")
    assert [td.get_text(strip=True) for td in diff.select("tbody td")] == [
        "We ran a learning week.", "A learning week and a mentoring scheme."]


STAFF_URLS = ["/staff/review", "/staff/review/{id}", "/staff/review/{id}/approve",
              "/staff/review/{id}/reject", "/staff/review/{id}/request-changes",
              "/staff/review/{id}/reopen", "/staff/review/sampling",
              "/staff/review/sampling/new", "/staff/review/exports",
              "/staff/review/exports/2026.csv", "/staff/audit"]


def test_members_get_403_on_every_staff_url(db, world, client, login_as):
    login_as(client, world["admin"])
    for url in STAFF_URLS:
        assert client.get(url.format(id=world["attestation"].id)).status_code == 403, url
    for url in ("/staff/review/{id}/assign", "/staff/review/{id}/notes", "/staff/audit/verify"):
        assert client.post(url.format(id=world["attestation"].id)).status_code in (400, 403)


def test_signed_out_visitors_are_sent_to_sign_in(world, client):
    response = client.get("/staff/review")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_unknown_and_draft_attestations_are_404(db, world, client, login_as):
    other, _ = create_company_with_admin(db)
    draft = create_attestation(db, other, world["cycle"])
    login_as(client, world["reviewer"])
    assert client.get(f"/staff/review/{draft.id}").status_code == 404
    assert client.get("/staff/review/999999").status_code == 404


def test_member_contributor_cannot_see_the_queue(db, world, client, login_as):
    contributor = create_member(db, world["organisation"], role=OrgRole.CONTRIBUTOR)
    login_as(client, contributor)
    assert client.get("/staff/review").status_code == 403


def test_review_page_lists_the_evidence_frozen_in_the_version(db, world, client, login_as):
    attestation = world["attestation"]
    version = service.latest_version(db, attestation.id)
    version.snapshot = {**version.snapshot, "declaration": {"name": "Alex Morgan",
                                                            "role": "Managing director"},
                        "evidence": [{"id": 77, "filename": "lms-export.csv",
                                      "media_type": "text/csv", "size": 2048,
                                      "sha256": "ab" * 32}]}
    db.commit()
    login_as(client, world["reviewer"])
    text = soup(client.get(f"/staff/review/{attestation.id}")).get_text(" ", strip=True)
    assert "lms-export.csv (text/csv, 2 KB)" in text
    assert "Declared by Alex Morgan, Managing director." in text


def test_queue_query_count_does_not_grow_with_the_page(db, world, client, login_as,
                                                       count_queries):
    login_as(client, world["reviewer"])

    def queries_for_queue():
        with count_queries() as counter:
            assert client.get("/staff/review").status_code == 200
        return counter.count

    few = queries_for_queue()
    for _ in range(10):
        organisation, _ = create_company_with_admin(db)
        create_attestation(db, organisation, world["cycle"], status="submitted")
    assert queries_for_queue() == few


def test_review_page_answers_use_the_members_words_and_link_the_learning_record(
        db, world, client, login_as):
    from portal.attestations.models import EvidenceFile

    attestation = world["attestation"]
    record_file = EvidenceFile(attestation_id=attestation.id, purpose="learning_record",
                               filename="learning-2025.csv", media_type="text/csv", size=10,
                               sha256="cd" * 32)
    db.add(record_file)
    db.flush()
    version = service.latest_version(db, attestation.id)
    answers = copy.deepcopy(version.snapshot["answers"])
    answers["learning"].update(record_employees=100, record_file_id=record_file.id)
    version.snapshot = {**version.snapshot, "answers": answers}
    db.commit()
    login_as(client, world["reviewer"])
    page = soup(client.get(f"/staff/review/{attestation.id}"))
    rows = {row.dt.get_text(strip=True): row.dd for row in page.select(".summary-list__row")}
    assert rows["How learning time was recorded"].get_text(strip=True) == (
        "Learning management system (LMS)")
    assert rows["Learning formats used"].get_text(strip=True) == "Online courses, Workshops"
    assert rows["Diversity data collected"].get_text(strip=True) == "Gender, Ethnicity"
    assert rows["Reporting period start"].get_text(strip=True) == "1 January 2025"
    link = rows["Learning record file"].a
    assert link.get_text(strip=True) == "learning-2025.csv"
    assert link["href"] == f"/attestation-evidence/{record_file.id}"
    text = page.get_text(" ", strip=True)
    assert "Record file id" not in text and "online courses" not in text


def test_review_page_says_when_the_learning_record_was_purged(db, world, client, login_as):
    attestation = world["attestation"]
    version = service.latest_version(db, attestation.id)
    answers = copy.deepcopy(version.snapshot["answers"])
    answers["learning"]["record_file_id"] = 424242
    version.snapshot = {**version.snapshot, "answers": answers}
    db.commit()
    login_as(client, world["reviewer"])
    page = soup(client.get(f"/staff/review/{attestation.id}"))
    rows = {row.dt.get_text(strip=True): row.dd.get_text(" ", strip=True)
            for row in page.select(".summary-list__row")}
    assert rows["Learning record file"].startswith("Deleted after the retention period")
    assert "424242" not in page.get_text()


def test_review_page_diff_uses_the_members_words(db, world, client, login_as):
    attestation = world["attestation"]
    service.request_changes(db, world["reviewer"], attestation, {"learning": "Formats?"})
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["learning"]["formats"] = ["coaching"]
    add_attestation_version(db, attestation, answers=answers)
    login_as(client, world["reviewer"])
    page = soup(client.get(f"/staff/review/{attestation.id}"))
    diff = page.find("caption", string="What changed since version 1").find_parent("table")
    assert diff.select_one("tbody th").get_text(strip=True) == (
        "B. Learning time: Learning formats used")
    assert [td.get_text(strip=True) for td in diff.select("tbody td")] == [
        "Online courses, Workshops", "Coaching or mentoring"]


@pytest.mark.parametrize("action, data, message", [
    ("approve", {}, "You approved the attestation from Kestrel CRM."),
    ("reject", {"reason": "No records kept."}, "You rejected the attestation from Kestrel CRM."),
    ("request-changes", {"message_dei": "Link your policy."}, "You asked Kestrel CRM for changes."),
])
def test_decision_messages_name_the_company_without_a_possessive(
        db, world, client, login_as, action, data, message):
    attestation = world["attestation"]
    login_as(client, world["reviewer"])
    response = client.submit(f"/staff/review/{attestation.id}/{action}", data)
    assert response.status_code == 302
    text = soup(client.get(response.location)).get_text(" ", strip=True)
    assert message in text
    assert "'s attestation" not in text


def test_assign_message_names_the_company_without_a_possessive(db, world, client, login_as):
    attestation = world["attestation"]
    login_as(client, world["reviewer"])
    response = client.submit(f"/staff/review/{attestation.id}/assign", {},
                             form_url=f"/staff/review/{attestation.id}")
    text = soup(client.get(response.location)).get_text(" ", strip=True)
    assert "The attestation from Kestrel CRM is assigned to you." in text
