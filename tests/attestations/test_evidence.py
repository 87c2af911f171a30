"""Evidence uploads: type from content, limits, downloads for the company and staff only."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa

from portal.attestations.models import EvidenceBlob, EvidenceFile
from portal.attestations.uploads import sniff_media_type
from portal.auth.models import StaffRole
from tests.attestations.helpers import errors, pledged_company, post_file, soup
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_staff,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize("data, expected", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"),
    (b"employee_ref,hours\nE1,3\n", "text/csv"),
    (_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (EXE, None), (_zip(), None), (b"GIF89a\x01\x00\x00", None),
    ("caf\u00e9,1\n".encode("latin-1"), None), (b"", None),
])
def test_sniffing_trusts_content_not_names(data, expected):
    assert sniff_media_type(data) == expected


@pytest.fixture
def admin(client, db, login_as, frozen_clock):
    organisation, user, cycle = pledged_company(db, frozen_clock)
    login_as(client, user)
    return user


def _upload(client, data, name):
    token = client.csrf_token("/company/attestation/evidence")
    return post_file(client, "/company/attestation/evidence", {"csrf_token": token},
                     "evidence_file", data, name)


def test_upload_list_download_and_remove(client, db, admin):
    assert _upload(client, PDF, "Learning policy.pdf").status_code == 302
    page = soup(client.get("/company/attestation/evidence"))
    link = page.select_one("tbody a")
    assert link.get_text() == "Learning policy.pdf"
    download = client.get(link["href"])
    assert download.data == PDF
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="Learning policy.pdf"; filename*=UTF-8\'\'Learning%20policy.pdf')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"
    remove = page.select_one("tbody form")["action"]
    assert client.submit(remove, {}, form_url="/company/attestation/evidence").status_code == 302
    assert "No files uploaded yet." in soup(client.get("/company/attestation/evidence")).get_text()
    assert db.execute(sa.select(EvidenceBlob)).first() is None
    assert client.get(link["href"]).status_code == 404


def test_renamed_exe_is_refused(client, db, admin):
    response = _upload(client, EXE, "policy.pdf")
    assert response.status_code == 200
    assert errors(response) == ["The selected file must be a PDF, CSV, XLSX, PNG or JPEG"]
    assert db.execute(sa.select(EvidenceFile)).first() is None


@pytest.mark.parametrize("data, name, message", [
    (b"This is not a PDF at all.\n", "fake.pdf",
     "fake.pdf is not a PDF: its content is plain text. Upload PDF, CSV, XLSX, PNG or JPEG "
     "files"),
    (PNG, "chart.pdf", "chart.pdf is not a PDF: its content is a PNG image. Upload PDF, CSV, "
                       "XLSX, PNG or JPEG files"),
    (PDF, "figures.csv", "figures.csv is not a CSV file: its content is a PDF. Upload PDF, "
                         "CSV, XLSX, PNG or JPEG files"),
    (PDF, "policy.exe", "policy.exe is not a file type we accept. Upload PDF, CSV, XLSX, PNG "
                        "or JPEG files"),
])
def test_a_name_that_promises_another_type_is_refused(client, db, admin, data, name,
                                                     message):
    response = _upload(client, data, name)
    assert response.status_code == 200
    assert errors(response) == [message]
    assert db.execute(sa.select(EvidenceFile)).first() is None
    assert db.execute(sa.select(EvidenceBlob)).first() is None


@pytest.mark.parametrize("data, name, stored", [
    (PNG, "Chart.PNG", "Chart.png"), (JPEG, "photo.jpeg", "photo.jpg"),
    (b"a,b\n1,2\n", "notes.txt", "notes.csv"), (PDF, "no-extension", "no-extension.pdf"),
])
def test_names_that_agree_with_the_content_are_accepted(client, db, admin, data, name, stored):
    assert _upload(client, data, name).status_code == 302
    assert db.execute(sa.select(EvidenceFile)).scalar_one().filename == stored


def test_tiny_files_do_not_show_zero_kilobytes(client, db, admin):
    _upload(client, PDF, "tiny.pdf")
    _upload(client, PNG + b"\x00" * 3000, "chart.png")
    sizes = [cell.get_text(strip=True) for cell in
             soup(client.get("/company/attestation/evidence")).select("tbody td.numeric")]
    assert sizes == ["Less than 1 KB", "3.0 KB"]


def test_no_file_and_too_large(client, db, admin):
    response = client.submit("/company/attestation/evidence", {})
    assert errors(response) == ["Select a file to upload"]
    response = _upload(client, b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf")
    assert errors(response) == ["The selected file must be smaller than 10 MB"]


def test_at_most_five_files(client, db, admin):
    for n in range(5):
        assert _upload(client, PDF + bytes([n]), f"f{n}.pdf").status_code == 302
    page = soup(client.get("/company/attestation/evidence"))
    assert page.select_one("input[type=file]") is None
    response = _upload(client, PDF, "six.pdf")
    assert errors(response) == ["You can upload up to 5 files: remove one before you add another"]


def test_other_companies_get_404_and_staff_can_download(client, db, admin, login_as):
    _upload(client, PDF, "ours.pdf")
    evidence = db.execute(sa.select(EvidenceFile)).scalar_one()
    _other, stranger = create_company_with_admin(db)
    login_as(client, stranger)
    assert client.get(f"/attestation-evidence/{evidence.id}").status_code == 404
    assert client.get("/attestation-evidence/999999").status_code == 404
    login_as(client, create_staff(db, StaffRole.REVIEWER))
    assert client.get(f"/attestation-evidence/{evidence.id}").data == PDF


def test_submitted_pdf_is_private_to_the_company(client, db, login_as, frozen_clock):
    from datetime import date

    from portal.attestations.models import AttestationVersion
    from tests.factories import create_cycle

    frozen_clock(date(2026, 5, 1))
    organisation, owner = create_company_with_admin(db)
    attestation = create_attestation(db, organisation, create_cycle(db, 2026),
                                     status="submitted", submitted_by=owner)
    version = db.execute(sa.select(AttestationVersion).where(
        AttestationVersion.attestation_id == attestation.id)).scalar_one()
    _other, stranger = create_company_with_admin(db)
    login_as(client, stranger)
    assert client.get(f"/attestation-versions/{version.id}.pdf").status_code == 404
    login_as(client, owner)
    assert client.get(f"/attestation-versions/{version.id}.pdf").status_code == 200


def test_any_file_name_downloads(client, db, admin):
    assert _upload(client, PDF, "Łódź 報告.pdf").status_code == 302
    evidence = db.execute(sa.select(EvidenceFile)).scalar_one()
    assert evidence.filename == "Łódź 報告.pdf"
    response = client.get(f"/attestation-evidence/{evidence.id}")
    assert response.status_code == 200
    assert "filename*=UTF-8''%C5%81%C3%B3d%C5%BA%20%E5%A0%B1%E5%91%8A.pdf" in \
        response.headers["Content-Disposition"]


def test_a_body_over_the_request_limit_is_explained_not_refused(client, db, admin):
    response = _upload(client, b"%PDF-" + b"0" * (12 * 1024 * 1024), "huge.pdf")
    assert response.status_code == 200
    assert errors(response) == ["The selected file must be smaller than 10 MB"]
    assert db.execute(sa.select(EvidenceFile)).first() is None
