"""Sampling audits are reproducible from their seed; the CSV export streams every company."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.auth.models import User
from portal.review import export, sampling, service
from portal.review.models import SampledAttestation, SampleOutcome
from tests.factories import create_attestation, create_company_with_admin


def soup(response):
    return BeautifulSoup(response.data, "html.parser")


def test_sample_is_reproducible_from_seed_and_percentage():
    population = list(range(1, 201))
    first = sampling.sample_ids(population, 10, "2026-07-01")
    assert len(first) == 20
    assert sampling.sample_ids(list(reversed(population)), 10, "2026-07-01") == first
    assert sampling.sample_ids(population, 10, "another seed") != first
    assert sampling.sample_ids(population[:3], 10, "x") != []  # at least one
    assert sampling.sample_ids([], 10, "x") == []


def _approved_companies(db, cycle, count):
    return [create_attestation(db, create_company_with_admin(db)[0], cycle, status="approved")
            for _ in range(count)]


def test_drawing_a_sample_through_the_page(db, world, client, login_as, outbox):
    approved = _approved_companies(db, world["cycle"], 12)
    login_as(client, world["staff_admin"])
    page = soup(client.submit("/staff/review/sampling/new",
                              {"cycle_id": "", "percentage": "0", "seed": "", "message": ""}))
    assert [a.get_text() for a in page.select(".error-summary a")] == [
        "Select the reporting cycle", "The percentage must be 1 or more",
        "Enter a seed, for example today's date",
        "Enter the message to send to the sampled companies"]
    response = client.submit("/staff/review/sampling/new", {
        "cycle_id": str(world["cycle"].id), "percentage": "10", "seed": "audit-2026",
        "message": "Send us your LMS export."})
    assert response.status_code == 302
    sampled = sorted(db.execute(sa.select(SampledAttestation.attestation_id)).scalars())
    expected = sampling.sample_ids([a.id for a in approved], 10, "audit-2026")
    assert sampled == expected and len(sampled) == 2
    assert len(outbox(kind="review_evidence_request")) == 2

    audit_page = soup(client.get(response.location))
    assert "audit-2026" in audit_page.get_text()
    row = db.execute(sa.select(SampledAttestation)).scalars().first()
    outcome_url = f"/staff/review/sampling/{row.sampling_audit_id}/{row.id}"
    page = soup(client.submit(outcome_url, {"note": ""}))
    assert [a.get_text() for a in page.select(".error-summary a")] == [
        "Select the outcome of the evidence check", "Enter what you checked and found"]
    assert client.submit(outcome_url, {"outcome": "confirmed",
                                       "note": "LMS export matches."}).status_code == 302
    db.expire_all()
    assert db.get(SampledAttestation, row.id).outcome == SampleOutcome.CONFIRMED


def test_no_sample_without_approved_attestations(world, client, login_as):
    login_as(client, world["staff_admin"])
    page = soup(client.submit("/staff/review/sampling/new", {
        "cycle_id": str(world["cycle"].id), "percentage": "10", "seed": "s",
        "message": "m"}))
    assert "No attestation has been approved in the 2026 cycle yet." in page.select_one(
        "#cycle_id-error").get_text()


def test_sampling_is_for_staff_admins(world, client, login_as):
    login_as(client, world["reviewer"])
    assert client.get("/staff/review/sampling").status_code == 403
    assert client.get("/staff/review/exports").status_code == 403


def test_export_has_one_row_per_company_and_every_column(db, world, client, login_as):
    _approved_companies(db, world["cycle"], 3)
    evil_org, _ = create_company_with_admin(db, "=HYPERLINK(\"http://x\")")
    create_attestation(db, evil_org, world["cycle"])
    service.request_changes(db, world["reviewer"], world["attestation"], {"dei": "Link it."})
    db.commit()
    login_as(client, world["staff_admin"])
    response = client.get("/staff/review/exports/2026.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "pledge-portal-attestations-2026.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 5
    assert list(rows[0]) == list(export.COLUMNS)
    kestrel = next(r for r in rows if r["company"] == "Kestrel CRM")
    assert kestrel["status"] == "changes_requested"
    assert kestrel["decision"] == "changes_requested"
    assert kestrel["learning.total_hours"] == "5600"
    assert kestrel["learning.formats"] == "online_courses;workshops"
    assert kestrel["dei.has_senior_sponsor"] == "yes"
    assert any(r["company"].startswith("'=HYPERLINK") for r in rows)
    assert client.get("/staff/review/exports/1999.csv").status_code == 404


def test_export_streams_in_batches(app, db, world):
    _approved_companies(db, world["cycle"], 5)
    chunks = list(export.stream_csv(app.extensions["db_sessionmaker"], world["cycle"].id, 2026,
                                    batch_size=2))
    assert len(chunks) == 1 + 3  # header, then 6 rows in batches of 2
    assert sum(chunk.count("\n") for chunk in chunks) == 7


def test_sampled_company_uploads_evidence_into_its_slot(db, world, client, login_as, outbox):
    from portal.attestations.models import EvidenceFile

    approved = _approved_companies(db, world["cycle"], 1)[0]
    audit = sampling.draw_sample(db, world["staff_admin"], world["cycle"], 10, "s", "Send it.")
    db.commit()
    sampled = db.execute(sa.select(SampledAttestation)).scalar_one()
    url = f"/company/evidence-checks/{sampled.id}"
    [mail] = outbox(kind="review_evidence_request")
    assert f"http://localhost{url}" in mail.text_body
    admin = db.execute(sa.select(User).where(
        User.organisation_id == approved.organisation_id)).scalar_one()

    login_as(client, world["admin"])  # another company's admin
    assert client.get(url).status_code == 404
    login_as(client, admin)
    page = soup(client.get(url))
    assert page.h1.get_text(strip=True) == "Evidence check" and "Send it." in page.get_text()
    response = client.submit(url, {"file": (io.BytesIO(b"MZ\x90\x00binary"), "x.pdf")},
                             content_type="multipart/form-data")
    assert "The selected file must be a PDF, CSV, XLSX, PNG or JPEG" in soup(
        response).select_one("#file-error").get_text()
    response = client.submit(url, {"file": (io.BytesIO(b"%PDF-1.4 records"), "lms.pdf")},
                             content_type="multipart/form-data")
    assert response.status_code == 302
    evidence = db.execute(sa.select(EvidenceFile)).scalar_one()
    assert (evidence.purpose, evidence.filename) == ("sampling", "lms.pdf")
    db.expire_all()
    assert db.get(SampledAttestation, sampled.id).evidence_received_at is not None
    [notice] = outbox(kind="staff_evidence_received")
    assert notice.to_addr == world["staff_admin"].email
    assert f"http://localhost/staff/review/sampling/{audit.id}" in notice.text_body
    assert audit.id == sampled.sampling_audit_id
    assert "Evidence sent" in soup(client.get("/company/evidence-checks")).get_text()
    login_as(client, world["staff_admin"])
    assert "Received" in soup(client.get(f"/staff/review/sampling/{audit.id}")).get_text()
    assert "lms.pdf" in soup(client.get(f"/staff/review/{approved.id}")).get_text()


def test_a_failed_evidence_check_leads_to_revoking_the_certificate(db, world, client,
                                                                   login_as):
    from tests.factories import create_certificate

    attestation = _approved_companies(db, world["cycle"], 1)[0]
    certificate = create_certificate(db, attestation.organisation, world["cycle"], attestation)
    audit = sampling.draw_sample(db, world["staff_admin"], world["cycle"], 10, "s", "m")
    db.commit()
    sampled = db.execute(sa.select(SampledAttestation)).scalar_one()
    login_as(client, world["staff_admin"])
    response = client.submit(f"/staff/review/sampling/{audit.id}/{sampled.id}",
                             {"outcome": "revoked", "note": "No records at all."})
    assert response.location == f"/staff/certificates/{certificate.id}/revoke"
    db.expire_all()
    assert db.get(SampledAttestation, sampled.id).outcome == SampleOutcome.REVOKED


def _company_nav_link(client, text):
    nav = soup(client.get("/company")).find("nav", attrs={"aria-label": "Your company"})
    return nav.find("a", string=text)


def test_company_admins_reach_their_evidence_checks_from_the_company_navigation(
        db, world, client, login_as):
    from portal.auth.models import OrgRole
    from tests.factories import create_member

    approved = _approved_companies(db, world["cycle"], 1)[0]
    sampling.draw_sample(db, world["staff_admin"], world["cycle"], 10, "s", "Send it.")
    db.commit()
    sampled = db.execute(sa.select(SampledAttestation)).scalar_one()
    admin = db.execute(sa.select(User).where(
        User.organisation_id == approved.organisation_id)).scalar_one()

    login_as(client, admin)
    link = _company_nav_link(client, "Evidence checks")
    assert link["href"] == "/company/evidence-checks"
    page = soup(client.get(link["href"]))
    assert page.h1.get_text(strip=True) == "Evidence checks"
    assert page.find("nav", attrs={"aria-label": "Your company"}).find(
        "a", attrs={"aria-current": "page"}).get_text(strip=True) == "Evidence checks"
    check = page.find("a", string=lambda text: text and text.startswith("Evidence check of"))
    assert check["href"] == f"/company/evidence-checks/{sampled.id}"
    assert "Waiting for your evidence" in page.get_text()
    assert client.get(check["href"]).status_code == 200

    # Any company admin finds the page (it says when nothing was asked); those who may not
    # open it are not shown the link.
    login_as(client, world["admin"])
    assert _company_nav_link(client, "Evidence checks") is not None
    assert "has not been asked for an evidence check" in soup(
        client.get("/company/evidence-checks")).get_text()
    contributor = create_member(db, world["organisation"], role=OrgRole.CONTRIBUTOR)
    login_as(client, contributor)
    assert _company_nav_link(client, "Evidence checks") is None
    assert client.get("/company/evidence-checks").status_code == 403
