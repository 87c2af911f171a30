"""Staff dashboard, company history, extensions, appointing admins and staff accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.attestations.models import Attestation
from portal.audit.models import AuditEvent
from portal.auth.models import Invitation, OrgRole, StaffRole, User
from portal.review import service as review_service
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_member,
    create_pledge,
    create_staff,
)


def soup(response):
    return BeautifulSoup(response.data, "html.parser")


def _actions(db, action):
    return list(db.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_dashboard_counts_per_cycle_and_median_days(db, world, client, login_as,
                                                    frozen_clock):
    late_org, _ = create_company_with_admin(db, "Thistle Direct")
    create_pledge(db, late_org, signed_at=datetime(2025, 1, 5, tzinfo=UTC))
    decided_org, _ = create_company_with_admin(db, "Atlas Audience Lab")
    create_pledge(db, decided_org, signed_at=datetime(2025, 1, 5, tzinfo=UTC))
    decided = create_attestation(db, decided_org, world["cycle"], status="submitted",
                                 submitted_at=datetime(2026, 6, 1, 9, tzinfo=UTC))
    review_service.approve(db, world["reviewer"], decided)  # 15 June: 10 working days later
    db.commit()
    frozen_clock(datetime(2026, 8, 10, 9, tzinfo=UTC))  # past due_on, inside the grace period
    login_as(client, world["reviewer"])
    page = soup(client.get("/staff"))
    words = [li.get_text(" ", strip=True).split(" ", 1) for li in page.select(".status-counts li")]
    text = {label: number for number, label in words}
    assert text["pledged"] == "3"
    assert text["submitted"] == "1" and text["approved"] == "1"
    assert text["overdue"] == "1"  # Thistle Direct: nothing submitted, no extension
    assert "10.0 working days" in page.get_text()


def test_company_page_shows_the_whole_history(db, world, client, login_as):
    attestation = world["attestation"]
    review_service.request_changes(db, world["reviewer"], attestation, {"dei": "Add a link."})
    db.commit()
    login_as(client, world["reviewer"])
    page = soup(client.get(f"/staff/companies/{world['organisation'].id}"))
    assert page.h1.get_text(strip=True) == "Kestrel CRM"
    text = page.get_text(" ", strip=True)
    assert "PL-TEST-" in text  # the pledge
    assert "2026 cycle: changes requested" in text
    assert "Changes requested by" in text
    assert "Changes needed to your 2026 People Pillar attestation" in text  # mail
    assert "attestation changes requested" in text  # audit event
    assert client.get("/staff/companies/999999").status_code == 404


def test_extension_sets_the_date_and_reason_and_mails_the_company(db, world, client,
                                                                  login_as, outbox):
    organisation = world["organisation"]
    other, _ = create_company_with_admin(db, "Thistle Direct")
    login_as(client, world["staff_admin"])
    url = f"/staff/companies/{other.id}/extension"
    response = client.submit(url, {"cycle_id": str(world["cycle"].id), "until": "31/02/2026",
                                   "reason": "Office flood"})
    page = soup(response)
    assert page.select_one(".error-summary a").get_text() == "Enter a real date, like 30/09/2026"
    assert page.select_one("#reason").get_text() == "Office flood"
    response = client.submit(url, {"cycle_id": str(world["cycle"].id), "until": "2026-07-01",
                                   "reason": "Office flood"})
    assert "must be after 31 July 2026" in soup(response).select_one("#until-error").get_text()
    response = client.submit(url, {"cycle_id": str(world["cycle"].id), "until": "30/09/2026",
                                   "reason": "Office flood"})
    assert response.status_code == 302
    attestation = db.execute(sa.select(Attestation).where(
        Attestation.organisation_id == other.id)).scalar_one()
    assert attestation.extended_until == date(2026, 9, 30)
    assert attestation.extension_reason == "Office flood"
    from portal.attestations.service import on_time_until

    assert on_time_until(attestation) == date(2026, 9, 30)  # submitting by then is on time
    assert _actions(db, "deadline_extended")[0].detail["until"] == "2026-09-30"
    assert outbox(kind="staff_deadline_extended")
    assert organisation.id != other.id


@pytest.mark.parametrize(("data", "message"), [
    ({"until": "", "reason": "x"}, "Select the reporting cycle"),
    ({"cycle_id": "1", "until": "", "reason": "x"}, "Enter the new deadline"),
    ({"cycle_id": "1", "until": "30/09/2026", "reason": ""},
     "Enter the reason for the extension"),
])
def test_extension_form_messages(db, world, client, login_as, data, message):
    login_as(client, world["staff_admin"])
    data = {key: (str(world["cycle"].id) if key == "cycle_id" else value)
            for key, value in data.items()}
    page = soup(client.submit(f"/staff/companies/{world['organisation'].id}/extension", data))
    assert message in [a.get_text() for a in page.select(".error-summary a")]


def test_extension_and_appointment_are_for_staff_admins(world, client, login_as):
    login_as(client, world["reviewer"])
    organisation_id = world["organisation"].id
    assert client.get(f"/staff/companies/{organisation_id}/extension").status_code == 403
    assert client.get(f"/staff/companies/{organisation_id}/appoint-admin").status_code == 403
    assert client.get("/staff/accounts").status_code == 403


def test_appoint_a_colleague_or_invite_a_newcomer_as_company_admin(db, world, client,
                                                                   login_as, outbox):
    organisation = world["organisation"]
    colleague = create_member(db, organisation, role=OrgRole.CONTRIBUTOR)
    login_as(client, world["staff_admin"])
    url = f"/staff/companies/{organisation.id}/appoint-admin"
    assert client.submit(url, {"email": colleague.email.upper()}).status_code == 302
    db.expire_all()
    assert db.get(User, colleague.id).org_role == OrgRole.ADMIN
    assert client.submit(url, {"email": "new.boss@kestrel.example"}).status_code == 302
    invitation = db.execute(sa.select(Invitation).where(
        Invitation.email == "new.boss@kestrel.example")).scalar_one()
    assert invitation.org_role == OrgRole.ADMIN and invitation.organisation_id == organisation.id
    assert len(_actions(db, "company_admin_appointed")) == 2
    assert {m.to_addr for m in outbox(kind="staff_admin_appointed")} >= {
        world["admin"].email, colleague.email}
    outsider, outsider_admin = create_company_with_admin(db)
    page = soup(client.submit(url, {"email": outsider_admin.email}))
    assert "belongs to someone outside this company" in page.select_one(
        "#email-error").get_text()


def test_staff_accounts_invite_change_role_and_disable(db, world, client, login_as, outbox):
    login_as(client, world["staff_admin"])
    page = soup(client.get("/staff/accounts"))
    assert page.h1.get_text(strip=True) == "Staff accounts"
    page = soup(client.submit("/staff/accounts/invite", {"email": "", "staff_role": ""}))
    assert [a.get_text() for a in page.select(".error-summary a")] == [
        "Enter their email address", "Select a role"]
    response = client.submit("/staff/accounts/invite",
                             {"email": "new.reviewer@association.example",
                              "staff_role": "reviewer"})
    assert response.status_code == 302
    assert outbox(kind="invitation")[-1].to_addr == "new.reviewer@association.example"

    reviewer = world["reviewer"]
    assert client.submit(f"/staff/accounts/{reviewer.id}/role",
                         {"staff_role": "admin"}).status_code == 302
    assert client.submit(f"/staff/accounts/{reviewer.id}/disable", {}).status_code == 302
    db.expire_all()
    disabled = db.get(User, reviewer.id)
    assert disabled.disabled_at is not None and disabled.staff_role == StaffRole.ADMIN
    assert [e.detail for e in _actions(db, "staff_role_changed")] == [
        {"from": "reviewer", "to": "admin"}]
    assert _actions(db, "staff_disabled")


def test_the_last_staff_admin_cannot_be_removed(db, world, client, login_as):
    only_admin = world["staff_admin"]
    login_as(client, only_admin)
    page = soup(client.submit(f"/staff/accounts/{only_admin.id}/role",
                              {"staff_role": "reviewer"}))
    assert "This is the last staff admin" in page.select_one("#staff_role-error").get_text()
    other_admin = create_staff(db, StaffRole.ADMIN)
    login_as(client, other_admin)
    response = client.submit(f"/staff/accounts/{other_admin.id}/disable", {})
    assert response.status_code == 409
    assert "You cannot disable your own account" in soup(response).get_text()
    assert client.submit(f"/staff/accounts/{only_admin.id}/disable", {}).status_code == 302
    db.expire_all()
    page = soup(client.submit(f"/staff/accounts/{other_admin.id}/role",
                              {"staff_role": "none"}))
    assert "This is the last staff admin" in page.get_text()
    assert db.get(User, other_admin.id).staff_role == StaffRole.ADMIN


def test_members_get_403_on_staff_pages(db, world, client, login_as):
    login_as(client, world["admin"])
    organisation_id = world["organisation"].id
    for url in ("/staff", "/staff/companies", f"/staff/companies/{organisation_id}",
                f"/staff/companies/{organisation_id}/extension",
                f"/staff/companies/{organisation_id}/appoint-admin", "/staff/accounts",
                "/staff/accounts/invite", f"/staff/accounts/{world['reviewer'].id}/role",
                f"/staff/accounts/{world['reviewer'].id}/disable"):
        assert client.get(url).status_code == 403, url


def test_no_open_cycle_means_nothing_to_extend(db, world, client, login_as, frozen_clock):
    frozen_clock(datetime(2027, 2, 1, 9, tzinfo=UTC))  # the 2026 grace period is over
    login_as(client, world["staff_admin"])
    page = soup(client.get(f"/staff/companies/{world['organisation'].id}/extension"))
    assert "No reporting cycle is open" in page.get_text()
    assert not page.find("form", method="post", attrs={"novalidate": True})
