"""Staff: the register, two-person revocation, re-issue; who may do what."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEvent
from portal.auth.models import StaffRole
from portal.certificates.models import Certificate
from portal.mail.models import OutboxMail
from portal.organisations.models import Organisation
from tests.certificates.helpers import issue_for_new_company, page, text_of
from tests.factories import create_staff


def actions(db, action):
    return db.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def mails(db, kind):
    return db.execute(sa.select(OutboxMail).where(OutboxMail.kind == kind)).scalars().all()


@pytest.fixture
def two_admins(db):
    return create_staff(db, StaffRole.ADMIN), create_staff(db, StaffRole.ADMIN)


def test_register_lists_searches_and_is_staff_only(app, db, client, login_as):
    certificate, member = issue_for_new_company(db)
    issue_for_new_company(db, "Other Ltd", cycle=None, year=2027)
    login_as(client, member)
    assert client.get("/staff/certificates").status_code == 403
    login_as(client, create_staff(db))
    soup = page(client.get("/staff/certificates"))
    assert len(soup.select("tbody tr")) == 2
    soup = page(client.get("/staff/certificates", query_string={"q": "acme"}))
    assert [a.text for a in soup.select("tbody a")] == [certificate.number]
    empty = page(client.get("/staff/certificates", query_string={"q": "zzz"}))
    assert "No certificates match your search" in empty.get_text()
    detail = text_of(client.get(f"/staff/certificates/{certificate.id}"))
    assert certificate.pdf_sha256 in detail and "Revoke this certificate" not in detail


def test_reviewers_cannot_revoke_or_reissue(app, db, client, login_as):
    certificate, _ = issue_for_new_company(db)
    login_as(client, create_staff(db, StaffRole.REVIEWER))
    for path in ("revoke", "reissue"):
        assert client.get(f"/staff/certificates/{certificate.id}/{path}").status_code == 403
    assert client.post(f"/staff/certificates/{certificate.id}/confirm-revocation"
                       ).status_code == 403


def test_revocation_needs_a_reason(app, db, client, login_as, two_admins):
    certificate, _ = issue_for_new_company(db)
    login_as(client, two_admins[0])
    url = f"/staff/certificates/{certificate.id}/revoke"
    response = client.submit(url, {"reason": "   "})
    soup = page(response)
    assert response.status_code == 200 and soup.title.text.startswith("Error: ")
    assert "Enter why the certificate is being revoked" in soup.select_one("#reason-error").text
    too_long = client.submit(url, {"reason": "x" * 2001})
    assert "The reason must be 2,000 characters or fewer" in text_of(too_long)
    assert page(too_long).find("textarea").text == "x" * 2001


def test_two_person_revocation(app, db, client, login_as, two_admins):
    first, second = two_admins
    certificate, member = issue_for_new_company(db)
    detail = f"/staff/certificates/{certificate.id}"
    verify = f"/verify/{certificate.verification_id}"

    login_as(client, first)
    response = client.submit(f"{detail}/revoke", {"reason": "Evidence check failed"})
    assert response.status_code == 302
    assert client.get(verify).status_code == 200  # nothing public changes yet
    # The person who asked cannot confirm their own request.
    response = client.submit(f"{detail}/confirm-revocation", form_url=detail,
                             follow_redirects=True)
    assert "A different staff admin must confirm this revocation" in text_of(response)
    assert client.get(verify).status_code == 200

    login_as(client, second)
    soup = page(client.get(detail))
    assert "asked to revoke this certificate" in soup.get_text()
    response = client.submit(f"{detail}/confirm-revocation", form_url=detail,
                             follow_redirects=True)
    assert "is now revoked" in text_of(response)
    assert client.get(verify).status_code == 410

    db.expire_all()
    stored = db.get(Certificate, certificate.id)
    assert stored.revoked_by_id == first.id and stored.revocation_confirmed_by_id == second.id
    assert [e.actor_id for e in actions(db, "certificate_revocation_requested")] == [first.id]
    assert [e.actor_id for e in actions(db, "certificate_revoked")] == [second.id]
    sent = mails(db, "certificate_revoked")
    assert [m.to_addr for m in sent] == [member.email]
    assert "Evidence check failed" in sent[0].text_body
    # Final: no further actions are offered and a second confirmation is refused.
    detail_text = text_of(client.get(detail))
    assert "Revoke this certificate" not in detail_text
    assert "Revocation asked for" in detail_text and "Revocation confirmed" in detail_text
    response = client.submit(f"{detail}/confirm-revocation", form_url=verify,
                             follow_redirects=True)
    assert "already revoked" in text_of(response)


def test_a_revocation_request_can_be_cancelled(app, db, client, login_as, two_admins):
    certificate, _ = issue_for_new_company(db)
    detail = f"/staff/certificates/{certificate.id}"
    login_as(client, two_admins[0])
    client.submit(f"{detail}/revoke", {"reason": "Wrong company"})
    login_as(client, two_admins[1])
    response = client.submit(f"{detail}/cancel-revocation", form_url=detail,
                             follow_redirects=True)
    assert "was cancelled" in text_of(response)
    db.expire_all()
    assert db.get(Certificate, certificate.id).revocation_requested_at is None
    assert len(actions(db, "certificate_revocation_cancelled")) == 1


def test_post_without_csrf_changes_nothing(app, db, client, login_as, two_admins):
    certificate, _ = issue_for_new_company(db)
    login_as(client, two_admins[0])
    response = client.post(f"/staff/certificates/{certificate.id}/revoke",
                           data={"reason": "No token"})
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Certificate, certificate.id).revocation_requested_at is None


def test_reissue_supersedes_with_the_new_company_name(app, db, client, login_as, two_admins):
    certificate, member = issue_for_new_company(db)
    organisation = db.get(Organisation, certificate.organisation_id)
    organisation.name = "Acme People Ltd"
    db.commit()
    login_as(client, two_admins[0])
    url = f"/staff/certificates/{certificate.id}/reissue"
    assert "Enter why the certificate is being replaced" in text_of(client.submit(url, {}))
    response = client.submit(url, {"reason": "The company changed its name"})
    assert response.status_code == 302
    db.expire_all()
    old = db.get(Certificate, certificate.id)
    new = db.get(Certificate, old.superseded_by_id)
    assert new.rendered_values["company_name"] == "Acme People Ltd"
    assert new.number != old.number and new.cycle_id == old.cycle_id
    assert response.headers["Location"].endswith(f"/staff/certificates/{new.id}")
    assert client.get(f"/verify/{old.verification_id}").status_code == 200
    assert "This certificate has been replaced" in text_of(
        client.get(f"/verify/{old.verification_id}"))
    assert "This certificate is valid" in text_of(client.get(f"/verify/{new.verification_id}"))
    assert actions(db, "certificate_reissued")[0].detail["replaces"] == old.number
    assert [m.to_addr for m in mails(db, "certificate_reissued")] == [member.email]
    # A replaced certificate cannot be replaced again.
    again = client.submit(url, {"reason": "Again"})
    assert "Only a current certificate can be replaced" in text_of(again)


def test_no_reissue_while_a_revocation_waits(app, db, client, login_as, two_admins):
    certificate, _ = issue_for_new_company(db)
    login_as(client, two_admins[0])
    client.submit(f"/staff/certificates/{certificate.id}/revoke", {"reason": "Wrong company"})
    response = client.submit(f"/staff/certificates/{certificate.id}/reissue",
                             {"reason": "Renamed"})
    assert "confirm or cancel it before replacing the certificate" in text_of(response)
    assert db.execute(sa.select(sa.func.count(Certificate.id))).scalar() == 1
