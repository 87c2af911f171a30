"""Two colleagues editing at once: nobody's work is silently overwritten."""

from __future__ import annotations

import sqlalchemy as sa

from portal.attestations.models import Attestation
from tests.attestations.helpers import (
    DEI_FORM,
    NARRATIVE_FORM,
    contributor,
    pledged_company,
    soup,
)


def _two_clients(client, db, login_as, frozen_clock):
    organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    other = type(client)(client.application.test_client())
    login_as(other, contributor(db, organisation))
    return client, other


def test_stale_save_shows_both_versions_and_keeps_both(client, db, login_as, frozen_clock):
    first, second = _two_clients(client, db, login_as, frozen_clock)
    # Both open section D at version 0; the first saves.
    token = second.csrf_token("/company/attestation/narrative")
    assert first.submit("/company/attestation/narrative", {
        **NARRATIVE_FORM, "highlights": "Theirs: a learning week."}).status_code == 302
    response = second.post("/company/attestation/narrative", data={
        **NARRATIVE_FORM, "highlights": "Mine: a mentoring scheme.", "csrf_token": token,
        "row_version": "0"})
    assert response.status_code == 409
    page = soup(response)
    assert page.h1.get_text(strip=True) == ("A colleague changed this section while you were "
                                            "editing it")
    assert "Theirs: a learning week." in page.select_one(".summary-list").get_text()
    assert page.select_one("#highlights").get_text() == "Mine: a mentoring scheme."
    db.expire_all()
    saved = db.execute(sa.select(Attestation)).scalar_one()
    assert saved.answers["narrative"]["highlights"] == "Theirs: a learning week."
    # Choosing "mine": the form now carries the current version, so it saves.
    version = page.select_one("input[name=row_version]")["value"]
    assert version == "1"
    response = second.post("/company/attestation/narrative", data={
        **NARRATIVE_FORM, "highlights": "Mine: a mentoring scheme.", "csrf_token": token,
        "row_version": version})
    assert response.status_code == 302
    db.expire_all()
    assert db.execute(sa.select(Attestation)).scalar_one().answers["narrative"][
        "highlights"] == "Mine: a mentoring scheme."


def test_colleagues_editing_different_sections_do_not_conflict(client, db, login_as,
                                                               frozen_clock):
    first, second = _two_clients(client, db, login_as, frozen_clock)
    token = second.csrf_token("/company/attestation/dei")
    assert first.submit("/company/attestation/narrative", NARRATIVE_FORM).status_code == 302
    response = second.post("/company/attestation/dei", data={**DEI_FORM, "csrf_token": token})
    assert response.status_code == 302
    db.expire_all()
    saved = db.execute(sa.select(Attestation)).scalar_one()
    assert set(saved.answers) == {"narrative", "dei"}


def test_tampered_version_is_a_conflict_not_an_error(client, db, login_as, frozen_clock):
    first, _second = _two_clients(client, db, login_as, frozen_clock)
    response = first.submit("/company/attestation/narrative", {**NARRATIVE_FORM,
                                                               "row_version": "abc"})
    assert response.status_code == 409
