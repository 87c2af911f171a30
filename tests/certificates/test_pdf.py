"""The stored PDF: one A4 landscape page, the right words, credential.json, a QR code that
opens the verification URL, and downloads that serve exactly the stored bytes."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess

import sqlalchemy as sa
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from portal.certificates.models import Certificate
from tests.certificates.helpers import issue_for_new_company, page
from tests.factories import create_company_with_admin, create_staff


def stored_pdf(db, certificate) -> bytes:
    return db.execute(sa.select(Certificate.pdf).where(Certificate.id == certificate.id)
                      ).scalar_one()


def test_pdf_content_and_attachment(app, db, caplog):
    certificate, _ = issue_for_new_company(db, "Zoë & Sons <Training> Ltd")
    # Our shipped fonts loaded through the restricted fetcher (no fallback, nothing refused).
    assert not [r for r in caplog.records if r.name.startswith("weasyprint")
                and r.levelname in ("WARNING", "ERROR")]
    reader = PdfReader(io.BytesIO(stored_pdf(db, certificate)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595  # A4 landscape
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in ("Zoë & Sons <Training> Ltd", certificate.number, "2026",
                     "The Data & Marketing Association", "31 December 2027"):
        assert expected in text
    fonts = {font["/BaseFont"] for font in _fonts(reader)}
    assert any("DejaVu-Sans" in str(name) for name in fonts), fonts
    enveloped = json.loads(reader.attachments["credential.json"][0])
    jwt = enveloped["id"].split(",", 1)[1]
    assert jwt == db.execute(sa.select(Certificate.credential_jws).where(
        Certificate.id == certificate.id)).scalar_one()
    assert b"pdfaid:part" in stored_pdf(db, certificate) or "/OutputIntents" in \
        reader.trailer["/Root"]


def _fonts(reader):
    resources = reader.pages[0]["/Resources"]
    return [font.get_object() for font in resources["/Font"].values()]


def test_qr_code_decodes_to_the_verification_url(app, db, tmp_path):
    certificate, _ = issue_for_new_company(db)
    pdf_path = tmp_path / "certificate.pdf"
    pdf_path.write_bytes(stored_pdf(db, certificate))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf_path),
                    str(tmp_path / "page")], check=True, timeout=60)
    with Image.open(tmp_path / "page.png") as image:
        found = zxingcpp.read_barcodes(image)
    assert [code.text for code in found] == [
        f"http://localhost/verify/{certificate.verification_id}"]


def test_member_downloads_the_stored_bytes(app, db, client, login_as):
    certificate, admin = issue_for_new_company(db)
    login_as(client, admin)
    response = client.get(f"/certificates/{certificate.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="pledge-certificate-{certificate.number}.pdf"'
    assert hashlib.sha256(response.data).hexdigest() == certificate.pdf_sha256
    assert response.data == stored_pdf(db, certificate)


def test_other_companies_get_404_and_staff_may_download(app, db, client, login_as):
    certificate, _ = issue_for_new_company(db)
    _other, outsider = create_company_with_admin(db, "Nosy Ltd")
    login_as(client, outsider)
    assert client.get(f"/certificates/{certificate.id}/download").status_code == 404
    assert client.get("/certificates/99999/download").status_code == 404
    login_as(client, create_staff(db))
    assert client.get(f"/certificates/{certificate.id}/download").status_code == 200


def test_signed_out_download_goes_to_sign_in(app, db, client):
    certificate, _ = issue_for_new_company(db)
    response = client.get(f"/certificates/{certificate.id}/download")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_company_certificates_page_and_overview_panel(app, db, client, login_as):
    certificate, admin = issue_for_new_company(db)
    client.get(f"/verify/{certificate.verification_id}")
    login_as(client, admin)
    soup = page(client.get("/company/certificates"))
    row = soup.select_one("tbody tr")
    cells = [" ".join(td.get_text(" ").split()) for td in row.find_all("td")]
    assert cells[0] == certificate.number and cells[2] == "Valid" and cells[4] == "1"
    assert row.find("a", href=f"/certificates/{certificate.id}/download")
    overview = " ".join(page(client.get("/company")).get_text(" ").split())
    assert f"Certificate {certificate.number} for the 2026 reporting cycle" in overview
    assert "It has been checked 1 time." in overview


def test_company_without_certificates_sees_an_empty_state(app, db, client, login_as):
    _organisation, admin = create_company_with_admin(db)
    login_as(client, admin)
    text = page(client.get("/company/certificates")).get_text(" ")
    assert "Your company has no certificates yet" in text
    assert "No certificate yet" in page(client.get("/company")).get_text(" ")


def test_public_pdf_by_verification_id_with_etag(app, db, client):
    certificate, _ = issue_for_new_company(db)
    url = f"/verify/{certificate.verification_id}/certificate.pdf"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert hashlib.sha256(response.data).hexdigest() == certificate.pdf_sha256
    assert response.headers["ETag"] == f'"{certificate.pdf_sha256}"'
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    certificate.revoked_at = certificate.issued_at
    db.commit()
    assert client.get(url).status_code == 410
    assert client.get("/verify/unknown/certificate.pdf").status_code == 404


def test_a_very_long_company_name_still_fits_one_page(app, db):
    certificate, _ = issue_for_new_company(db, "Extraordinarily Long Company Name " * 5 + "Ltd")
    reader = PdfReader(io.BytesIO(stored_pdf(db, certificate)))
    assert len(reader.pages) == 1
    assert certificate.number in reader.pages[0].extract_text()
