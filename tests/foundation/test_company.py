"""Company profile, colleagues, invitations, roles: a member only ever sees its own company."""

import re

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.auth.models import Invitation, OrgRole, User
from tests.factories import create_company_with_admin, create_member, create_staff


def test_admin_edits_the_profile(client, db, login_as):
    organisation, admin = create_company_with_admin(db, "Old Name Ltd")
    login_as(client, admin)
    response = client.submit("/company/profile", {
        "company_name": "Zoë Analytics", "company_number": "sc123456", "sector": "J",
        "region": "TLM", "headcount_band": "10-49", "website": "https://zoe.example",
        "description": "We count things.", "is_listed": "y",
    })
    assert response.status_code == 302
    db.refresh(organisation)
    assert organisation.name == "Zoë Analytics" and organisation.search_name == "zoe analytics"
    assert organisation.company_number == "SC123456"
    assert organisation.slug == "old-name-ltd"  # slugs are stable
    assert organisation.publishes_metrics is False


def test_profile_errors_keep_answers(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    login_as(client, admin)
    response = client.submit("/company/profile", {
        "company_name": "", "sector": "J", "region": "TLM", "headcount_band": "10-49",
        "description": "d" * 1005})
    soup = BeautifulSoup(response.data, "html.parser")
    summary = soup.select_one(".error-summary").get_text(" ", strip=True)
    assert "Enter your company's name" in summary
    assert "Description must be 1,000 characters or fewer (remove 5 characters)" in summary
    assert soup.select_one("#region option[selected]")["value"] == "TLM"


def test_contributor_cannot_edit_the_profile(client, db, login_as):
    organisation, _ = create_company_with_admin(db)
    contributor = create_member(db, organisation, role=OrgRole.CONTRIBUTOR)
    login_as(client, contributor)
    assert client.get("/company").status_code == 200
    assert client.get("/company/profile").status_code == 403


def test_staff_get_403_on_member_pages_and_members_on_staff_pages(client, db, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    assert client.get("/staff").status_code == 403
    login_as(client, create_staff(db))
    assert client.get("/company").status_code == 403
    assert client.get("/staff").status_code == 200


def invite(client, email, role="contributor"):
    return client.submit("/company/people/invite", {"email": email, "org_role": role})


def test_invitation_lifecycle(client, app, db, outbox, login_as):
    organisation, admin = create_company_with_admin(db)
    login_as(client, admin)
    assert invite(client, "colleague@example.com").status_code == 302
    mail = outbox(kind="invitation")[-1]
    link = re.search(r"http://localhost(/invitation/\S+)", mail.text_body).group(1)
    invitee = type(client)(app.test_client())
    response = invitee.submit(link, {"name": "Cole League", "password": "colleague password"})
    assert response.status_code == 302
    user = db.execute(sa.select(User).where(User.email == "colleague@example.com")).scalar_one()
    assert user.organisation_id == organisation.id and user.org_role == OrgRole.CONTRIBUTOR
    assert user.is_verified
    assert invitee.get(link).status_code == 400  # used once


def test_invitation_expires_after_seven_days_and_can_be_resent(client, db, outbox, login_as,
                                                                frozen_clock):
    from datetime import timedelta

    from portal import clock

    frozen_clock(clock.now())
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    invite(client, "late@example.com")
    first = re.search(r"(/invitation/\S+)", outbox(kind="invitation")[-1].text_body).group(1)
    clock.advance(timedelta(days=8))
    assert client.get(first).status_code == 400
    invitation = db.execute(sa.select(Invitation)).scalar_one()
    assert "Expired" in client.get("/company/people").get_data(as_text=True)
    client.submit(f"/company/invitations/{invitation.id}/resend", form_url="/company/people")
    second = re.search(r"(/invitation/\S+)", outbox(kind="invitation")[-1].text_body).group(1)
    assert second != first and client.get(second).status_code == 200
    assert client.get(first).status_code == 400


def test_revoked_invitation_stops_working(client, db, outbox, login_as):
    _, admin = create_company_with_admin(db)
    login_as(client, admin)
    invite(client, "revoked@example.com")
    link = re.search(r"(/invitation/\S+)", outbox(kind="invitation")[-1].text_body).group(1)
    invitation = db.execute(sa.select(Invitation)).scalar_one()
    client.submit(f"/company/invitations/{invitation.id}/revoke", form_url="/company/people")
    assert client.get(link).status_code == 400


def test_a_company_always_keeps_one_admin(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    login_as(client, admin)
    response = client.submit(f"/company/people/{admin.id}/role", {"org_role": "contributor"})
    assert "must keep at least one admin" in response.get_data(as_text=True)
    response = client.submit(f"/company/people/{admin.id}/remove")
    assert response.status_code == 409
    db.refresh(admin)
    assert admin.org_role == OrgRole.ADMIN and admin.organisation_id == organisation.id


def test_admin_changes_a_role_and_removes_a_colleague(client, db, login_as):
    organisation, admin = create_company_with_admin(db)
    colleague = create_member(db, organisation, role=OrgRole.CONTRIBUTOR)
    login_as(client, admin)
    client.submit(f"/company/people/{colleague.id}/role", {"org_role": "admin"})
    db.refresh(colleague)
    assert colleague.org_role == OrgRole.ADMIN
    client.submit(f"/company/people/{colleague.id}/remove")
    db.refresh(colleague)
    assert colleague.organisation_id is None


def test_another_companys_people_and_invitations_are_404(client, db, login_as):
    _, admin_a = create_company_with_admin(db)
    organisation_b, admin_b = create_company_with_admin(db)
    colleague_b = create_member(db, organisation_b, role=OrgRole.CONTRIBUTOR)
    login_as(client, admin_b)
    invite(client, "b-invite@example.com")
    invitation_b = db.execute(sa.select(Invitation)).scalar_one()
    login_as(client, admin_a)
    assert client.get(f"/company/people/{colleague_b.id}/role").status_code == 404
    assert client.get(f"/company/people/{colleague_b.id}/remove").status_code == 404
    response = client.submit(f"/company/invitations/{invitation_b.id}/revoke",
                             form_url="/company/people")
    assert response.status_code == 404
    assert colleague_b.email not in client.get("/company/people").get_data(as_text=True)
