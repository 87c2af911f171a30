"""Signing the pledge: who may sign, what is stored, double submits, errors kept on the page."""

import hashlib

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.audit.models import AuditEvent
from portal.auth.models import OrgRole
from portal.pledges import service
from portal.pledges.models import Pledge
from tests.factories import create_company_with_admin, create_member, create_staff
from tests.pledges.helpers import publish_code_version, sign_pledge_as

SIGN = "/company/pledge/sign"


def valid_answers(**changes):
    answers = {"signatory_name": "Priya Shah", "signatory_title": "Chief Executive",
               "is_authorised": "y", "signature": "Priya Shah"}
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def soup_of(response):
    return BeautifulSoup(response.data, "html.parser")


def pledges_of(db, organisation):
    db.expire_all()
    return list(db.execute(sa.select(Pledge).where(
        Pledge.organisation_id == organisation.id).order_by(Pledge.id)).scalars())


def test_sign_page_shows_the_current_text_and_what_signing_means(client, db, login_as):
    organisation, admin = create_company_with_admin(db, "Kestrel CRM")
    login_as(client, admin)
    page = soup_of(client.get(SIGN))
    assert page.h1.get_text(strip=True) == "Sign the People Pillar pledge"
    headings = [h.get_text(" ", strip=True) for h in page.select(".commitments h3")]
    assert headings[0] == "Protected learning time" and len(headings) == 6
    assert "What signing means" in page.get_text()
    assert page.select_one("#signatory_name")["value"] == admin.name


def test_admin_signs_and_everything_is_recorded(client, db, login_as, outbox):
    organisation, admin = create_company_with_admin(db, "Kestrel CRM")
    colleague = create_member(db, organisation, role=OrgRole.ADMIN)
    login_as(client, admin)
    response = client.submit(SIGN, valid_answers(), headers={"User-Agent": "Firefox/130"})
    assert response.status_code == 302
    [pledge] = pledges_of(db, organisation)
    assert response.headers["Location"].endswith(f"/company/pledge/{pledge.id}/signed")
    assert pledge.is_active and pledge.code_version.number == 1
    assert (pledge.signatory_name, pledge.signatory_title) == ("Priya Shah", "Chief Executive")
    assert pledge.signed_by_id == admin.id and pledge.user_agent == "Firefox/130"
    assert pledge.ip_address == "127.0.0.1"
    assert "Kestrel CRM commits to the People Pillar" in pledge.signed_text
    assert "Priya Shah" not in pledge.signed_text  # no personal data in the signed text
    assert pledge.text_sha256 == hashlib.sha256(pledge.signed_text.encode()).hexdigest()
    assert pledge.reference.startswith("PL-") and pledge.reference.endswith(
        f"-{organisation.id:06d}-1")
    event = db.execute(sa.select(AuditEvent).where(AuditEvent.action == "pledge_signed")
                       ).scalar_one()
    assert event.object_id == str(pledge.id) and event.detail["text_sha256"] == pledge.text_sha256
    assert event.personal["signatory_name"] == "Priya Shah"
    assert {m.to_addr for m in outbox(kind="pledge_signed")} == {admin.email, colleague.email}
    confirmation = soup_of(client.get(response.headers["Location"]))
    assert confirmation.h1.get_text(strip=True) == "Pledge signed"
    assert pledge.reference in confirmation.get_text()


def test_signing_sends_the_pledge_signed_signal(client, db, login_as, app):
    from portal.signals import pledge_signed

    organisation, admin = create_company_with_admin(db)
    received = []

    def receiver(sender, **data):
        received.append(data["pledge"].organisation_id)

    with pledge_signed.connected_to(receiver, sender=app):
        login_as(client, admin)
        client.submit(SIGN, valid_answers())
    assert received == [organisation.id]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"signatory_name": ""}, "signatory_name", "Enter your full name"),
    ({"signatory_title": "  "}, "signatory_title", "Enter your job title"),
    ({"is_authorised": None}, "is_authorised",
     "Confirm that you are authorised to commit Harbour & Finch to the pledge"),
    ({"signature": ""}, "signature", "Type your full name to sign the pledge"),
    ({"signature": "P Shah"}, "signature",
     "Your signature must match your full name exactly, as entered above"),
    ({"signatory_title": "x" * 121}, "signatory_title",
     "Your job title must be 120 characters or fewer (remove 1 character)"),
])
def test_invalid_answers_are_explained_and_kept(client, db, login_as, changes, field, message):
    organisation, admin = create_company_with_admin(db, "Harbour & Finch")
    login_as(client, admin)
    response = client.submit(SIGN, valid_answers(**changes))
    assert response.status_code == 200
    page = soup_of(response)
    assert page.title.get_text().startswith("Error: ")
    assert page.select_one(".error-summary a")["href"] == f"#{field}"
    assert page.select_one(".error-summary").get_text(" ", strip=True).endswith(message)
    assert message in page.select_one(f"#{field}-error").get_text()
    if field != "signatory_name":
        assert page.select_one("#signatory_name")["value"] == "Priya Shah"
    assert pledges_of(db, organisation) == []


def test_signature_match_ignores_case_and_spacing(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    login_as(client, admin)
    response = client.submit(SIGN, valid_answers(signature="  priya   SHAH "))
    assert response.status_code == 302 and len(pledges_of(db, organisation)) == 1


def test_double_submit_keeps_one_pledge(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    login_as(client, admin)
    data = valid_answers(csrf_token=client.csrf_token(SIGN))
    first = client.post(SIGN, data=data)
    second = client.post(SIGN, data=data)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith("/company/pledge")
    assert len(pledges_of(db, organisation)) == 1
    page = soup_of(client.get("/company/pledge"))
    assert "already signed the current version" in page.get_text()


def test_concurrent_sign_hits_the_unique_constraint_not_a_500(client, db, login_as,
                                                             monkeypatch):
    """Two tabs that both read "no active pledge": the database keeps exactly one."""
    organisation, admin = create_company_with_admin(db)
    sign_pledge_as(db, organisation, admin)
    login_as(client, admin)
    token = client.csrf_token("/company/pledge/withdraw")
    # The second request's read happened before the first one committed.
    monkeypatch.setattr(service, "active_pledge", lambda db, organisation_id: None)
    response = client.post(SIGN, data=valid_answers(csrf_token=token))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/company/pledge")
    assert len(pledges_of(db, organisation)) == 1


def test_contributor_reads_the_text_but_cannot_sign(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    contributor = create_member(db, organisation, role=OrgRole.CONTRIBUTOR)
    login_as(client, contributor)
    page = soup_of(client.get(SIGN))
    assert page.select_one("main form[method=post]") is None
    assert "Only an admin" in page.get_text() and admin.name in page.get_text()
    assert len(page.select(".commitments li")) == 6
    panel = soup_of(client.get("/company")).select_one(".pledge-panel")
    assert "Not signed" in panel.get_text() and "Read the pledge" in panel.get_text()
    assert "Read and sign" not in panel.get_text()
    token = client.csrf_token("/company/pledge")  # the sign-out form's token
    assert client.post(SIGN, data=valid_answers(csrf_token=token)).status_code == 403
    assert pledges_of(db, organisation) == []


def test_unverified_admin_cannot_sign(client, db, login_as):
    organisation, admin = create_company_with_admin(db, verified=False)
    login_as(client, admin)
    page = soup_of(client.get(SIGN))
    assert "Confirm your email address before you sign" in page.get_text()
    assert page.select_one("main form[method=post]") is None
    token = client.csrf_token("/company/pledge")
    assert client.post(SIGN, data=valid_answers(csrf_token=token)).status_code == 403
    assert pledges_of(db, organisation) == []


def test_a_version_published_while_reading_must_be_read_first(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    login_as(client, admin)
    token = client.csrf_token(SIGN)
    old_version_id = service.current_code_version(db).id
    publish_code_version(db)
    response = client.post(SIGN, data=valid_answers(csrf_token=token,
                                                    version_id=str(old_version_id)))
    assert response.status_code == 200
    page = soup_of(response)
    assert "A new version of the People Pillar was published while you were reading" in \
        page.get_text()
    assert page.select_one("input[name=version_id]")["value"] != str(old_version_id)
    assert pledges_of(db, organisation) == []


def test_company_names_are_escaped(client, db, login_as):
    name = '<script>alert("x")</script> & Co'
    organisation, admin = create_company_with_admin(db, name)
    login_as(client, admin)
    before = client.get(SIGN)
    assert b"<script>" not in before.data and name in soup_of(before).get_text()
    client.submit(SIGN, valid_answers())
    [pledge] = pledges_of(db, organisation)
    assert f"{name} commits to" in pledge.signed_text  # stored as plain text
    for url in ("/company", "/company/pledge", f"/company/pledge/{pledge.id}"):
        response = client.get(url)
        assert b"<script>" not in response.data
        assert name in soup_of(response).get_text()


def test_members_never_see_another_companys_pledge(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    pledge = sign_pledge_as(db, organisation, admin)
    _, stranger = create_company_with_admin(db)
    login_as(client, stranger)
    for url in (f"/company/pledge/{pledge.id}", f"/company/pledge/{pledge.id}/statement.pdf",
                f"/company/pledge/{pledge.id}/signed", "/staff/pledges",
                f"/staff/pledges/{pledge.id}"):
        assert client.get(url).status_code in (403, 404), url
    assert client.get(f"/company/pledge/{pledge.id}").status_code == 404
    assert pledge.reference not in client.get("/company/pledge").get_data(as_text=True)


def test_staff_pledge_list_queries_do_not_grow_with_rows(client, db, login_as, count_queries):
    login_as(client, create_staff(db))
    counts = []
    for _ in range(2):
        for _ in range(5):
            organisation, admin = create_company_with_admin(db)
            sign_pledge_as(db, organisation, admin)
        with count_queries() as counter:
            assert client.get("/staff/pledges").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_staff_see_every_pledge_with_its_signing_details(client, db, login_as):
    organisation, admin = create_company_with_admin(db, "Thistle Direct")
    pledge = sign_pledge_as(db, organisation, admin)
    login_as(client, create_staff(db))
    listing = soup_of(client.get("/staff/pledges?q=thistle"))
    assert pledge.reference in listing.select_one("table").get_text()
    assert "No pledges match" in client.get("/staff/pledges?q=nobody").get_data(as_text=True)
    assert "No pledges match" in client.get("/staff/pledges?state=resign").get_data(as_text=True)
    publish_code_version(db)
    resign = soup_of(client.get("/staff/pledges?state=resign&page=x"))
    assert pledge.reference in resign.select_one("table").get_text()
    assert "Re-sign" in resign.select_one("table").get_text()
    detail = soup_of(client.get(f"/staff/pledges/{pledge.id}"))
    assert "192.0.2.1" in detail.get_text() and pledge.text_sha256 in detail.get_text()
    assert client.get("/staff/pledges/999999").status_code == 404


def test_an_expired_form_keeps_the_answers(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    login_as(client, admin)
    response = client.post(SIGN, data=valid_answers(csrf_token="expired"))
    assert response.status_code == 400
    page = soup_of(response)
    assert "This page expired before you sent it" in page.select_one(".error-summary").get_text()
    assert page.select_one("#signatory_title")["value"] == "Chief Executive"
    assert pledges_of(db, organisation) == []
