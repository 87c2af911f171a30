"""Staff two-factor authentication: enrolment, codes that work once, recovery codes, reset."""

import time

import pyotp
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.audit.models import AuditEvent
from portal.auth import two_factor
from portal.auth.models import StaffRole, User
from tests.factories import (
    PASSWORD,
    create_company_with_admin,
    create_staff,
    enrol_two_factor,
    sign_in_with_two_factor,
    totp_code,
)


def page(response):
    return BeautifulSoup(response.data, "html.parser")


def password_step(client, user, next_url=None):
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    return client.submit(url, {"email": user.email, "password": PASSWORD})


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def fresh(db, user) -> User:
    db.expire_all()
    return db.get(User, user.id)


def actions(db) -> list[str]:
    return list(db.execute(sa.select(AuditEvent.action).order_by(AuditEvent.seq)).scalars())


def test_member_signs_in_with_password_only(client, db):
    _, admin = create_company_with_admin(db)
    response = password_step(client, admin)
    assert response.headers["Location"] == "/company"
    assert is_signed_in(client)


def test_staff_password_alone_does_not_sign_in(client, db):
    staff = create_staff(db)
    response = password_step(client, staff)
    assert response.headers["Location"] == "/sign-in/two-factor"
    assert not is_signed_in(client)
    assert "login" not in actions(db)


def test_enrolment_shows_qr_and_key_then_recovery_codes(client, db):
    staff = create_staff(db)
    password_step(client, staff)
    response = client.get("/sign-in/two-factor", follow_redirects=True)
    html = page(response)
    assert html.h1.get_text(strip=True) == "Set up two-factor authentication"
    svg = html.select_one(".qr-code-box svg")
    assert svg is not None and not html.select("[style]")
    secret = html.select_one("#manual-key").get_text().replace(" ", "")
    assert client.get("/sign-in/two-factor/set-up").data.count(b"manual-key") == 1
    assert page(client.get("/sign-in/two-factor/set-up")).select_one(
        "#manual-key").get_text().replace(" ", "") == secret  # same key on reload

    response = client.submit("/sign-in/two-factor/set-up", {"code": pyotp.TOTP(secret).now()})
    html = page(response)
    assert response.status_code == 200
    assert html.h1.get_text(strip=True) == "Save your recovery codes"
    codes = [c.get_text() for c in html.select(".recovery-codes code")]
    assert len(codes) == 8 and len(set(codes)) == 8
    user = fresh(db, staff)
    assert user.totp_secret == secret
    assert len(user.recovery_codes) == 8
    assert not set(codes) & set(user.recovery_codes)  # stored hashed, never as typed
    assert is_signed_in(client)
    assert {"two_factor_enrolled", "login"} <= set(actions(db))


def test_enrolment_refuses_a_wrong_code_and_keeps_the_key(client, db):
    staff = create_staff(db)
    password_step(client, staff)
    client.get("/sign-in/two-factor/set-up")
    response = client.submit("/sign-in/two-factor/set-up", {"code": "000000"})
    html = page(response)
    assert html.title.get_text().startswith("Error: ")
    assert "The code is not correct" in html.select_one(".error-summary").get_text()
    assert html.select_one("#code-error") is not None
    assert fresh(db, staff).totp_secret is None
    assert not is_signed_in(client)


@pytest.mark.parametrize("code, message", [
    ("", "Enter the 6-digit code from your authenticator app"),
    ("12345", "The code is not correct or has already been used"),
    ("abcdef", "The code is not correct or has already been used"),
])
def test_code_step_messages(client, db, code, message):
    staff = create_staff(db)
    enrol_two_factor(db, staff)
    password_step(client, staff)
    response = client.submit("/sign-in/two-factor", {"code": code})
    assert response.status_code == 200
    assert message in page(response).select_one(".error-summary").get_text()


def test_enrolled_staff_signs_in_with_a_code_and_keeps_next(client, db):
    staff = create_staff(db)
    secret = enrol_two_factor(db, staff)
    response = sign_in_with_two_factor(client, staff, secret, next_url="/account")
    assert response.headers["Location"] == "/account"
    assert is_signed_in(client)


def test_a_code_is_refused_the_second_time(app, db):
    staff = create_staff(db)
    secret = enrol_two_factor(db, staff)
    code = totp_code(secret)
    first, second = app.test_client(), app.test_client()
    from tests.conftest import PortalClient

    first, second = PortalClient(first), PortalClient(second)
    password_step(first, staff)
    assert first.submit("/sign-in/two-factor", {"code": code}).status_code == 302
    password_step(second, staff)
    replay = second.submit("/sign-in/two-factor", {"code": code})
    assert replay.status_code == 200
    assert "already been used" in page(replay).select_one(".error-summary").get_text()
    assert not is_signed_in(second)
    # The next time step's code still works.
    assert second.submit("/sign-in/two-factor",
                         {"code": totp_code(secret, steps_ahead=1)}).status_code == 302


def test_claim_step_is_atomic_and_monotonic(app, db):
    staff = create_staff(db)
    enrol_two_factor(db, staff)
    with app.test_request_context():
        assert two_factor.claim_step(db, staff, 100)
        assert not two_factor.claim_step(db, staff, 100)
        assert not two_factor.claim_step(db, staff, 99)
        assert two_factor.claim_step(db, staff, 101)


def test_recovery_code_works_once(client, db, app):
    staff = create_staff(db)
    enrol_two_factor(db, staff)
    with app.test_request_context():
        codes, hashes = two_factor.new_recovery_codes()
    staff.recovery_codes = hashes
    db.commit()
    password_step(client, staff)
    response = client.submit("/sign-in/two-factor/recovery-code", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert len(fresh(db, staff).recovery_codes) == 7
    assert "two_factor_recovery_code_used" in actions(db)

    client.post("/sign-out", data={"csrf_token": client.csrf_token("/account")})
    password_step(client, staff)
    again = client.submit("/sign-in/two-factor/recovery-code", {"code": codes[0]})
    assert "already been used" in page(again).select_one(".error-summary").get_text()
    assert not is_signed_in(client)


def test_five_wrong_codes_send_you_back_to_the_password(client, db):
    staff = create_staff(db)
    enrol_two_factor(db, staff)
    password_step(client, staff)
    for _ in range(4):
        assert client.submit("/sign-in/two-factor", {"code": "000000"}).status_code == 200
    response = client.submit("/sign-in/two-factor", {"code": "000000"})
    assert response.headers["Location"] == "/sign-in"
    assert client.get("/sign-in/two-factor").headers["Location"] == "/sign-in"
    assert actions(db).count("two_factor_failed") == 5


def test_second_step_expires_after_ten_minutes(client, db):
    staff = create_staff(db)
    secret = enrol_two_factor(db, staff)
    password_step(client, staff)
    with client.session_transaction() as session:
        session["pending_two_factor"] = {**session["pending_two_factor"],
                                         "at": time.time() - 601}
    response = client.submit("/sign-in/two-factor", {"code": totp_code(secret)},
                             form_url="/sign-in")
    assert response.headers["Location"] == "/sign-in"
    assert not is_signed_in(client)


def test_second_step_pages_need_a_password_first(client):
    for url in ("/sign-in/two-factor", "/sign-in/two-factor/set-up",
                "/sign-in/two-factor/recovery-code"):
        assert client.get(url).headers["Location"] == "/sign-in"


def test_staff_invitation_leads_to_enrolment(client, db):
    from portal.auth import service
    from portal.auth.tokens import new_random_token

    admin = create_staff(db, StaffRole.ADMIN)
    with client.application.test_request_context():
        invitation = service.invite(db, admin, "new.reviewer@association.example",
                                    staff_role=StaffRole.REVIEWER)
        token, invitation.token_sha256 = new_random_token()
        db.commit()
    response = client.submit(f"/invitation/{token}", {"name": "New Reviewer",
                                                      "password": "a long new password"})
    assert response.headers["Location"] == "/sign-in/two-factor"
    assert not is_signed_in(client)


def test_admin_resets_a_colleagues_two_factor(client, db, login_as):
    admin = create_staff(db, StaffRole.ADMIN)
    reviewer = create_staff(db)
    enrol_two_factor(db, reviewer)
    version = reviewer.session_version
    login_as(client, admin)
    url = f"/staff/accounts/{reviewer.id}/reset-two-factor"
    html = page(client.get(url))
    assert reviewer.name in html.h1.get_text()
    response = client.submit(url)
    assert response.status_code == 302
    user = fresh(db, reviewer)
    assert user.totp_secret is None and user.recovery_codes is None
    assert user.session_version == version + 1
    event = db.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "two_factor_reset")).scalar_one()
    assert event.actor_id == admin.id and event.object_id == str(reviewer.id)


def test_reset_two_factor_is_for_staff_admins_and_staff_accounts_only(client, db, login_as):
    admin = create_staff(db, StaffRole.ADMIN)
    reviewer = create_staff(db)
    _, member = create_company_with_admin(db)
    login_as(client, reviewer)
    assert client.get(f"/staff/accounts/{admin.id}/reset-two-factor").status_code == 403
    login_as(client, admin)
    assert client.get(f"/staff/accounts/{member.id}/reset-two-factor").status_code == 404
    assert client.get("/staff/accounts/999999/reset-two-factor").status_code == 404
    own = client.submit(f"/staff/accounts/{admin.id}/reset-two-factor",
                        form_url="/account")
    assert own.status_code == 302
    assert "two_factor_reset" not in actions(db)


def test_a_reset_signs_the_colleague_out(app, db, login_as):
    from tests.conftest import PortalClient

    admin = create_staff(db, StaffRole.ADMIN)
    reviewer = create_staff(db)
    enrol_two_factor(db, reviewer)
    theirs = login_as(PortalClient(app.test_client()), reviewer)
    assert is_signed_in(theirs)
    mine = login_as(PortalClient(app.test_client()), admin)
    mine.submit(f"/staff/accounts/{reviewer.id}/reset-two-factor")
    assert not is_signed_in(theirs)


def test_staff_can_replace_their_recovery_codes(client, db, login_as):
    staff = create_staff(db)
    enrol_two_factor(db, staff)
    login_as(client, staff)
    assert "0 unused recovery codes" in page(client.get("/account/two-factor")).get_text()
    response = client.submit("/account/two-factor/recovery-codes", form_url="/account/two-factor")
    assert len(page(response).select(".recovery-codes code")) == 8
    assert len(fresh(db, staff).recovery_codes) == 8


def test_demo_secrets_never_count_in_production(app, db):
    staff = create_staff(db, email="ada.admin@association.example")
    with app.test_request_context():
        assert two_factor.seed_demo_secret(staff) == two_factor.DEMO_TOTP_SECRETS[staff.email]
        assert two_factor.is_enrolled(staff)
        app.config["PORTAL_ENV"] = "production"
        try:
            assert two_factor.seed_demo_secret(staff) is None
            assert not two_factor.is_enrolled(staff)
            assert not two_factor.verify_code(db, staff, totp_code(staff.totp_secret))
        finally:
            app.config["PORTAL_ENV"] = "testing"


def test_demo_seed_in_production_sets_no_secret(app, db):
    from portal.demo import seed

    app.config["PORTAL_ENV"] = "production"
    try:
        with app.test_request_context():
            lines = seed(db, companies=1, cycles=0)
    finally:
        app.config["PORTAL_ENV"] = "testing"
    ada = db.execute(sa.select(User).where(
        User.email == "ada.admin@association.example")).scalar_one()
    assert ada.totp_secret is None
    assert not any("two-factor secret" in line for line in lines)


def test_second_step_pages_keep_the_house_rules(client, db):
    from tests.security.test_access_matrix import _page_rules

    staff = create_staff(db)
    password_step(client, staff)
    enrol = client.get("/sign-in/two-factor/set-up")
    assert _page_rules(enrol) == []
    secret = page(enrol).select_one("#manual-key").get_text().replace(" ", "")
    codes = client.submit("/sign-in/two-factor/set-up", {"code": pyotp.TOTP(secret).now()})
    assert _page_rules(codes) == []
    client.post("/sign-out", data={"csrf_token": client.csrf_token("/account")})
    password_step(client, staff)
    for url in ("/sign-in/two-factor", "/sign-in/two-factor/recovery-code"):
        response = client.get(url)
        assert response.status_code == 200 and _page_rules(response) == [], url
    wrong = client.submit("/sign-in/two-factor", {"code": "000000"})
    assert _page_rules(wrong) == []
