"""Remembered /impact answers: reused while nothing changed, dropped by any relevant write."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.attestations.models import Attestation
from tests.factories import create_certificate, create_cycle
from tests.impact.helpers import approved_company

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def cached(app, monkeypatch, frozen_clock):
    monkeypatch.setitem(app.config, "IMPACT_CACHE", True)
    frozen_clock(NOW)


def _employees(client) -> str:
    soup = BeautifulSoup(client.get("/impact").data, "html.parser")
    rows = {row.dt.get_text(strip=True): row.dd.get_text(strip=True)
            for row in soup.select(".summary-list__row")}
    return rows.get("Employees covered by certified companies", "hidden")


def test_cached_answer_is_reused_until_the_data_changes(client, db, cached, count_queries):
    cycle = create_cycle(db, 2026)
    companies = [approved_company(db, [cycle]) for _ in range(5)]
    assert _employees(client) == "500"
    with count_queries() as again:
        assert _employees(client) == "500"
    assert again.count <= 4  # the fingerprint and the page's own (user, nav) lookups
    approved_company(db, [cycle], headcount=50)
    assert _employees(client) == "550"
    attestation = db.execute(sa.select(Attestation).where(
        Attestation.organisation_id == companies[0].id)).scalar_one()
    certificate = create_certificate(db, companies[0], cycle, attestation)
    certificate.revoked_at = NOW
    db.commit()
    assert _employees(client) == "450"  # a revoked certificate takes its figures out
    assert client.get("/impact?sector=nonsense").status_code == 200
