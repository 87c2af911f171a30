"""Two colleagues editing at once: nobody's work is silently overwritten."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

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


@pytest.mark.postgres_only
def test_simultaneous_saves_one_wins_the_other_conflicts(app, db, frozen_clock):
    """Two workers pass the version check at once; the row lock lets exactly one through."""
    from portal.attestations import service
    from portal.db import get_session
    from tests.factories import create_attestation

    organisation, admin, cycle = pledged_company(db, frozen_clock)
    attestation_id = create_attestation(db, organisation, cycle).id
    engine = app.extensions["db_engine"]
    first, second = Session(engine), Session(engine)
    outcomes, started = {}, threading.Event()

    def save(session, name, text):
        attestation = session.get(Attestation, attestation_id)
        try:
            with app.app_context():
                if name == "second":
                    started.wait(5)
                service.save_section(session, attestation, "narrative",
                                     {"highlights": text, "plans": "p"}, 0, admin.id)
                if name == "first":
                    started.set()
                    threading.Event().wait(0.5)  # hold the row lock while the other tries
                session.commit()
                outcomes[name] = "saved"
        except service.EditConflict:
            session.rollback()
            outcomes[name] = "conflict"
        finally:
            session.close()

    threads = [threading.Thread(target=save, args=(first, "first", "A")),
               threading.Thread(target=save, args=(second, "second", "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes == {"first": "saved", "second": "conflict"}
    db.expire_all()
    assert get_session().get(Attestation, attestation_id).answers["narrative"]["highlights"] \
        == "A"
