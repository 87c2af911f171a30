"""Remembered public pages: shared only between anonymous visitors, never stale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup

from portal import pagecache
from portal.pagecache import PageStore, Remembered
from tests.factories import (
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)

SIGNED = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)


def pledged(db, name):
    organisation, admin = create_company_with_admin(db, name)
    create_pledge(db, organisation, admin, signed_at=SIGNED)
    return organisation, admin


def names(response) -> list[str]:
    soup = BeautifulSoup(response.data, "html.parser")
    return [a.get_text(strip=True) for a in soup.select("table tbody td:first-child a")]


@pytest.fixture
def today(frozen_clock):
    frozen_clock(date(2026, 3, 2))


def test_a_remembered_page_costs_one_query_and_shows_the_same(client, db, today, count_queries):
    pledged(db, "Brightwave Media")
    first = client.get("/members")
    with count_queries() as again:
        second = client.get("/members")
    assert again.count == 1  # the data version
    assert second.data == first.data and names(second) == ["Brightwave Media"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in second.headers


def test_any_public_change_shows_at_once(client, db, today):
    organisation, _ = pledged(db, "Brightwave Media")
    assert names(client.get("/members")) == ["Brightwave Media"]
    pledged(db, "Amber Analytics")
    assert names(client.get("/members")) == ["Amber Analytics", "Brightwave Media"]
    organisation.is_listed = False  # the company opts out of the list
    db.commit()
    assert names(client.get("/members")) == ["Amber Analytics"]


def test_statuses_follow_the_date(client, db, frozen_clock):
    frozen_clock(date(2026, 7, 1))  # cycle 2026 is due on 31 July
    create_cycle(db, 2026)
    organisation, _ = pledged(db, "Brightwave Media")
    profile = f"/members/{organisation.slug}"
    assert "Reporting due 2026" in client.get(profile).get_data(as_text=True)
    frozen_clock(date(2026, 8, 15))  # nothing changed but the date
    assert "Overdue 2026" in client.get(profile).get_data(as_text=True)


def test_signed_in_visitors_get_their_own_page(client, db, today, login_as):
    _, admin = pledged(db, "Brightwave Media")
    client.get("/members")  # remembered for anonymous visitors
    login_as(client, admin)
    header = BeautifulSoup(client.get("/members").data, "html.parser").select_one("header")
    assert "Sign out" in header.get_text()
    assert header.select_one("input[name=csrf_token]")["value"]


def test_a_flash_message_is_never_shared_or_lost(client, db, today):
    pledged(db, "Brightwave Media")
    client.get("/members")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your message was sent")]
    page = client.get("/members").get_data(as_text=True)
    assert "Your message was sent" in page
    other = client.application.test_client()
    assert "Your message was sent" not in other.get("/members").get_data(as_text=True)


def test_pages_with_a_personal_form_token_are_not_remembered(client, db, today):
    cycle = create_cycle(db, 2026)
    organisation, _ = pledged(db, "Brightwave Media")
    certificate = create_certificate(db, organisation, cycle)
    pagecache.store.clear()
    check = f"/verify/{certificate.verification_id}/check-file"
    first, second = client.application.test_client(), client.application.test_client()
    token = [c.get(check).get_data(as_text=True).split('name="csrf_token"')[1][:120]
             for c in (first, second)]
    assert token[0] != token[1]
    assert len(pagecache.store) == 0


def test_verification_visits_are_counted_even_when_the_page_is_remembered(client, db, today):
    from portal.certificates.models import Certificate

    cycle = create_cycle(db, 2026)
    organisation, _ = pledged(db, "Brightwave Media")
    certificate = create_certificate(db, organisation, cycle)
    for _ in range(3):
        assert client.get(f"/verify/{certificate.verification_id}").status_code == 200
    db.expire_all()
    assert db.get(Certificate, certificate.id).verification_count == 3
    certificate = db.get(Certificate, certificate.id)
    certificate.revoked_at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    db.commit()
    revoked = client.get(f"/verify/{certificate.verification_id}")
    assert revoked.status_code == 410 and revoked.headers["Cache-Control"] == "no-store"


def test_conditional_requests_get_304_from_a_remembered_answer(client, db, today):
    pledged(db, "Brightwave Media")
    first = client.get("/api/v1/members")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/members", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.head("/api/v1/members").status_code == 200


def test_switched_off_every_page_is_worked_out(app, client, db, today, count_queries,
                                                monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    pledged(db, "Brightwave Media")
    client.get("/members")
    with count_queries() as again:
        client.get("/members")
    assert again.count > 1 and len(pagecache.store) == 0


def test_the_store_is_bounded_in_bytes_and_forgets_the_least_recent():
    store = PageStore(max_bytes=1000)
    page = Remembered(200, (), b"x" * 100)
    for n in range(10):
        store.put(("page", n), page)
    store.get(("page", 0))  # recently used: kept
    store.put(("page", 10), page)
    assert store.get(("page", 0)) is not None and store.get(("page", 1)) is None
    assert len(store) == 10
    store.put(("huge",), Remembered(200, (), b"x" * 200))  # over an eighth: not kept
    assert store.get(("huge",)) is None
