"""Staff analytics count by the association's (London) dates, not UTC ones: an event at 23:30
UTC on a summer day belongs to the next London day; in winter the two agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from portal.attestations.models import Attestation, AttestationVersion
from portal.auth.models import StaffRole
from portal.review.models import Decision, Review
from tests.factories import create_cycle, create_staff
from tests.impact.helpers import approved_company


def at(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def submitted(db, cycle, moment):
    """A company whose attestation (one version) was submitted at `moment`."""
    company = approved_company(db, [cycle], status="submitted")
    attestation = db.query(Attestation).filter_by(organisation_id=company.id).one()
    version = db.query(AttestationVersion).filter_by(attestation_id=attestation.id).one()
    version.submitted_at = attestation.first_submitted_at = moment
    return attestation, version


def decide(db, reviewer, attestation, version, moment):
    db.add(Review(attestation_id=attestation.id, attestation_version_id=version.id,
                  reviewer_id=reviewer.id, decision=Decision.APPROVED, decided_at=moment))


def analytics_page(client, login_as, reviewer, query=""):
    login_as(client, reviewer)
    response = client.get(f"/staff/analytics{query}")
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


def weeks(soup) -> dict[str, tuple[int, int]]:
    """{week beginning: (submitted, decided)} for the weeks with anything in them."""
    rows = {}
    for row in soup.select("#throughput-table tbody tr"):
        counts = tuple(int(td.get_text(strip=True)) for td in row("td"))
        if any(counts):
            rows[row.th.get_text(strip=True)] = counts
    return rows


def test_summer_weeks_are_london_weeks(client, db, login_as, frozen_clock):
    frozen_clock(at(2026, 9, 8, 10, 0))  # Tuesday 8 September (BST)
    cycle = create_cycle(db, 2026)
    reviewer = create_staff(db, StaffRole.REVIEWER)
    # Sunday 23:30 UTC is Monday 00:30 in London: the week of 7 September.
    submitted(db, cycle, at(2026, 9, 6, 23, 30))
    # The first week shown begins on Monday 22 June, London time: 23:15 UTC the day before.
    submitted(db, cycle, at(2026, 6, 21, 23, 15))
    submitted(db, cycle, at(2026, 6, 21, 22, 45))  # Sunday 23:45 in London: before it
    # Decided at 23:30 on Sunday 6 September, London time: the week of 31 August.
    attestation, version = submitted(db, cycle, at(2026, 9, 1, 9, 0))
    decide(db, reviewer, attestation, version, at(2026, 9, 6, 22, 30))
    db.commit()

    soup = analytics_page(client, login_as, reviewer)
    rows = soup.select("#throughput-table tbody tr")
    assert rows[0].th.get_text(strip=True) == "22 June 2026"
    assert rows[-1].th.get_text(strip=True) == "7 September 2026"
    assert weeks(soup) == {"22 June 2026": (1, 0), "31 August 2026": (1, 1),
                           "7 September 2026": (1, 0)}


def test_winter_weeks_are_london_weeks(client, db, login_as, frozen_clock):
    frozen_clock(at(2026, 12, 8, 10, 0))  # Tuesday 8 December (GMT)
    cycle = create_cycle(db, 2026)
    reviewer = create_staff(db, StaffRole.REVIEWER)
    submitted(db, cycle, at(2026, 12, 6, 23, 30))  # still Sunday in London
    submitted(db, cycle, at(2026, 12, 7, 0, 30))   # Monday
    # The first week shown (21 September) began in summer time: 23:00 UTC on the 20th.
    attestation, version = submitted(db, cycle, at(2026, 9, 1, 9, 0))
    decide(db, reviewer, attestation, version, at(2026, 9, 20, 23, 30))
    attestation, version = submitted(db, cycle, at(2026, 9, 1, 9, 0))
    decide(db, reviewer, attestation, version, at(2026, 9, 20, 22, 30))  # Sunday 23:30
    db.commit()

    soup = analytics_page(client, login_as, reviewer)
    assert soup.select("#throughput-table tbody tr")[0].th.get_text(strip=True) == \
        "21 September 2026"
    assert weeks(soup) == {"21 September 2026": (0, 1), "30 November 2026": (1, 0),
                           "7 December 2026": (1, 0)}


@pytest.mark.parametrize(("submitted_at", "decided_at", "median"), [
    # Thursday 23:30 UTC in summer is Friday 00:30 in London: decided the same Friday.
    (at(2026, 9, 10, 23, 30), at(2026, 9, 11, 10, 0), "0.0"),
    # Decided at 23:30 UTC on Monday 14 September: Tuesday in London, one working day.
    (at(2026, 9, 14, 10, 0), at(2026, 9, 14, 23, 30), "1.0"),
    # Thursday 23:30 UTC in winter is Thursday in London too: one working day to Friday.
    (at(2026, 12, 10, 23, 30), at(2026, 12, 11, 10, 0), "1.0"),
])
def test_days_to_decision_count_london_dates(client, db, login_as, frozen_clock,
                                             submitted_at, decided_at, median):
    frozen_clock(at(2026, 12, 14, 10, 0))
    cycle = create_cycle(db, 2026)
    reviewer = create_staff(db, StaffRole.REVIEWER)
    attestation, version = submitted(db, cycle, submitted_at)
    decide(db, reviewer, attestation, version, decided_at)
    db.commit()

    text = analytics_page(client, login_as, reviewer, "?cycle=2026").get_text(" ", strip=True)
    assert f"Median: {median} working days" in text
    assert "100% of 1 decisions were made within the service level" in text
