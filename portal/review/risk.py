"""Risk rules: each looks at one submission and returns a finding or None.

Rules are small and independent so each can be tested alone and explained to a reviewer in
plain English. `build_context` gathers everything they need in a few queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from portal.review.models import Severity

IMPLAUSIBLE_HOURS_PER_WEEK = Decimal(10)
HEADCOUNT_SWING = Decimal("0.5")
QUICK_AFTER_PLEDGE = timedelta(hours=24)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    explanation: str


@dataclass
class RiskContext:
    answers: dict
    headcount: int | None
    avg_hours_per_week: Decimal | None
    coverage_pct: Decimal | None
    min_avg_hours_per_week: Decimal
    min_coverage_pct: Decimal
    submitted_at: datetime
    previous_cycle_headcount: int | None = None
    evidence_count: int = 0
    # Answers of the version a change request was made on, when this one answers it.
    answers_before_change_request: dict | None = None
    pledge_signed_at: datetime | None = None

    def section(self, key: str) -> dict:
        return self.answers.get(key) or {}


def _pct(value) -> str:
    # One decimal place, so 79.5% is never rounded up to look like the 80% threshold.
    return f"{Decimal(value):.1f}".removesuffix(".0") + "%"


def _hours(value) -> str:
    return f"{Decimal(value):.1f}"


def coverage_below_threshold(ctx: RiskContext) -> Finding | None:
    if ctx.coverage_pct is None or ctx.coverage_pct >= ctx.min_coverage_pct:
        return None
    return Finding("coverage_below_threshold", Severity.HIGH,
                   f"Only {_pct(ctx.coverage_pct)} of employees averaged an hour a week; the "
                   f"cycle requires at least {_pct(ctx.min_coverage_pct)}.")


def hours_below_threshold(ctx: RiskContext) -> Finding | None:
    if ctx.avg_hours_per_week is None or ctx.avg_hours_per_week >= ctx.min_avg_hours_per_week:
        return None
    return Finding("hours_below_threshold", Severity.HIGH,
                   f"Average learning time is {_hours(ctx.avg_hours_per_week)} hours per "
                   f"employee per week; the cycle requires at least "
                   f"{_hours(ctx.min_avg_hours_per_week)}.")


def implausible_hours(ctx: RiskContext) -> Finding | None:
    if ctx.avg_hours_per_week is None or ctx.avg_hours_per_week <= IMPLAUSIBLE_HOURS_PER_WEEK:
        return None
    return Finding("implausible_hours", Severity.MEDIUM,
                   f"Average learning time is {_hours(ctx.avg_hours_per_week)} hours per "
                   f"employee per week, more than {IMPLAUSIBLE_HOURS_PER_WEEK:.0f}: check the "
                   "total hours were not entered in minutes or for the wrong period.")


def headcount_swing(ctx: RiskContext) -> Finding | None:
    before, now = ctx.previous_cycle_headcount, ctx.headcount
    if not before or now is None:
        return None
    change = (Decimal(now) - before) / before
    if abs(change) <= HEADCOUNT_SWING:
        return None
    return Finding("headcount_swing", Severity.MEDIUM,
                   f"Headcount changed from {before:,} last cycle to {now:,} "
                   f"({change * 100:+.0f}%), more than 50%.")


def meeting_exceeds_headcount(ctx: RiskContext) -> Finding | None:
    # The form refuses this; a flag here means data arrived some other way.
    meeting = ctx.section("learning").get("employees_meeting_hour")
    if meeting is None or ctx.headcount is None or int(meeting) <= ctx.headcount:
        return None
    return Finding("meeting_exceeds_headcount", Severity.HIGH,
                   f"{int(meeting):,} employees are said to meet the hour, but the headcount "
                   f"is only {ctx.headcount:,}.")


def no_dei_policy_url(ctx: RiskContext) -> Finding | None:
    if ctx.section("dei").get("policy_url"):
        return None
    return Finding("no_dei_policy_url", Severity.MEDIUM,
                   "No link to a published DE&I policy was given (commitment 3).")


def below_threshold_without_evidence(ctx: RiskContext) -> Finding | None:
    below = coverage_below_threshold(ctx) or hours_below_threshold(ctx)
    if below is None or ctx.evidence_count:
        return None
    return Finding("below_threshold_without_evidence", Severity.HIGH,
                   "The figures are below the cycle's thresholds and no evidence file was "
                   "uploaded to explain them.")


def unchanged_after_change_request(ctx: RiskContext) -> Finding | None:
    before = ctx.answers_before_change_request
    if before is None or before != ctx.answers:
        return None
    return Finding("unchanged_after_change_request", Severity.HIGH,
                   "Resubmitted after a change request without changing any answer.")


def submitted_soon_after_pledge(ctx: RiskContext) -> Finding | None:
    signed = ctx.pledge_signed_at
    if signed is None or not timedelta(0) <= ctx.submitted_at - signed < QUICK_AFTER_PLEDGE:
        return None
    return Finding("submitted_soon_after_pledge", Severity.LOW,
                   "Submitted within 24 hours of signing the pledge: a year of learning "
                   "data so soon after joining deserves a closer look.")


RULES = (
    coverage_below_threshold, hours_below_threshold, implausible_hours, headcount_swing,
    meeting_exceeds_headcount, no_dei_policy_url, below_threshold_without_evidence,
    unchanged_after_change_request, submitted_soon_after_pledge,
)


def evaluate(ctx: RiskContext) -> list[Finding]:
    return [finding for rule in RULES if (finding := rule(ctx)) is not None]
