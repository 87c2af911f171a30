"""The statement of commitment: a real one-page PDF of what was signed."""

import io

from pypdf import PdfReader

from tests.factories import create_company_with_admin, create_staff
from tests.pledges.helpers import sign_pledge_as


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def test_statement_pdf_names_the_company_version_and_reference(client, db, login_as):
    organisation, admin = create_company_with_admin(db, "Ørsted Data Partners")
    pledge = sign_pledge_as(db, organisation, admin, name="Zoë Ng")
    login_as(client, admin)
    response = client.get(f"/company/pledge/{pledge.id}/statement.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    pages, text = pdf_text(response.data)
    assert pages == 1
    for expected in ("Statement of commitment", "Ørsted Data Partners", "Version 1",
                     pledge.reference, "Zoë Ng", "Protected learning time"):
        assert expected in text, expected
    assert pledge.text_sha256[:32] in text.replace("\n", "").replace(" ", "")


def test_staff_download_any_statement(client, db, login_as):
    organisation, admin = create_company_with_admin(db, "Kestrel CRM")
    pledge = sign_pledge_as(db, organisation, admin)
    login_as(client, create_staff(db))
    response = client.get(f"/staff/pledges/{pledge.id}/statement.pdf")
    assert response.status_code == 200
    assert "Kestrel CRM" in pdf_text(response.data)[1]
    assert client.get("/staff/pledges/999/statement.pdf").status_code == 404


def test_company_name_is_text_in_the_pdf(client, db, login_as):
    organisation, admin = create_company_with_admin(db, '<img src="http://x.example/a.png"> & Co')
    pledge = sign_pledge_as(db, organisation, admin)
    login_as(client, admin)
    response = client.get(f"/company/pledge/{pledge.id}/statement.pdf")
    assert response.status_code == 200
    assert '<img src="http://x.example/a.png"> & Co' in pdf_text(response.data)[1]


def test_a_renamed_company_keeps_the_name_it_signed_under(client, db, login_as):
    organisation, admin = create_company_with_admin(db, "Old Name Ltd")
    pledge = sign_pledge_as(db, organisation, admin)
    organisation.name = "New Name Ltd"
    db.commit()
    login_as(client, admin)
    text = pdf_text(client.get(f"/company/pledge/{pledge.id}/statement.pdf").data)[1]
    assert "Old Name Ltd" in text and "New Name Ltd" not in text
