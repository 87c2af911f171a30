"""Submitting: the frozen version, the receipt, read-only afterwards, late and closed."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date

import sqlalchemy as sa
from pypdf import PdfReader

from portal.attestations.models import Attestation, AttestationVersion
from portal.audit.models import AuditEvent
from portal.signals import attestation_submitted
from tests.attestations.helpers import (
    WORKFORCE_FORM,
    contributor,
    errors,
    fill_all_sections,
    pledged_company,
    soup,
)

DECLARE = {"confirm": "y", "declaration_name": "Alex Morgan", "declaration_role": "Director"}


def _submit(client):
    return client.submit("/company/attestation/submit", DECLARE,
                         form_url="/company/attestation/check")


def test_submit_freezes_a_version_and_sends_a_receipt(client, db, login_as, frozen_clock,
                                                      outbox):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    fill_all_sections(client)
    received = []

    def receiver(sender, **data):
        received.append(data)

    with attestation_submitted.connected_to(receiver):
        response = _submit(client)
    assert response.status_code == 302, errors(client.get("/company/attestation/check"))
    version = db.execute(sa.select(AttestationVersion)).scalar_one()
    assert version.reference == f"AT-2026-{organisation.id:06d}-1"
    body = json.dumps(version.snapshot, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    assert version.sha256 == hashlib.sha256(body.encode()).hexdigest()
    assert version.snapshot["answers"]["learning"]["total_hours"] == 5600
    assert version.is_late is False
    attestation = db.execute(sa.select(Attestation)).scalar_one()
    assert attestation.status == "submitted"
    assert received and received[-1]["version"].id == version.id
    assert db.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "attestation_submitted")).scalar_one()
    mails = outbox(kind="attestation_receipt")
    assert len(mails) == 1 and version.reference in mails[0].text_body
    page = soup(client.get(response.headers["Location"]))
    assert version.reference in page.select_one(".panel").get_text()


def test_submitted_attestation_is_read_only_and_downloadable_as_pdf(client, db, login_as,
                                                                    frozen_clock):
    organisation, admin, cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    fill_all_sections(client)
    assert _submit(client).status_code == 302
    edit = client.get("/company/attestation/workforce")
    assert edit.status_code == 302
    version = db.execute(sa.select(AttestationVersion)).scalar_one()
    pdf = client.get(f"/attestation-versions/{version.id}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert version.reference in text and organisation.name in text
    assert "5,600" in text


def test_preview_pdf_is_marked_as_preview(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    fill_all_sections(client)
    pdf = client.get("/company/attestation/preview.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "PREVIEW" in text and "Friday learning hour." in text


def test_contributor_can_edit_but_not_submit(client, db, login_as, frozen_clock):
    organisation, _admin, _cycle = pledged_company(db, frozen_clock)
    helper = contributor(db, organisation)
    login_as(client, helper)
    fill_all_sections(client)
    page = soup(client.get("/company/attestation/check"))
    assert page.select_one("form[action='/company/attestation/submit']") is None
    assert "Only an admin" in page.get_text()
    token_page = client.get("/company/attestation/check")
    assert token_page.status_code == 200
    assert client.post("/company/attestation/submit", data=DECLARE).status_code == 403


def test_incomplete_attestation_cannot_be_submitted(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    client.submit("/company/attestation/workforce", WORKFORCE_FORM)
    page = soup(client.get("/company/attestation/check"))
    assert "Complete section B: Learning time" in page.get_text()
    assert db.execute(sa.select(AttestationVersion)).first() is None


def test_late_submission_is_marked_late(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    fill_all_sections(client)
    frozen_clock(date(2026, 8, 15))
    assert "marked late" in soup(client.get("/company/attestation/check")).get_text()
    assert _submit(client).status_code == 302
    assert db.execute(sa.select(AttestationVersion)).scalar_one().is_late is True


def test_after_grace_the_form_is_closed(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    fill_all_sections(client)
    from tests.factories import create_cycle

    create_cycle(db, 2027)
    frozen_clock(date(2027, 1, 2))
    page = soup(client.get("/company/attestation"))
    assert "attestation is closed" in page.get_text()
    assert "The 2027 cycle opens on 1 April 2027." in page.get_text()
    assert client.get("/company/attestation/dei").status_code == 302
    assert _submit(client).status_code == 302
    assert db.execute(sa.select(AttestationVersion)).first() is None


def test_change_links_return_to_check_your_answers(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    fill_all_sections(client)
    page = soup(client.get("/company/attestation/check"))
    change = page.select_one(".summary-list a[href*='/company/attestation/dei']")["href"]
    assert change == "/company/attestation/dei?from=check"
    form = soup(client.get(change))
    version = form.select_one("input[name=row_version]")["value"]
    from tests.attestations.helpers import DEI_FORM

    response = client.submit(change, {**DEI_FORM, "row_version": version})
    assert response.headers["Location"].endswith("/company/attestation/check")
