"""Journeys 2-4 step by step: the annual attestation, staff review, the certificate."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.steps import heading

LEARNING_RECORD = (
    b"employee_ref,hours,fte\n"
    b"E001,70,\n"
    b"E002,65,1\n"
    b"E003,40,0.5\n"
    b"E004,60,\n"
)
# A one-page PDF: the portal checks the type from the content, not the name.
POLICY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def error_summary(page):
    return page.get_by_role("alert").filter(has_text="There is a problem")


def save_and_continue(page) -> None:
    page.get_by_role("button", name="Save and continue").click()


def fill_date(page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def open_company_page(page, link: str) -> None:
    """Main navigation "Your company", then a link of the company's own navigation."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your company").click()
    page.get_by_role("navigation", name="Your company").get_by_role("link", name=link).click()


def open_task_list(page, audit, year: int) -> None:
    open_company_page(page, "Annual attestation")
    heading(page, f"Annual attestation {year}")


def fill_workforce(page, audit, year: int) -> None:
    """Section A, with a mistake corrected from the error summary."""
    page.get_by_role("link", name="A. Workforce").click()
    heading(page, "Workforce")
    audit(page, "attestation: workforce")
    fill_date(page, "Start date", date(year - 1, 1, 1))
    fill_date(page, "End date", date(year - 1, 12, 31))
    headcount = page.get_by_label("Number of employees at the end of the period")
    headcount.fill("four")
    save_and_continue(page)
    expect(error_summary(page)).to_be_focused()
    audit(page, "attestation: workforce (errors)")
    error_summary(page).get_by_role("link").first.click()
    expect(headcount).to_be_focused()
    headcount.fill("4")
    save_and_continue(page)
    heading(page, "Learning time")


def fill_learning_from_csv(page, audit) -> None:
    """Section B: the totals come from an imported learning-record CSV."""
    audit(page, "attestation: learning time")
    page.get_by_role("link", name="Import it as a CSV file").click()
    heading(page, "Import a learning record")
    audit(page, "attestation: import a learning record")
    page.get_by_label("Upload a learning record (CSV)").set_input_files(
        {"name": "learning-record.csv", "mimeType": "text/csv", "buffer": LEARNING_RECORD})
    page.get_by_role("button", name="Import the learning record").click()
    heading(page, "Learning time")
    expect(page.get_by_label("Total hours of structured learning in the period")) \
        .to_have_value(re.compile(r"^235(\.0+)?$"))
    expect(page.get_by_label("Employees who averaged at least one hour a week")) \
        .to_have_value("4")
    page.get_by_role("group", name="Do you have a protected learning time policy?") \
        .get_by_label("Yes").check()
    page.get_by_label("Describe the policy").fill("Every Friday afternoon is for learning.")
    page.get_by_label("Learning management system (LMS)").check()
    page.get_by_label("Online courses").check()
    page.get_by_label("Coaching or mentoring").check()
    save_and_continue(page)
    heading(page, "Diversity, equity and inclusion")


def fill_dei(page, audit) -> None:
    audit(page, "attestation: DE&I")
    page.get_by_label("Web address of your published DE&I policy").fill(
        "https://www.example.com/dei")
    page.get_by_role("group", name="Is the policy owned by a named senior sponsor?") \
        .get_by_label("Yes").check()
    page.get_by_label("Percentage of staff who completed DE&I training").fill("90")
    page.get_by_label("Anonymised CVs").check()
    page.get_by_label("Diverse interview panels").check()
    page.get_by_role("group", name="Do you have a reasonable-adjustments policy?") \
        .get_by_label("Yes").check()
    save_and_continue(page)
    heading(page, "Highlights and plans")


def fill_narrative(page, audit, highlights: str) -> None:
    audit(page, "attestation: highlights and plans")
    page.get_by_label("Highlights of the year").fill(highlights)
    page.get_by_label("Plans for next year").fill("Coaching for every new manager.")
    save_and_continue(page)


def upload_evidence(page, audit) -> None:
    heading(page, "Evidence")
    audit(page, "attestation: evidence")
    page.get_by_label("Upload a file").set_input_files(
        {"name": "learning-policy.pdf", "mimeType": "application/pdf", "buffer": POLICY_PDF})
    page.get_by_role("button", name="Upload the file").click()
    expect(page.get_by_role("link", name="learning-policy.pdf")).to_be_visible()
    audit(page, "attestation: evidence (uploaded)")
    save_and_continue(page)


def declare_and_submit(page, audit, signer: str, state: str) -> None:
    heading(page, "Check your answers before you submit")
    audit(page, f"attestation: check your answers ({state})")
    page.get_by_label(re.compile("^I confirm that the answers are true")).check()
    page.get_by_label("Your full name").fill(signer)
    page.get_by_label("Your job title").fill("Managing Director")
    page.get_by_role("button", name="Submit the attestation").click()
    heading(page, "Attestation submitted")
    audit(page, f"attestation: submitted ({state})")


# --- staff review ----------------------------------------------------------------------------

def open_from_queue(page, audit, company_name: str, state: str) -> None:
    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Review queue").click()
    row = page.get_by_role("row").filter(has_text=company_name)
    expect(row).to_have_count(1)
    audit(page, f"review queue ({state})")
    row.get_by_role("link", name=company_name).click()
    expect(page.get_by_role("heading", level=2, name="Decision", exact=True)).to_be_visible()
    audit(page, f"review: attestation ({state})")


def request_changes(page, audit, section: str, message: str) -> None:
    page.get_by_role("link", name="Request changes").click()
    heading(page, "Request changes")
    audit(page, "review: request changes")
    page.get_by_role("button", name="Send the change request").click()
    expect(error_summary(page)).to_be_focused()
    audit(page, "review: request changes (errors)")
    page.get_by_label(section).fill(message)
    page.get_by_role("button", name="Send the change request").click()
    expect(page.get_by_role("status")).to_contain_text("You asked")


def approve(page, audit) -> None:
    page.get_by_role("link", name="Approve", exact=True).click()
    heading(page, "Approve this attestation")
    audit(page, "review: approve")
    page.get_by_role("button", name="Approve and issue the certificate").click()
    expect(page.get_by_role("status")).to_contain_text("You approved")


# --- the certificate -------------------------------------------------------------------------

def scan_qr_code(pdf: bytes, folder: Path) -> str:
    """What a phone would read from the printed certificate's QR code."""
    import zxingcpp
    from PIL import Image

    pdf_path = folder / "certificate.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf_path),  # noqa: S603
                    str(folder / "certificate")], check=True, timeout=60)
    with Image.open(folder / "certificate.png") as image:
        found = [code.text for code in zxingcpp.read_barcodes(image)]
    assert len(found) == 1, f"expected one QR code on the certificate, found {found}"
    return found[0]
