"""Arrange approved attestations with chosen figures, and recompute the expected figures."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from tests.factories import (
    GOOD_ANSWERS,
    create_attestation,
    create_company,
    create_pledge,
)

SIGNED_AT = datetime(2024, 6, 1, tzinfo=UTC)
WEEKS = Decimal(365) / 7  # the factory's reporting period (calendar year 2025)


def answers_with(*, headcount=100, total_hours=5600, meeting=90, policy_url="https://e.example",
                 sponsor=True, pay_gap=None, practices=("anonymised_cvs",), adjustments=True):
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["workforce"]["headcount"] = headcount
    answers["learning"].update(total_hours=total_hours, employees_meeting_hour=meeting)
    answers["dei"].update(policy_url=policy_url, has_senior_sponsor=sponsor, pay_gap_url=pay_gap,
                          recruitment_practices=list(practices),
                          has_adjustments_policy=adjustments)
    return answers


def approved_company(db, cycles, *, sector="M", region="TLI", size="50-249", status="approved",
                     **figures):
    """A pledged company with one attestation per cycle (same answers in each)."""
    organisation = create_company(db, sector=sector, region=region, headcount_band=size)
    create_pledge(db, organisation, signed_at=SIGNED_AT)
    for cycle in cycles:
        create_attestation(db, organisation, cycle, status=status, answers=answers_with(**figures))
    return organisation


def stored_avg(answers) -> Decimal:
    """What the factory stores: total ÷ headcount ÷ weeks, kept to 3 places by the column."""
    value = (Decimal(answers["learning"]["total_hours"]) / answers["workforce"]["headcount"]
             / WEEKS)
    return value.quantize(Decimal("0.001"), ROUND_HALF_UP)
