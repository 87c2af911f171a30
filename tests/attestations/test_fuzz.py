"""Hostile input to every attestation form: never a 500, never markup echoed unescaped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.auth.models import StaffRole
from tests.attestations.helpers import FORMS, pledged_company
from tests.attestations.test_cycles import GOOD as CYCLE_FORM
from tests.factories import create_staff

HOSTILE = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "-1", "1e309", "NaN",
                     "Infinity", "1,2,3", "9" * 40, "0.0000001", "31", "2", "2025", "yes",
                     "no", "lms", "https://", "http://x", "99999999999999999999",
                     "1" + "0" * 400, "٣", "²", "½"]),
    st.integers(-10**12, 10**12).map(str),
)


@st.composite
def mangled(draw, valid: dict):
    pairs = []
    for name, value in valid.items():
        values = value if isinstance(value, list) else [value]
        action = draw(st.sampled_from(["keep", "hostile", "hostile", "drop", "repeat"]))
        if action == "drop":
            continue
        for item in values:
            pairs.append((name, draw(HOSTILE) if action == "hostile" else item))
        if action == "repeat":
            pairs.append((name, draw(HOSTILE)))
    return pairs


def _assert_sane(response):
    assert response.status_code < 500, response.data[:300]
    assert b"<script>alert(1)</script>" not in response.data


@pytest.mark.parametrize("key", list(FORMS))
def test_sections_survive_hostile_input(client, db, login_as, frozen_clock, key):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    url = f"/company/attestation/{key}"
    token = client.csrf_token(url)

    @given(pairs=mangled(FORMS[key]))
    def example(pairs):
        data = MultiDict(pairs)
        data.add("csrf_token", token)
        _assert_sane(client.post(url, data=data))
        _assert_sane(client.get(url))
        _assert_sane(client.get("/company/attestation/check"))

    example()


def test_cycle_form_survives_hostile_input(client, db, login_as):
    login_as(client, create_staff(db, StaffRole.ADMIN))
    token = client.csrf_token("/staff/cycles/new")

    @given(pairs=mangled(CYCLE_FORM))
    def example(pairs):
        data = MultiDict(pairs)
        data.add("csrf_token", token)
        _assert_sane(client.post("/staff/cycles/new", data=data))

    example()
