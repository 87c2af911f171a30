"""Shared arrangements for the attestation tests."""

from __future__ import annotations

import io
from datetime import date

from bs4 import BeautifulSoup

from tests.factories import create_company_with_admin, create_cycle, create_member, create_pledge

WORKFORCE_FORM = {
    "period_start-day": "1", "period_start-month": "1", "period_start-year": "2025",
    "period_end-day": "31", "period_end-month": "12", "period_end-year": "2025",
    "headcount": "100", "fte": "", "row_version": "0", "action": "continue",
}
LEARNING_FORM = {
    "has_policy": "yes", "policy_description": "Friday learning hour.",
    "total_hours": "5,600", "employees_meeting_hour": "90",
    "recording_methods": ["lms", "timesheets"], "formats": ["online_courses"],
    "micro_credentials": "", "row_version": "0", "action": "continue",
}
DEI_FORM = {
    "policy_url": "https://www.example.com/dei", "has_senior_sponsor": "yes",
    "training_completion_pct": "85", "data_collected": ["gender"], "pay_gap_url": "",
    "recruitment_practices": ["anonymised_cvs", "diverse_panels"],
    "has_adjustments_policy": "no", "row_version": "0", "action": "continue",
}
NARRATIVE_FORM = {"highlights": "A learning week.", "plans": "More coaching.",
                  "row_version": "0", "action": "continue"}
FORMS = {"workforce": WORKFORCE_FORM, "learning": LEARNING_FORM, "dei": DEI_FORM,
         "narrative": NARRATIVE_FORM}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def errors(response) -> list[str]:
    page = soup(response)
    return [a.get_text(strip=True) for a in page.select(".error-summary__list a")]


def pledged_company(db, frozen_clock, *, today=date(2026, 5, 1), verified=True):
    """A company with an active pledge, its admin and the 2026 cycle, on a given day."""
    frozen_clock(today)
    organisation, admin = create_company_with_admin(db, verified=verified)
    create_pledge(db, organisation, admin)
    cycle = create_cycle(db, 2026)
    return organisation, admin, cycle


def contributor(db, organisation):
    from portal.auth.models import OrgRole

    return create_member(db, organisation, role=OrgRole.CONTRIBUTOR)


def fill_all_sections(client):
    for key, data in FORMS.items():
        response = client.submit(f"/company/attestation/{key}", data)
        assert response.status_code == 302, (key, errors(response))


def post_file(client, url: str, fields: dict, name: str, data: bytes, filename: str):
    """POST a multipart form encoded in memory (the test client spools big bodies to a
    temporary file it never closes, which pytest reports as a ResourceWarning)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    values = MultiDict(fields)
    values.add(name, FileStorage(io.BytesIO(data), filename=filename))
    boundary, body = encode_multipart(values)
    return client.post(url, data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")
