"""The members' comparison and the staff analytics page, on the real stack."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from portal.auth.models import StaffRole
from portal.review.models import Decision, Review, RiskFlag, Severity
from tests.factories import create_cycle, create_member, create_staff
from tests.impact.helpers import answers_with, approved_company, stored_avg

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def cycle(db, frozen_clock):
    frozen_clock(NOW)
    return create_cycle(db, 2026)


def _soup(response):
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert len(soup.find_all("h1")) == 1 and not soup.select("[style]")
    return soup


def _row(soup, label):
    row = soup.find("th", string=label).parent
    return [td.get_text(" ", strip=True) for td in row("td")]


def test_member_sees_own_figures_beside_peer_median_and_quartiles(client, db, login_as, cycle):
    totals = [2000, 4000, 5200, 6000, 9000]
    companies = [approved_company(db, [cycle], total_hours=t) for t in totals]
    approved_company(db, [cycle], sector="J", total_hours=30000)  # another sector: not a peer
    login_as(client, create_member(db, companies[0]))
    soup = _soup(client.get("/company/compare"))
    averages = [stored_avg(answers_with(total_hours=t)) for t in totals]
    lower, middle, upper = statistics.quantiles(averages, n=4, method="inclusive")
    assert _row(soup, "Average learning hours per employee per week") == [
        f"{averages[0]:.2f}", f"{middle:.2f}", f"{lower:.2f} to {upper:.2f}", "5"]


def test_peers_below_five_are_suppressed(client, db, login_as, cycle):
    company = approved_company(db, [cycle])
    for _ in range(3):
        approved_company(db, [cycle])
    login_as(client, create_member(db, company))
    soup = _soup(client.get("/company/compare"))
    assert _row(soup, "Employees averaging an hour a week")[1:] == [
        "Too few companies to show", "fewer than 5"]


def test_compare_empty_state_and_access(client, db, login_as, cycle):
    assert client.get("/company/compare").status_code == 302  # sign in first
    from tests.factories import create_company

    login_as(client, create_member(db, create_company(db)))
    assert "Nothing to compare yet" in _soup(client.get("/company/compare")).get_text()
    login_as(client, create_staff(db))
    assert client.get("/company/compare").status_code == 403


def test_staff_analytics_counts_decisions_flags_and_reminders(client, db, login_as, cycle):
    from portal.attestations.models import Attestation, AttestationVersion
    from portal.mail.models import OutboxMail

    reviewer = create_staff(db, StaffRole.REVIEWER)
    company = approved_company(db, [cycle], status="submitted")
    attestation = db.query(Attestation).filter_by(organisation_id=company.id).one()
    version = db.query(AttestationVersion).filter_by(attestation_id=attestation.id).one()
    version.submitted_at = attestation.first_submitted_at = NOW - timedelta(days=21)
    db.add(Review(attestation_id=attestation.id, attestation_version_id=version.id,
                  reviewer_id=reviewer.id, decision=Decision.APPROVED, decided_at=NOW))
    db.add(RiskFlag(attestation_id=attestation.id, attestation_version_id=version.id,
                    code="no_dei_policy_url", severity=Severity.MEDIUM, explanation="x"))
    db.add(OutboxMail(kind="reminder_1_week", to_addr="a@example.com",
                      organisation_id=company.id, subject="s", text_body="t", html_body="h",
                      message_id="<m1@example>", dedupe_key=f"reminder_1_week:2026:{company.id}:1",
                      created_at=NOW - timedelta(days=23)))
    db.commit()
    login_as(client, reviewer)
    soup = _soup(client.get("/staff/analytics?cycle=2026"))
    # 11 Aug (Tue) to 1 Sep (Tue), 31 Aug a bank holiday: 14 working days, over the level.
    assert "0% of 1 decisions" in soup.get_text(" ", strip=True)
    assert _row(soup, "16 to 20") == ["0"] and _row(soup, "11 to 15") == ["1"]
    assert _row(soup, "No dei policy url") == ["medium", "1", "1", "100%"]
    assert _row(soup, "1 week before") == ["1", "1", "1", "1"]
    assert sum(int(r("td")[1].get_text()) for r in soup.select("#throughput-table tbody tr")) == 1


@pytest.mark.parametrize("query", ["?cycle=abc", "?cycle=1999", "?cycle=%00"])
def test_staff_analytics_ignores_a_nonsense_cycle(client, db, login_as, cycle, query):
    login_as(client, create_staff(db))
    assert "so the latest is shown" in _soup(client.get(f"/staff/analytics{query}")).get_text()


def test_staff_analytics_is_staff_only(client, db, login_as, cycle):
    company = approved_company(db, [cycle])
    login_as(client, create_member(db, company))
    assert client.get("/staff/analytics").status_code == 403


def test_staff_analytics_empty_state(client, db, login_as, frozen_clock):
    frozen_clock(NOW)
    login_as(client, create_staff(db))
    soup = _soup(client.get("/staff/analytics"))
    text = soup.get_text(" ", strip=True)
    assert "No reporting cycle has opened yet" in text
    assert "0 submissions in the last 12 weeks" in text
    assert len(soup.select("figure > svg > title")) == 2
