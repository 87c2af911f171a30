"""Each risk rule alone: it fires on the case it exists for and stays quiet otherwise."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from portal.review import risk
from portal.review.models import Severity
from tests.factories import GOOD_ANSWERS

SUBMITTED = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


def context(**overrides) -> risk.RiskContext:
    values = {
        "answers": copy.deepcopy(GOOD_ANSWERS), "headcount": 100,
        "avg_hours_per_week": Decimal("1.10"), "coverage_pct": Decimal("90"),
        "min_avg_hours_per_week": Decimal("1.0"), "min_coverage_pct": Decimal("80"),
        "submitted_at": SUBMITTED, "evidence_count": 1,
    }
    values.update(overrides)
    return risk.RiskContext(**values)


def test_a_good_submission_raises_no_flag():
    assert risk.evaluate(context()) == []


def test_coverage_below_threshold():
    assert risk.coverage_below_threshold(context()) is None
    finding = risk.coverage_below_threshold(context(coverage_pct=Decimal("79.5")))
    assert finding.severity == Severity.HIGH
    assert finding.explanation == ("Only 79.5% of employees averaged an hour a week; the "
                                   "cycle requires at least 80%.")


def test_coverage_exactly_at_threshold_is_not_flagged():
    assert risk.coverage_below_threshold(context(coverage_pct=Decimal("80"))) is None


def test_hours_below_threshold():
    assert risk.hours_below_threshold(context(avg_hours_per_week=Decimal("1.0"))) is None
    finding = risk.hours_below_threshold(context(avg_hours_per_week=Decimal("0.6")))
    assert finding.code == "hours_below_threshold"
    assert "0.6 hours per employee per week" in finding.explanation
    assert "at least 1.0" in finding.explanation


def test_implausible_hours_above_ten_a_week():
    assert risk.implausible_hours(context(avg_hours_per_week=Decimal("10"))) is None
    finding = risk.implausible_hours(context(avg_hours_per_week=Decimal("12.5")))
    assert finding.severity == Severity.MEDIUM
    assert "12.5 hours" in finding.explanation


@pytest.mark.parametrize(("before", "now", "fires"), [
    (100, 150, False), (100, 151, True), (100, 50, False), (100, 49, True), (None, 500, False),
])
def test_headcount_swing_over_fifty_percent(before, now, fires):
    finding = risk.headcount_swing(context(previous_cycle_headcount=before, headcount=now))
    assert (finding is not None) is fires
    if fires:
        assert f"from {before:,} last cycle to {now:,}" in finding.explanation


def test_employees_meeting_the_hour_cannot_exceed_headcount():
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["learning"]["employees_meeting_hour"] = 120
    finding = risk.meeting_exceeds_headcount(context(answers=answers))
    assert finding.severity == Severity.HIGH
    assert "120 employees" in finding.explanation and "only 100" in finding.explanation
    assert risk.meeting_exceeds_headcount(context()) is None


def test_no_dei_policy_url():
    answers = copy.deepcopy(GOOD_ANSWERS)
    answers["dei"]["policy_url"] = ""
    assert risk.no_dei_policy_url(context(answers=answers)).code == "no_dei_policy_url"
    assert risk.no_dei_policy_url(context()) is None


def test_below_threshold_without_evidence():
    low = {"coverage_pct": Decimal("50")}
    assert risk.below_threshold_without_evidence(context(evidence_count=0, **low)) is not None
    assert risk.below_threshold_without_evidence(context(evidence_count=2, **low)) is None
    assert risk.below_threshold_without_evidence(context(evidence_count=0)) is None


def test_resubmitted_unchanged_after_a_change_request():
    same = copy.deepcopy(GOOD_ANSWERS)
    finding = risk.unchanged_after_change_request(context(answers_before_change_request=same))
    assert finding.code == "unchanged_after_change_request"
    changed = copy.deepcopy(GOOD_ANSWERS)
    changed["narrative"]["plans"] = "Something new"
    assert risk.unchanged_after_change_request(
        context(answers_before_change_request=changed)) is None
    assert risk.unchanged_after_change_request(context()) is None


@pytest.mark.parametrize(("signed_before", "fires"), [
    (timedelta(hours=2), True), (timedelta(hours=23, minutes=59), True),
    (timedelta(hours=24), False), (timedelta(days=200), False),
])
def test_submitted_within_a_day_of_pledging(signed_before, fires):
    finding = risk.submitted_soon_after_pledge(
        context(pledge_signed_at=SUBMITTED - signed_before))
    assert (finding is not None) is fires


def test_every_rule_has_a_distinct_code():
    codes = {rule.__name__ for rule in risk.RULES}
    assert len(codes) == len(risk.RULES) >= 9
