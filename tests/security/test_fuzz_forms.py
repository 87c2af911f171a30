"""Hostile input to the foundation forms: never a 500, never half a write.

Each example starts from a valid answer set and then breaks it: fields replaced with random
unicode, control characters, markup or huge strings; fields dropped; fields sent twice;
unexpected fields added; the CSRF token dropped or doubled.
"""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.auth.models import Invitation, User
from portal.db import get_session
from portal.extensions import limiter
from portal.organisations.models import Organisation
from tests.conftest import PortalClient
from tests.factories import PASSWORD, create_company_with_admin

HOSTILE = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=40),
    st.text(alphabet=st.characters(categories=["Cf", "Zl", "Zp", "Mn", "So"]), max_size=40),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "{{7*7}}", "${7*7}",
                     "' OR '1'='1' --", "../../etc/passwd", "é" * 300, "😀" * 100,
                     "a@b", "admin@example.com\r\nBcc: victim@example.com",
                     "-1", "1e309", "NaN", "0x10", "M", "TLI", "50-249", "admin",
                     "[", "http://[::1", "https://[", "http://a:99999", "javascript:alert(1)"]),
    st.integers(1_000, 300_000).map(lambda n: "x" * n),
)


@st.composite
def mangled(draw, valid: dict):
    """A valid answer set, then broken: replaced, dropped, repeated and extra fields."""
    pairs = []
    for name, value in valid.items():
        action = draw(st.sampled_from(["keep", "keep", "hostile", "drop", "repeat"]))
        if action == "drop":
            continue
        chosen = draw(HOSTILE) if action == "hostile" else value
        pairs.append((name, chosen))
        if action == "repeat":
            pairs.append((name, draw(HOSTILE)))
    for name in draw(st.lists(st.sampled_from(["id", "organisation_id", "staff_role",
                                               "is_admin", "org_role", "_user_id"]),
                              max_size=2)):
        pairs.append((name, draw(HOSTILE)))
    return pairs


CSRF_MODE = st.sampled_from(["valid", "valid", "valid", "missing", "garbage", "twice"])


def post(client: PortalClient, url: str, pairs, token: str, csrf_mode: str):
    data = MultiDict(pairs)
    if csrf_mode in ("valid", "twice"):
        data.add("csrf_token", token)
    if csrf_mode == "twice":
        data.add("csrf_token", "not-a-token")
    if csrf_mode == "garbage":
        data.add("csrf_token", "\x00<script>")
    limiter.reset()  # the rate limits have their own tests; here every example must reach the form
    return client.post(url, data=data)


def counts(app) -> dict[str, int]:
    with app.app_context():
        session = get_session()
        return {model.__name__: session.execute(
            sa.select(sa.func.count()).select_from(model)).scalar()
            for model in (User, Organisation, Invitation)}


def assert_sane(response) -> None:
    assert response.status_code < 500, response.data[:500]
    if response.mimetype == "text/html" and response.status_code != 302:
        assert b"<script>alert(1)</script>" not in response.data
        # Template injection would print 49 where the answer is echoed back (the page itself
        # holds "49" elsewhere: the "10-49" headcount band).
        assert b'value="49"' not in response.data and b">49<" not in response.data


REGISTRATION = {"company_name": "Fuzz Ltd", "company_number": "", "sector": "M",
                "region": "TLI", "headcount_band": "50-249", "website": "",
                "name": "Fuzz Person", "email": "fuzz@example.com",
                "password": "a long enough password"}


def test_registration_survives_hostile_input(app):
    client = PortalClient(app.test_client())
    token = client.csrf_token("/register")
    serial = iter(range(10_000))

    @given(pairs=mangled(REGISTRATION), csrf_mode=CSRF_MODE)
    def example(pairs, csrf_mode):
        n = next(serial)
        pairs = [(k, f"fuzz{n}@example.com" if v == "fuzz@example.com" else v)
                 for k, v in pairs]
        before = counts(app)
        response = post(client, "/register", pairs, token, csrf_mode)
        assert_sane(response)
        after = counts(app)
        new_orgs = after["Organisation"] - before["Organisation"]
        new_users = after["User"] - before["User"]
        # A company and its first admin are created together or not at all.
        assert new_orgs == new_users and new_orgs in (0, 1)
        if response.status_code != 302:
            assert new_orgs == 0

    example()


def test_sign_in_survives_hostile_input(app):
    with app.app_context():
        _, admin = create_company_with_admin(get_session())
        email = admin.email
    client = PortalClient(app.test_client())
    token = client.csrf_token("/sign-in")

    @given(pairs=mangled({"email": email, "password": "wrong password"}), csrf_mode=CSRF_MODE)
    def example(pairs, csrf_mode):
        before = counts(app)
        response = post(client, "/sign-in", pairs, token, csrf_mode)
        assert_sane(response)
        assert response.status_code != 302  # never signed in without the right password
        assert counts(app) == before

    example()


def test_forgot_password_survives_hostile_input(app):
    client = PortalClient(app.test_client())
    token = client.csrf_token("/forgot-password")

    @given(pairs=mangled({"email": "someone@example.com"}), csrf_mode=CSRF_MODE)
    def example(pairs, csrf_mode):
        before = counts(app)
        assert_sane(post(client, "/forgot-password", pairs, token, csrf_mode))
        assert counts(app) == before

    example()


def _signed_in_admin(app):
    with app.app_context():
        organisation, admin = create_company_with_admin(get_session())
        login_id, organisation_id = admin.get_id(), organisation.id
    client = PortalClient(app.test_client())
    with client.session_transaction() as session:
        session["_user_id"] = login_id
    return client, organisation_id


def test_company_profile_survives_hostile_input(app):
    client, organisation_id = _signed_in_admin(app)
    token = client.csrf_token("/company/profile")
    valid = {"company_name": "Renamed Ltd", "company_number": "", "sector": "J",
             "region": "TLH", "headcount_band": "10-49", "website": "www.example.org",
             "description": "We do data.", "is_listed": "y", "publishes_metrics": ""}

    @given(pairs=mangled(valid), csrf_mode=CSRF_MODE)
    def example(pairs, csrf_mode):
        with app.app_context():
            before = _profile(organisation_id)
        response = post(client, "/company/profile", pairs, token, csrf_mode)
        assert_sane(response)
        with app.app_context():
            after = _profile(organisation_id)
        if response.status_code != 302:
            assert after == before  # a refused form changes nothing
        else:
            assert len(after["name"]) <= 200 and "\x00" not in after["name"]

    example()


def _profile(organisation_id: int) -> dict:
    organisation = get_session().get(Organisation, organisation_id)
    return {"name": organisation.name, "sector": organisation.sector,
            "website": organisation.website, "description": organisation.description,
            "slug": organisation.slug}


def test_invitation_survives_hostile_input(app):
    client, _ = _signed_in_admin(app)
    token = client.csrf_token("/company/people/invite")
    serial = iter(range(10_000))

    @given(pairs=mangled({"email": "colleague@example.com", "org_role": "contributor"}),
           csrf_mode=CSRF_MODE)
    def example(pairs, csrf_mode):
        n = next(serial)
        pairs = [(k, f"c{n}@example.com" if v == "colleague@example.com" else v)
                 for k, v in pairs]
        before = counts(app)
        response = post(client, "/company/people/invite", pairs, token, csrf_mode)
        assert_sane(response)
        new = counts(app)["Invitation"] - before["Invitation"]
        assert new == (1 if response.status_code == 302 else 0)

    example()


def test_a_correct_password_still_works_after_the_fuzzing(app):
    """The fuzzed forms above are the real ones: a plain valid sign-in goes through."""
    with app.app_context():
        _, admin = create_company_with_admin(get_session())
        email = admin.email
    client = PortalClient(app.test_client())
    response = client.submit("/sign-in", {"email": email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_second_step_survives_hostile_codes(app):
    import time

    from tests.factories import create_staff, enrol_two_factor

    with app.app_context():
        session = get_session()
        staff = create_staff(session)
        enrol_two_factor(session, staff)
        pending = {"u": staff.id, "v": staff.session_version, "next": "", "tries": 0}
    client = PortalClient(app.test_client())
    token = client.csrf_token("/sign-in")

    @given(pairs=mangled({"code": "123456"}), csrf_mode=CSRF_MODE,
           url=st.sampled_from(["/sign-in/two-factor", "/sign-in/two-factor/recovery-code"]))
    def example(pairs, csrf_mode, url):
        with client.session_transaction() as flask_session:
            flask_session["pending_two_factor"] = {**pending, "at": time.time()}
        response = post(client, url, pairs, token, csrf_mode)
        assert_sane(response)
        with client.session_transaction() as flask_session:
            assert "_user_id" not in flask_session  # no code in the strategy is right

    example()


def test_account_deletion_survives_hostile_input(app):
    client, _ = _signed_in_admin(app)
    token = client.csrf_token("/account/delete")

    @given(pairs=mangled({"password": "not the password"}), csrf_mode=CSRF_MODE)
    def example(pairs, csrf_mode):
        before = counts(app)
        response = post(client, "/account/delete", pairs, token, csrf_mode)
        assert_sane(response)
        assert response.status_code != 302 and counts(app) == before

    example()
