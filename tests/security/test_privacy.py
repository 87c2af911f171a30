"""UK GDPR: a company downloads all its data; a person deletes their account."""

from __future__ import annotations

import io
import json
import zipfile

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.audit.models import AuditEvent
from portal.audit.service import record, verify_chain
from portal.auth.models import OrgRole, StaffRole, User
from portal.privacy.service import ERASED_NAME
from tests.factories import (
    PASSWORD,
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_member,
    create_pledge,
    create_staff,
)
from tests.security.access_world import _evidence


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def _company_with_history(db, cycle, name="Export Ltd"):
    organisation, admin = create_company_with_admin(db, name)
    create_pledge(db, organisation, admin)
    attestation = create_attestation(db, organisation, cycle, status="approved")
    evidence = _evidence(db, attestation, admin)
    certificate = create_certificate(db, organisation, cycle, attestation)
    return organisation, admin, evidence, certificate


def test_company_admin_downloads_everything_as_a_zip(client, db, login_as):
    cycle = create_cycle(db, 2025)
    organisation, admin, evidence, certificate = _company_with_history(db, cycle)
    colleague = create_member(db, organisation, role=OrgRole.CONTRIBUTOR,
                              email="colleague@example.com")
    _company_with_history(db, cycle, "Someone Else Ltd")
    login_as(client, admin)
    html = page(client.get("/company/data-export"))
    assert html.h1.get_text(strip=True) == "Download your company's data"
    response = client.submit("/company/data-export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.data
    response.close()  # a WSGI server closes the spooled file; the test client needs telling
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = archive.namelist()
    assert "README.txt" in names and "company.json" in names
    assert archive.read(f"evidence/{evidence.id}-evidence.pdf") == b"%PDF-1.4 evidence"
    assert archive.read(f"certificates/{certificate.number}.pdf") == certificate.pdf
    data = json.loads(archive.read("company.json"))
    assert data["organisation"][0]["name"] == "Export Ltd"
    assert {p["email"] for p in data["people"]} == {admin.email, colleague.email}
    assert len(data["pledges"]) == 1 and len(data["attestations"]) == 1
    assert data["attestations"][0]["answers"]["workforce"]["headcount"] == 100
    raw = archive.read("company.json").decode()
    assert "Someone Else" not in raw
    for secret in ("password_hash", "token_sha256", "totp_secret", "internal_note",
                   "html_body", "recovery_codes"):
        assert secret not in raw
    assert "company_data_exported" in db.execute(sa.select(AuditEvent.action)).scalars().all()


def test_only_company_admins_may_export(client, db, login_as):
    organisation, _ = create_company_with_admin(db)
    contributor = create_member(db, organisation, role=OrgRole.CONTRIBUTOR)
    login_as(client, contributor)
    assert client.get("/company/data-export").status_code == 403
    login_as(client, create_staff(db))
    assert client.get("/company/data-export").status_code == 403


def test_deleting_an_account_erases_name_and_email_and_keeps_the_chain(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    member = create_member(db, organisation, role=OrgRole.CONTRIBUTOR, name="Maria Example",
                           email="maria@example.com")
    pledge = create_pledge(db, organisation, admin)
    record(db, "login_failed", personal={"email": "maria@example.com", "ip": "192.0.2.1"})
    record(db, "profile_viewed", actor=member, obj=member, personal={"name": "Maria Example"})
    db.commit()
    login_as(client, member)
    response = client.submit("/account/delete", {"password": PASSWORD})
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 302  # signed out

    db.expire_all()
    erased = db.get(User, member.id)
    assert erased.name == ERASED_NAME and erased.email.endswith("@erased.invalid")
    assert erased.erased_at is not None and erased.organisation_id is None
    personal = [e.personal for e in db.execute(sa.select(AuditEvent)).scalars()]
    assert "maria" not in json.dumps(personal).lower()
    report = verify_chain(db)
    assert report.is_intact, report.reason
    assert "account_erased" in db.execute(sa.select(AuditEvent.action)).scalars().all()
    # A signed pledge is a company's record: it keeps the signatory's name (docs/privacy.md).
    assert db.get(type(pledge), pledge.id).signatory_name == admin.name
    # The old credentials no longer sign anyone in, and the address can register again.
    again = client.submit("/sign-in", {"email": "maria@example.com", "password": PASSWORD})
    assert again.status_code == 200


def test_wrong_password_deletes_nothing(client, db, login_as):
    organisation, _ = create_company_with_admin(db)
    member = create_member(db, organisation, role=OrgRole.CONTRIBUTOR)
    login_as(client, member)
    response = client.submit("/account/delete", {"password": "not my password"})
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    assert "Your password is not correct" in html.select_one(".error-summary").get_text()
    empty = page(client.submit("/account/delete", {"password": ""}))
    assert "Enter your password" in empty.select_one(".error-summary").get_text()
    db.expire_all()
    assert db.get(User, member.id).erased_at is None


def test_the_only_admin_with_colleagues_and_staff_cannot_delete_themselves(client, db,
                                                                          login_as):
    organisation, admin = create_company_with_admin(db)
    create_member(db, organisation, role=OrgRole.CONTRIBUTOR)
    login_as(client, admin)
    html = page(client.get("/account/delete"))
    assert "only admin" in html.main.get_text() and html.main.find("form") is None
    response = client.submit("/account/delete", {"password": PASSWORD}, form_url="/account")
    assert response.status_code == 200
    staff = create_staff(db, StaffRole.ADMIN)
    login_as(client, staff)
    assert "staff admin" in page(client.get("/account/delete")).get_text()
    db.expire_all()
    assert db.get(User, admin.id).erased_at is None
    assert db.get(User, staff.id).erased_at is None


def test_a_sole_member_admin_can_delete_their_account(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    assert client.submit("/account/delete", {"password": PASSWORD}).status_code == 302
    db.expire_all()
    assert db.get(User, admin.id).erased_at is not None
