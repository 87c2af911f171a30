"""Sections A–D: validation messages, answers kept on error, drafts, cross-field rules."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from portal.attestations.models import Attestation
from tests.attestations.helpers import (
    DEI_FORM,
    LEARNING_FORM,
    NARRATIVE_FORM,
    WORKFORCE_FORM,
    contributor,
    errors,
    pledged_company,
    soup,
)


@pytest.fixture
def admin_client(client, db, login_as, frozen_clock):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    client.organisation = organisation
    return client


def _attestation(db):
    db.expire_all()
    return db.execute(sa.select(Attestation)).scalar_one_or_none()


def test_task_list_shows_sections_due_date_and_days_left(admin_client):
    page = soup(admin_client.get("/company/attestation"))
    assert page.h1.get_text(strip=True) == "Annual attestation 2026"
    items = page.select(".task-list__item")
    assert [i.a.get_text(strip=True) for i in items] == [
        "A. Workforce", "B. Learning time", "C. Diversity, equity and inclusion",
        "D. Highlights and plans", "E. Evidence", "F. Check your answers and declare"]
    assert all("Not started" in i.get_text() for i in items)
    assert "31 July 2026" in page.get_text() and "91 days left" in page.get_text()
    assert "do not have to report" not in page.get_text()


def test_company_without_pledge_is_told_to_sign(client, db, login_as, frozen_clock):
    from tests.factories import create_company_with_admin, create_cycle

    frozen_clock(date(2026, 5, 1))
    _organisation, admin = create_company_with_admin(db)
    create_cycle(db, 2026)
    login_as(client, admin)
    assert "signed the People Pillar pledge" in soup(client.get("/company/attestation")).get_text()
    assert client.get("/company/attestation/workforce").status_code == 302


def test_saving_a_section_marks_it_completed(admin_client, db):
    response = admin_client.submit("/company/attestation/workforce", WORKFORCE_FORM)
    assert response.headers["Location"].endswith("/company/attestation/learning")
    attestation = _attestation(db)
    assert attestation.answers["workforce"] == {
        "period_start": "2025-01-01", "period_end": "2025-12-31", "headcount": 100, "fte": None}
    assert attestation.section_status["workforce"] == "completed"
    page = soup(admin_client.get("/company/attestation"))
    assert "Completed" in page.select(".task-list__item")[0].get_text()


@pytest.mark.parametrize("changes, message", [
    ({"headcount": ""}, "Enter the number of employees at the end of the period"),
    ({"headcount": "lots"}, "Number of employees must be a whole number, like 120"),
    ({"headcount": "0"}, "Number of employees must be 1 or more"),
    ({"period_start-day": "", "period_start-month": "", "period_start-year": ""},
     "Enter the start date of the reporting period"),
    ({"period_start-month": ""}, "The start date must include a month"),
    ({"period_end-day": "31", "period_end-month": "2"}, "The end date must be a real date"),
    ({"period_end-year": "25"}, "Year must include 4 numbers, like 2025"),
    ({"period_end-year": "2024"}, "The end date must be after the start date"),
    ({"period_end-year": "2026", "period_end-month": "3"},
     "The reporting period must be 366 days or fewer (this one is 455 days)"),
    ({"period_start-year": "2026", "period_end-year": "2026", "period_end-month": "5",
      "period_start-month": "2"},
     "The reporting period must end before the cycle opens on 1 April 2026"),
    ({"fte": "120"}, "Full-time equivalent (120) cannot be more than the number of employees "
                     "(100)"),
])
def test_workforce_messages(admin_client, db, changes, message):
    response = admin_client.submit("/company/attestation/workforce",
                                   {**WORKFORCE_FORM, **changes})
    assert response.status_code == 200
    assert errors(response) == [message]
    page = soup(response)
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one(".error-message").get_text(" ", strip=True) == f"Error: {message}"
    assert _attestation(db) is None


def test_answers_are_kept_on_error(admin_client):
    response = admin_client.submit("/company/attestation/workforce", {
        **WORKFORCE_FORM, "headcount": "", "period_end-day": "32", "fte": "87.5"})
    page = soup(response)
    assert page.select_one("#period_end")["value"] == "32"
    assert page.select_one("#period_start-year")["value"] == "2025"
    assert page.select_one("#fte")["value"] == "87.5"


def test_numbers_with_commas_and_spaces_are_accepted(admin_client, db):
    admin_client.submit("/company/attestation/workforce", {**WORKFORCE_FORM,
                                                           "headcount": "1 250"})
    admin_client.submit("/company/attestation/learning", {**LEARNING_FORM,
                                                          "total_hours": "65,000.5"})
    answers = _attestation(db).answers
    assert answers["workforce"]["headcount"] == 1250
    assert answers["learning"]["total_hours"] == 65000.5


def test_learning_cross_field_rules_name_the_numbers(admin_client):
    admin_client.submit("/company/attestation/workforce", WORKFORCE_FORM)
    response = admin_client.submit("/company/attestation/learning", {
        **LEARNING_FORM, "employees_meeting_hour": "120", "total_hours": "300,000",
        "has_policy": "yes", "policy_description": ""})
    assert errors(response) == [
        "Enter a description of your protected learning time policy",
        "Total hours (300,000) cannot be more than 40 hours a week for every employee "
        "(208,571 for 100 employees)",
        "Employees meeting the hour (120) cannot exceed headcount (100)",
    ]


@pytest.mark.parametrize("changes, message", [
    ({"has_policy": ""}, "Select yes if you have a protected learning time policy"),
    ({"total_hours": ""}, "Enter the total hours of structured learning in the period"),
    ({"total_hours": "-3"}, "Total hours must be 0 or more"),
    ({"total_hours": "ten"}, "Total hours must be a number, like 5,600"),
    ({"recording_methods": []}, "Select how learning time was recorded"),
    ({"formats": ["made_up"]}, "Select the learning formats used"),
])
def test_learning_messages(admin_client, changes, message):
    response = admin_client.submit("/company/attestation/learning", {**LEARNING_FORM, **changes})
    assert message in errors(response)


@pytest.mark.parametrize("changes, message", [
    ({"policy_url": ""}, "Enter the web address of your published DE&I policy"),
    ({"policy_url": "javascript:alert(1)"},
     "Enter the web address of your DE&I policy in the correct format, like "
     "https://www.example.com"),
    ({"pay_gap_url": "ftp://example.com/x"},
     "Enter the web address of your pay-gap report in the correct format, like "
     "https://www.example.com"),
    ({"pay_gap_url": "http://www.example.com/pay-gap"},
     "Enter the web address of your pay-gap report starting with https:// (not http://), like "
     "https://www.example.com"),
    ({"policy_url": "HTTP://www.example.com/dei"},
     "Enter the web address of your DE&I policy starting with https:// (not http://), like "
     "https://www.example.com"),
    ({"training_completion_pct": "101"}, "The percentage must be 100 or fewer"),
    ({"recruitment_practices": []}, "Select the inclusive recruitment practices you use"),
    ({"has_adjustments_policy": "maybe"}, "Select yes if you have a reasonable-adjustments policy"),
])
def test_dei_messages(admin_client, changes, message):
    response = admin_client.submit("/company/attestation/dei", {**DEI_FORM, **changes})
    assert errors(response) == [message]


def test_an_http_pay_gap_address_is_refused_beside_the_field_keeping_every_answer(
        admin_client, db):
    answers = {**DEI_FORM, "pay_gap_url": "http://www.example.com/pay-gap",
               "training_completion_pct": "72", "data_collected": ["gender", "ethnicity"],
               "has_adjustments_policy": "yes"}
    response = admin_client.submit("/company/attestation/dei", answers)
    assert response.status_code == 200
    page = soup(response)
    message = ("Enter the web address of your pay-gap report starting with https:// "
               "(not http://), like https://www.example.com")
    assert errors(response) == [message]
    assert page.select_one(".error-summary__list a")["href"] == "#pay_gap_url"
    field = page.select_one("#pay_gap_url")
    assert page.select_one("#pay_gap_url-error").get_text(" ", strip=True) == f"Error: {message}"
    assert "pay_gap_url-error" in field["aria-describedby"]
    assert field["value"] == "http://www.example.com/pay-gap"  # as typed, to correct
    assert page.select_one("#policy_url")["value"] == "https://www.example.com/dei"
    assert page.select_one("#training_completion_pct")["value"] == "72"
    assert page.select_one("#has_senior_sponsor").has_attr("checked")
    assert {box["value"] for box in page.select("input[name=data_collected][checked]")} == {
        "gender", "ethnicity"}
    assert {box["value"] for box in page.select("input[name=recruitment_practices][checked]")} \
        == {"anonymised_cvs", "diverse_panels"}
    assert page.select_one("input[name=has_adjustments_policy][value=yes]").has_attr("checked")
    assert _attestation(db) is None  # nothing saved

    admin_client.submit("/company/attestation/dei",
                        {**answers, "pay_gap_url": "https://www.example.com/pay-gap"})
    assert _attestation(db).answers["dei"]["pay_gap_url"] == "https://www.example.com/pay-gap"


def test_an_address_without_a_scheme_is_kept_as_https(admin_client, db):
    admin_client.submit("/company/attestation/dei", {
        **DEI_FORM, "policy_url": "www.example.com/dei", "pay_gap_url": "www.example.com/gap"})
    dei = _attestation(db).answers["dei"]
    assert (dei["policy_url"], dei["pay_gap_url"]) == (
        "https://www.example.com/dei", "https://www.example.com/gap")


def test_narrative_limit_says_how_many_characters_to_remove(admin_client):
    response = admin_client.submit("/company/attestation/narrative", {
        **NARRATIVE_FORM, "highlights": "x" * 2005})
    assert errors(response) == ["Highlights must be 2,000 characters or fewer (remove 5 "
                                "characters)"]
    assert soup(response).select_one("#highlights").get_text() == "x" * 2005


def test_save_and_come_back_later_keeps_invalid_answers(admin_client, db, client, login_as):
    response = admin_client.submit("/company/attestation/learning", {
        **LEARNING_FORM, "total_hours": "ten", "action": "later"})
    assert response.status_code == 302
    attestation = _attestation(db)
    assert attestation.section_status["learning"] == "in_progress"
    # Another session (a colleague) sees exactly what was typed.
    colleague = contributor(db, admin_client.organisation)
    other = type(client)(client.application.test_client())
    login_as(other, colleague)
    page = soup(other.get("/company/attestation/learning"))
    assert page.select_one("#total_hours")["value"] == "ten"
    assert page.select_one("#policy_description").get_text() == "Friday learning hour."
    assert "In progress" in soup(other.get("/company/attestation")).get_text()


def test_draft_persists_across_sessions(admin_client, db, client, login_as):
    admin_client.submit("/company/attestation/dei", DEI_FORM)
    colleague = contributor(db, admin_client.organisation)
    other = type(client)(client.application.test_client())
    login_as(other, colleague)
    page = soup(other.get("/company/attestation/dei"))
    assert page.select_one("#policy_url")["value"] == "https://www.example.com/dei"
    assert page.select_one("#has_senior_sponsor")["checked"] is not None
    assert page.select_one("#recruitment_practices")["checked"] is not None


@given(headcount=st.integers(1, 100_000), meeting=st.integers(0, 200_000))
def test_coverage_never_exceeds_headcount(admin_client, db, headcount, meeting):
    admin_client.submit("/company/attestation/workforce", {
        **WORKFORCE_FORM, "headcount": f"{headcount:,}",
        "row_version": str(_version(db, "workforce"))})
    response = admin_client.submit("/company/attestation/learning", {
        **LEARNING_FORM, "employees_meeting_hour": f"{meeting:,}", "total_hours": "1",
        "row_version": str(_version(db, "learning"))})
    rejected = f"Employees meeting the hour ({meeting:,}) cannot exceed headcount " \
               f"({headcount:,})" in errors(response)
    assert rejected == (meeting > headcount)
    if not rejected:
        assert response.status_code == 302
        assert _attestation(db).coverage_pct <= 100


@given(hours=st.decimals(min_value=0, max_value=10_000_000, places=1))
def test_hours_ceiling_is_headcount_times_40_times_weeks(admin_client, db, hours):
    admin_client.submit("/company/attestation/workforce", {
        **WORKFORCE_FORM, "row_version": str(_version(db, "workforce"))})
    response = admin_client.submit("/company/attestation/learning", {
        **LEARNING_FORM, "total_hours": f"{hours:,}", "employees_meeting_hour": "1",
        "row_version": str(_version(db, "learning"))})
    over = any(e.startswith("Total hours (") for e in errors(response))
    assert over == (hours > 208_571)


def _version(db, key):
    attestation = _attestation(db)
    return (attestation.section_versions or {}).get(key, 0) if attestation else 0


def test_lowering_headcount_after_section_b_is_caught_before_submit(admin_client, db):
    admin_client.submit("/company/attestation/workforce", WORKFORCE_FORM)
    admin_client.submit("/company/attestation/learning", {**LEARNING_FORM,
                                                          "employees_meeting_hour": "90"})
    response = admin_client.submit("/company/attestation/workforce", {
        **WORKFORCE_FORM, "headcount": "1", "row_version": "1"})
    assert response.status_code == 302
    assert _attestation(db).coverage_pct is None
    page = soup(admin_client.get("/company/attestation/check"))
    assert "Employees meeting the hour (90) cannot exceed headcount (1)" in page.get_text()


def test_new_signers_are_told_reporting_is_optional(client, db, login_as, frozen_clock):
    from tests.factories import create_company_with_admin, create_cycle, create_pledge

    frozen_clock(date(2026, 7, 1))
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin)
    create_cycle(db, 2026)
    login_as(client, admin)
    text = soup(client.get("/company/attestation")).get_text(" ", strip=True)
    assert "you do not have to report for 2026" in text
