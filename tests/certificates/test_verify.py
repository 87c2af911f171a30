"""/verify and /verify/<id>: every state with its HTTP code, the number form, file check."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from portal.certificates.models import Certificate
from portal.certificates.numbering import format_number
from portal.certificates.service import reissue_certificate
from tests.certificates.helpers import issue_for_new_company, page, text_of
from tests.factories import create_staff


def test_verify_form_is_empty_at_first(client):
    response = client.get("/verify")
    assert response.status_code == 200
    soup = page(response)
    assert soup.h1.get_text() == "Verify a certificate"
    assert soup.find("input", {"name": "number"})
    assert soup.find("form", {"method": "get"}).find("input", {"name": "csrf_token"}) is None


def test_a_typed_number_in_any_style_redirects_to_the_certificate(app, db, client):
    certificate, _ = issue_for_new_company(db)
    loose = certificate.number.lower().replace("-", " ")
    response = client.get("/verify", query_string={"number": loose})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.verification_id}")


@pytest.mark.parametrize(("typed", "status", "message"), [
    ("", 200, "Enter the certificate number"),
    ("PP-2026-42", 200, "Enter a certificate number in the correct format, like PP-2026-000042-6"),
    ("PP-2026-000001-X", 200, "Enter a certificate number in the correct format"),
])
def test_malformed_numbers_are_explained(app, client, typed, status, message):
    response = client.get("/verify", query_string={"number": typed})
    assert response.status_code == status
    soup = page(response)
    assert soup.title.get_text().startswith("Error: ")
    assert message in soup.select_one(".error-summary").get_text()
    assert message in soup.select_one("#number-error").get_text()
    assert soup.find("input", {"name": "number"})["value"] == typed


def test_a_typing_mistake_is_told_apart_from_an_unknown_number(app, db, client):
    certificate, _ = issue_for_new_company(db)
    good = certificate.number
    wrong_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
    response = client.get("/verify", query_string={"number": wrong_digit})
    assert response.status_code == 200
    assert "This number has a typing mistake — check it against the certificate" in \
        text_of(response)

    unknown = format_number(2026, 999)
    response = client.get("/verify", query_string={"number": unknown})
    assert response.status_code == 404
    assert "No certificate has this number" in page(response).select_one("#number-error").text


def test_valid_certificate_page_counts_visits(app, db, client, frozen_clock):
    frozen_clock(date(2026, 9, 1))
    certificate, _ = issue_for_new_company(db)
    url = f"/verify/{certificate.verification_id}"
    response = client.get(url)
    assert response.status_code == 200
    text = text_of(response)
    assert "This certificate is valid" in text
    for shown in ("Acme Learning Ltd", "2026", certificate.number, certificate.pdf_sha256,
                  "31 December 2027", "The Data & Marketing Association"):
        assert shown in text
    client.get(url)
    db.expire_all()
    assert db.get(Certificate, certificate.id).verification_count == 2


def test_expired_certificate_says_when(app, db, client, frozen_clock):
    frozen_clock(date(2026, 9, 1))
    certificate, _ = issue_for_new_company(db)
    frozen_clock(date(2028, 1, 2))
    response = client.get(f"/verify/{certificate.verification_id}")
    assert response.status_code == 200
    text = text_of(response)
    assert "This certificate has expired" in text
    assert "It expired on 31 December 2027. It was valid for the 2026 reporting cycle." in text


def test_superseded_certificate_links_to_its_replacement(app, db, client):
    certificate, _ = issue_for_new_company(db)
    admin = create_staff(db)
    replacement = reissue_certificate(db, certificate, admin, "The company changed its name")
    db.commit()
    response = client.get(f"/verify/{certificate.verification_id}")
    assert response.status_code == 200
    soup = page(response)
    assert "This certificate has been replaced" in soup.h1.text
    link = soup.find("a", string=f"certificate {replacement.number}")
    assert link["href"] == f"/verify/{replacement.verification_id}"
    assert "The company changed its name" in soup.get_text()


def test_revoked_certificate_answers_410_uncached(app, db, client):
    certificate, _ = issue_for_new_company(db)
    certificate.revoked_at = certificate.issued_at
    certificate.revocation_reason = "Evidence check failed"
    db.commit()
    response = client.get(f"/verify/{certificate.verification_id}")
    assert response.status_code == 410
    assert response.headers["Cache-Control"] == "no-store"
    text = text_of(response)
    assert "This certificate has been revoked" in text and "Evidence check failed" in text


def test_unknown_verification_id_is_404(app, client):
    assert client.get("/verify/not-a-real-id").status_code == 404


def test_file_check_compares_fingerprints_and_keeps_nothing(app, db, client):
    certificate, _ = issue_for_new_company(db)
    stored = db.execute(sa.select(Certificate.pdf).where(Certificate.id == certificate.id)
                        ).scalar_one()
    url = f"/verify/{certificate.verification_id}"
    check = f"{url}/check-file"
    assert f'href="{check}"' in client.get(url).get_data(as_text=True)
    form = page(client.get(check))
    assert form.select_one("h1").get_text(strip=True) == "Check a PDF file is the original"
    same = client.submit(check, {"certificate_file": (io.BytesIO(stored), "mine.pdf")},
                         content_type="multipart/form-data")
    assert same.status_code == 200
    assert "mine.pdf is the original file" in text_of(same)
    changed = client.submit(check, {"certificate_file": (io.BytesIO(stored + b"%"), "x.pdf")},
                            content_type="multipart/form-data")
    assert "x.pdf is not the original file" in text_of(changed)
    missing = client.submit(check, {})
    assert "Select the PDF file to check" in page(missing).select_one(".error-summary").text
    assert client.post(check, data={}).status_code == 400  # no CSRF token


def test_credential_endpoints(app, db, client):
    certificate, _ = issue_for_new_company(db)
    enveloped = client.get(f"/verify/{certificate.verification_id}/credential.json")
    assert enveloped.status_code == 200 and enveloped.mimetype == "application/json"
    assert enveloped.json["type"] == "EnvelopedVerifiableCredential"
    jwt = client.get(f"/verify/{certificate.verification_id}/credential.jwt")
    assert jwt.mimetype == "application/vc+jwt"
    assert enveloped.json["id"] == "data:application/vc+jwt," + jwt.get_data(as_text=True)
    issuer = client.get("/credentials/issuer").json
    assert issuer["type"] == ["Profile"] and issuer["id"] == "http://localhost/credentials/issuer"
    keys = client.get("/credentials/jwks.json").json["keys"]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519" and "d" not in keys[0]
    achievement = client.get("/credentials/achievements/1").json
    assert achievement["type"] == ["Achievement"]
    assert client.get("/credentials/achievements/99").status_code == 404
    assert client.get("/credentials/status/5").status_code == 404


@pytest.mark.parametrize("path", [
    "/credentials/achievements/99999999999999999999",
    "/credentials/status/99999999999999999999",
    "/verify/" + "x" * 500,
])
def test_absurd_urls_are_404_not_500(app, client, path):
    assert client.get(path).status_code == 404


def test_absurd_ids_for_signed_in_pages_are_404(app, db, client, login_as):
    from portal.auth.models import StaffRole

    login_as(client, create_staff(db, StaffRole.ADMIN))
    for path in ("/certificates/99999999999999999999/download",
                 "/staff/certificates/99999999999999999999",
                 "/staff/certificates/99999999999999999999/revoke"):
        assert client.get(path).status_code == 404


def test_machine_readable_documents_allow_any_origin(app, db, client):
    certificate, _ = issue_for_new_company(db)
    for path in (f"/verify/{certificate.verification_id}/credential.json",
                 "/credentials/jwks.json", "/credentials/issuer", "/credentials/status/0"):
        assert client.get(path).headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get(
        f"/verify/{certificate.verification_id}").headers
