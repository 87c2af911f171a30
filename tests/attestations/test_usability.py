"""Usability review fixes: new signers, decimal commas, revoked certificates, small wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.attestations.models import Attestation, AttestationVersion
from portal.directory.status import StatusCode, public_status
from tests.attestations.helpers import (
    DEI_FORM,
    WORKFORCE_FORM,
    errors,
    fill_all_sections,
    soup,
)
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)

DECLARE = {"confirm": "y", "declaration_name": "Alex Morgan", "declaration_role": "Director"}


def _text(response) -> str:
    return soup(response).get_text(" ", strip=True)


def _submit(client, data=DECLARE):
    return client.submit("/company/attestation/submit", data,
                         form_url="/company/attestation/check")


def _company(db, frozen_clock, *, signed_on: date, today: date):
    """A company that signed the pledge on `signed_on`, looked at on `today` (cycle 2026:
    due 31 July, grace until 31 December, new-signer window 60 days)."""
    frozen_clock(today)
    organisation, admin = create_company_with_admin(db)
    create_pledge(db, organisation, admin,
                  signed_at=datetime.combine(signed_on, datetime.min.time(), UTC)
                  + timedelta(hours=12))
    cycle = create_cycle(db, 2026)
    return organisation, admin, cycle


# 1. New signers -----------------------------------------------------------------------------

@pytest.mark.parametrize("signed_on, today, reason", [
    (date(2026, 11, 25), date(2026, 11, 25),
     "You signed the pledge on 25 November 2026, after the 2026 due date (31 July 2026), so "
     "you do not have to report for 2026."),
    (date(2026, 7, 15), date(2026, 8, 20),
     "You signed the pledge on 15 July 2026, less than 60 days before the 2026 due date "
     "(31 July 2026), so you do not have to report for 2026."),
    (date(2026, 7, 1), date(2026, 7, 2),
     "You signed the pledge on 1 July 2026, less than 60 days before the 2026 due date "
     "(31 July 2026), so you do not have to report for 2026."),
])
def test_new_signers_are_told_one_consistent_thing(client, db, login_as, frozen_clock,
                                                   signed_on, today, reason):
    organisation, admin, _cycle = _company(db, frozen_clock, signed_on=signed_on, today=today)
    login_as(client, admin)
    text = _text(client.get("/company/attestation"))
    assert reason in text
    assert "Your first attestation is due in the 2027 cycle." in text
    assert "Overdue" not in text and "marked late" not in text
    assert "Optional for 2026: you can send it until 31 December 2026" in text
    panel = soup(client.get("/company")).select_one(".attestation-panel").get_text(" ",
                                                                                  strip=True)
    assert reason.split(", so")[0] in panel and "first attestation is due in the 2027" in panel
    assert "Not started" in panel
    assert "Deadline" not in panel and "deadline was" not in panel and "Late" not in panel
    # The public status follows the same rule: Pledged, not Overdue or Reporting due.
    assert public_status(db, organisation, today).code == StatusCode.PLEDGED


@pytest.mark.parametrize("signed_on, optional", [(date(2026, 6, 1), False),
                                                 (date(2026, 6, 2), True)])
def test_window_boundary_agrees_with_the_public_status(client, db, login_as, frozen_clock,
                                                       signed_on, optional):
    organisation, admin, _cycle = _company(db, frozen_clock, signed_on=signed_on,
                                           today=date(2026, 8, 15))
    login_as(client, admin)
    text = _text(client.get("/company/attestation"))
    assert ("do not have to report for 2026" in text) is optional
    assert ("Overdue" in text) is not optional
    expected = StatusCode.PLEDGED if optional else StatusCode.OVERDUE
    assert public_status(db, organisation, date(2026, 8, 15)).code == expected


def test_new_signer_who_reports_anyway_is_not_marked_late(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 11, 25),
                                            today=date(2026, 11, 25))
    login_as(client, admin)
    fill_all_sections(client)
    assert "marked late" not in _text(client.get("/company/attestation/check"))
    response = _submit(client)
    assert response.status_code == 302
    version = db.execute(sa.select(AttestationVersion)).scalar_one()
    assert version.is_late is False and version.snapshot["is_late"] is False
    assert db.execute(sa.select(Attestation)).scalar_one().is_late is False
    assert "marked late" not in _text(client.get(response.headers["Location"]))
    assert "late" not in _text(client.get("/company/attestation"))
    panel = soup(client.get("/company")).select_one(".attestation-panel")
    assert "Late" not in panel.get_text()


def test_company_that_owes_the_report_is_still_overdue_and_late(client, db, login_as,
                                                                frozen_clock):
    organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 5, 1),
                                           today=date(2026, 5, 1))
    login_as(client, admin)
    fill_all_sections(client)
    frozen_clock(date(2026, 8, 15))
    text = _text(client.get("/company/attestation"))
    assert "Overdue: it was due on 31 July 2026" in text and "do not have to report" not in text
    assert public_status(db, organisation, date(2026, 8, 15)).code == StatusCode.OVERDUE
    assert "marked late" in _text(client.get("/company/attestation/check"))
    assert _submit(client).status_code == 302
    assert db.execute(sa.select(AttestationVersion)).scalar_one().is_late is True


def _request_changes(db, messages):
    attestation = db.execute(sa.select(Attestation)).scalar_one()
    db.refresh(attestation)
    attestation.status = "changes_requested"
    attestation.review_messages = messages
    attestation.changes_due_on = date(2026, 9, 1)
    db.commit()
    return attestation


def test_changes_sent_within_the_change_deadline_are_not_late(client, db, login_as,
                                                              frozen_clock):
    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 5, 1),
                                            today=date(2026, 5, 1))
    login_as(client, admin)
    fill_all_sections(client)
    frozen_clock(date(2026, 8, 10))
    assert _submit(client).status_code == 302  # late: after 31 July
    frozen_clock(date(2026, 8, 20))
    _request_changes(db, {"dei": "Link the published policy, not the draft."})
    text = _text(client.get("/company/attestation"))
    assert "Overdue" not in text and "Send your changes by 1 September 2026" in text
    assert "marked late" not in _text(client.get("/company/attestation/check"))
    assert _submit(client).status_code == 302
    versions = db.execute(sa.select(AttestationVersion).order_by(
        AttestationVersion.number)).scalars().all()
    assert [v.is_late for v in versions] == [True, False]
    assert db.execute(sa.select(Attestation)).scalar_one().is_late is False


def test_section_asked_to_change_shows_one_tag_until_changed(client, db, login_as,
                                                            frozen_clock):
    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 5, 1),
                                            today=date(2026, 5, 1))
    login_as(client, admin)
    fill_all_sections(client)
    assert _submit(client).status_code == 302
    _request_changes(db, {"dei": "Link the published policy."})

    def dei_tags():
        page = soup(client.get("/company/attestation"))
        return [tag.get_text(strip=True) for tag in page.select("#task-dei-status .tag")]

    assert dei_tags() == ["Reviewer asked for changes"]
    version = soup(client.get("/company/attestation/dei")).select_one(
        "input[name=row_version]")["value"]
    response = client.submit("/company/attestation/dei", {
        **DEI_FORM, "policy_url": "https://www.example.com/dei-2026", "row_version": version})
    assert response.status_code == 302, errors(response)
    assert dei_tags() == ["Completed"]


# 2. Decimal commas --------------------------------------------------------------------------

@pytest.mark.parametrize("fte", ["12,5", "12,50", "1.250,5", "1,2345", "12 5"])
def test_decimal_comma_in_fte_is_refused_not_multiplied(client, db, login_as, frozen_clock,
                                                       fte):
    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 5, 1),
                                            today=date(2026, 5, 1))
    login_as(client, admin)
    response = client.submit("/company/attestation/workforce", {**WORKFORCE_FORM, "fte": fte})
    assert errors(response) == ["Enter the full-time equivalent as a number, like 87.5"]
    assert soup(response).select_one("#fte")["value"] == fte
    assert db.execute(sa.select(Attestation)).first() is None


@pytest.mark.parametrize("fte, stored", [("87.5", 87.5), ("87", 87), ("1,000", 1000),
                                         ("1,000.5", 1000.5), ("1 000", 1000)])
def test_fte_numbers_people_write_are_accepted(client, db, login_as, frozen_clock, fte, stored):
    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 5, 1),
                                            today=date(2026, 5, 1))
    login_as(client, admin)
    response = client.submit("/company/attestation/workforce",
                             {**WORKFORCE_FORM, "headcount": "1,250", "fte": fte})
    assert response.status_code == 302, errors(response)
    answers = db.execute(sa.select(Attestation)).scalar_one().answers["workforce"]
    assert answers["fte"] == stored and answers["headcount"] == 1250


def test_decimal_comma_in_total_hours_is_refused(client, db, login_as, frozen_clock):
    from tests.attestations.helpers import LEARNING_FORM

    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 5, 1),
                                            today=date(2026, 5, 1))
    login_as(client, admin)
    client.submit("/company/attestation/workforce", WORKFORCE_FORM)
    response = client.submit("/company/attestation/learning",
                             {**LEARNING_FORM, "total_hours": "5600,5"})
    assert errors(response) == ["Enter the total hours as a number, like 5,600"]


# 4. Revoked certificate ---------------------------------------------------------------------

def test_revoked_certificate_is_shown_with_when_why_and_what_to_do(client, db, login_as,
                                                                   frozen_clock):
    organisation, admin, cycle = _company(db, frozen_clock, signed_on=date(2026, 5, 1),
                                          today=date(2026, 9, 1))
    attestation = create_attestation(db, organisation, cycle, status="approved")
    certificate = create_certificate(db, organisation, cycle, attestation,
                                     revoked_at=datetime(2026, 8, 20, 10, tzinfo=UTC))
    certificate.revocation_reason = "The learning figures could not be verified."
    db.commit()
    login_as(client, admin)
    page = soup(client.get("/company/attestation"))
    text = page.get_text(" ", strip=True)
    assert "Your certificate was revoked" in text
    assert f"certificate {certificate.number} was revoked on 20 August 2026" in text
    assert "The learning figures could not be verified." in text
    assert "to ask what you need to do" in text
    assert "See your certificate" not in text
    assert "Certificate revoked" in page.select_one(".tag").get_text()
    panel = soup(client.get("/company")).select_one(".attestation-panel").get_text(" ",
                                                                                  strip=True)
    assert "Certificate revoked" in panel and "revoked on 20 August 2026" in panel
    assert "Contact us" in panel


def test_valid_certificate_still_links_to_it(client, db, login_as, frozen_clock):
    organisation, admin, cycle = _company(db, frozen_clock, signed_on=date(2026, 5, 1),
                                          today=date(2026, 9, 1))
    attestation = create_attestation(db, organisation, cycle, status="approved")
    create_certificate(db, organisation, cycle, attestation)
    login_as(client, admin)
    text = _text(client.get("/company/attestation"))
    assert "revoked" not in text and "Approved" in text


# 5. Minor -----------------------------------------------------------------------------------

def test_panel_says_not_started_when_nothing_exists(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 4, 1),
                                            today=date(2026, 5, 1))
    login_as(client, admin)
    panel = soup(client.get("/company")).select_one(".attestation-panel")
    assert panel.select_one(".tag").get_text(strip=True) == "Not started"
    client.submit("/company/attestation/workforce", WORKFORCE_FORM)
    panel = soup(client.get("/company")).select_one(".attestation-panel")
    assert panel.select_one(".tag").get_text(strip=True) == "Draft"


def test_declaration_error_redirects_and_keeps_what_was_typed(client, db, login_as,
                                                              frozen_clock):
    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 4, 1),
                                            today=date(2026, 5, 1))
    login_as(client, admin)
    fill_all_sections(client)
    response = _submit(client, {**DECLARE, "declaration_role": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/company/attestation/check")
    page = client.get("/company/attestation/check")
    assert errors(page) == ["Enter your job title"]
    form = soup(page)
    assert form.select_one("#confirm").has_attr("checked")
    assert form.select_one("#declaration_name")["value"] == "Alex Morgan"
    assert soup(page).title.get_text().startswith("Error: ")
    # The errors are shown once: a refresh is a clean page.
    assert errors(client.get("/company/attestation/check")) == []
    response = _submit(client, {**DECLARE, "confirm": ""})
    page = client.get(response.headers["Location"])
    assert errors(page) == ["Select the box to confirm the declaration"]
    assert db.execute(sa.select(AttestationVersion)).first() is None


def test_hidden_change_link_text_keeps_the_label_case(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = _company(db, frozen_clock, signed_on=date(2026, 4, 1),
                                            today=date(2026, 5, 1))
    login_as(client, admin)
    fill_all_sections(client)
    page = soup(client.get("/company/attestation/check"))
    hidden = [span.get_text() for span in page.select(".summary-list .visually-hidden")]
    assert not [text for text in hidden if "de&i" in text]
    assert any("DE&I" in text for text in hidden)


def test_locked_form_says_why_where_the_user_is(client, db, login_as, frozen_clock):
    organisation, admin, cycle = _company(db, frozen_clock, signed_on=date(2026, 4, 1),
                                          today=date(2026, 9, 1))
    create_attestation(db, organisation, cycle, status="approved")
    login_as(client, admin)
    response = client.get("/company/attestation/evidence")
    assert response.status_code == 302
    text = _text(client.get(response.headers["Location"]))
    assert "Your attestation was approved, so it cannot be changed." in text
    assert "the task list says why" not in text
