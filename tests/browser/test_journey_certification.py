"""Journeys 2-4: attest, be reviewed (a change request, then approval), get and lose a certificate.

Each person has their own browser: the member admin, the reviewer, two staff admins and a
member of the public. The company, its pledge and the open cycle are arranged in the database
(journey 1 covers registering and signing through the pages).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import certification_steps as cert
from tests.browser import steps

pytestmark = pytest.mark.postgres_only

REVIEWER = "rita.reviewer@association.example"
STAFF_ADMIN = "ada.admin@association.example"
SECOND_ADMIN = "sam.admin@association.example"


def test_attest_review_certify_verify_and_revoke(
        open_page, audit, staff_account, open_cycle, pledged_company, tmp_path):
    company, year = pledged_company, open_cycle
    member, reviewer, public = open_page(), open_page(), open_page()

    # Journey 2: the member admin fills the attestation section by section and submits.
    steps.sign_in(member, audit, company.email, company.password)
    steps.heading(member, company.name)
    cert.open_task_list(member, audit, year)
    audit(member, "attestation: task list")
    cert.fill_workforce(member, audit, year)
    cert.fill_learning_from_csv(member, audit)
    cert.fill_dei(member, audit)
    cert.fill_narrative(member, audit, "A learning week for everyone.")
    cert.upload_evidence(member, audit)
    cert.declare_and_submit(member, audit, company.person, "first")

    # Journey 3: the reviewer asks for a change to one section; the member makes it.
    staff_account(REVIEWER, "reviewer")
    steps.staff_sign_in(reviewer, audit, REVIEWER)
    cert.open_from_queue(reviewer, audit, company.name, "submitted")
    cert.request_changes(reviewer, audit, "D. Highlights and plans",
                         "Say how many people took part in the learning week.")

    cert.open_task_list(member, audit, year)
    expect(member.get_by_role("status")).to_contain_text("Changes requested")
    audit(member, "attestation: task list (changes requested)")
    member.get_by_role("link", name="D. Highlights and plans").click()
    expect(member.get_by_role("status")).to_contain_text("Say how many people took part")
    audit(member, "attestation: highlights and plans (change requested)")
    cert.fill_narrative(member, audit, "A learning week: 4 of our 4 people took part.")
    member.get_by_role("link", name="Back to the task list").click()
    member.get_by_role("link", name="F. Check your answers and declare").click()
    cert.declare_and_submit(member, audit, company.person, "resubmitted")

    cert.open_from_queue(reviewer, audit, company.name, "resubmitted")
    expect(reviewer.get_by_role("main")).to_contain_text("4 of our 4 people took part")
    cert.approve(reviewer, audit)

    # Journey 4: the member downloads the certificate; the public scans its QR code.
    cert.open_company_page(member, "Certificates")
    steps.heading(member, "Certificates")
    audit(member, "certificates")
    row = member.get_by_role("row").filter(has_text=str(year))
    expect(row.get_by_role("cell").nth(2)).to_have_text("Valid")
    number = row.get_by_role("cell").first.inner_text().strip()
    with member.expect_download() as download:
        row.get_by_role("link", name="Download PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    verify_url = cert.scan_qr_code(pdf, tmp_path)

    response = public.goto(verify_url)
    assert response.status == 200
    steps.heading(public, "This certificate is valid")
    expect(public.get_by_role("main")).to_contain_text(company.name)
    audit(public, "verify: valid")
    verify_by_number(public, audit, number, verify_url)
    check_the_file(public, audit, pdf, tmp_path)

    # One staff admin asks to revoke it, a second confirms; the same URL then says revoked.
    first_admin = open_page()
    staff_account(STAFF_ADMIN, "admin")
    steps.staff_sign_in(first_admin, audit, STAFF_ADMIN)
    open_certificate(first_admin, audit, number)
    first_admin.get_by_role("link", name="Revoke this certificate").click()
    steps.heading(first_admin, "Revoke this certificate")
    audit(first_admin, "certificate: revoke")
    first_admin.get_by_label("Why are you revoking this certificate?").fill(
        "The company asked us to withdraw it.")
    first_admin.get_by_role("button", name="Ask for the revocation").click()
    expect(first_admin.get_by_role("status").filter(has_text="Revocation of")) \
        .to_contain_text("A second staff admin must")
    audit(first_admin, "certificate: revocation requested")

    second_admin = open_page()
    staff_account(SECOND_ADMIN, "admin")
    steps.staff_sign_in(second_admin, audit, SECOND_ADMIN)
    open_certificate(second_admin, audit, number)
    second_admin.get_by_role("button", name="Confirm the revocation").click()
    expect(second_admin.get_by_role("main")).to_contain_text("Revoked")

    response = public.goto(verify_url)
    assert response.status == 410
    assert response.headers["cache-control"] == "no-store"
    steps.heading(public, "This certificate has been revoked")
    expect(public.get_by_role("main")).to_contain_text("The company asked us to withdraw it.")
    audit(public, "verify: revoked")


def open_certificate(page, audit, number: str) -> None:
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Certificates").click()
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("main")).to_contain_text(number)
    audit(page, "staff: certificate")


def check_the_file(page, audit, pdf: bytes, tmp_path) -> None:
    """Someone sent the PDF by email: is it the original? (A page of its own.)"""
    page.get_by_role("link", name="check the file is the original").click()
    steps.heading(page, "Check a PDF file is the original")
    audit(page, "verify: check a file")
    original = tmp_path / "certificate-from-email.pdf"
    original.write_bytes(pdf)
    page.get_by_label("Upload the PDF file").set_input_files(original)
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status")).to_contain_text(
        "certificate-from-email.pdf is the original file")
    audit(page, "verify: file checked")
    page.get_by_role("link", name="Back to certificate").click()
    steps.heading(page, "This certificate is valid")


def verify_by_number(page, audit, number: str, verify_url: str) -> None:
    """Typed from the paper: a slip in the check digit is caught, the right number found."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Verify a certificate").click()
    steps.heading(page, "Verify a certificate")
    audit(page, "verify a certificate")
    mistyped = number[:-1] + str((int(number[-1]) + 1) % 10)
    page.get_by_label("Certificate number").fill(mistyped)
    page.get_by_role("button", name="Check the certificate").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    audit(page, "verify a certificate (errors)")
    page.get_by_label("Certificate number").fill(number.lower().replace("-", " "))
    page.get_by_role("button", name="Check the certificate").click()
    steps.heading(page, "This certificate is valid")
    assert page.url == verify_url
