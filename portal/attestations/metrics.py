"""Derived metrics: one comparable number per year (DESIGN §4)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def period_days(workforce: dict) -> int | None:
    try:
        start = date.fromisoformat(workforce["period_start"])
        end = date.fromisoformat(workforce["period_end"])
    except (KeyError, TypeError, ValueError):
        return None
    days = (end - start).days + 1
    return days if days > 0 else None


def period_weeks(workforce: dict) -> Decimal | None:
    days = period_days(workforce)
    return Decimal(days) / 7 if days else None


def compute_metrics(answers: dict) -> dict:
    """{"headcount", "avg_hours_per_week", "coverage_pct"}; None where answers are missing.

    Average = total hours ÷ headcount ÷ (days in period ÷ 7); coverage = meeting ÷ headcount.
    """
    workforce = answers.get("workforce") or {}
    learning = answers.get("learning") or {}
    headcount = workforce.get("headcount")
    weeks = period_weeks(workforce)
    avg = coverage = None
    if headcount and weeks and learning.get("total_hours") is not None:
        avg = (Decimal(str(learning["total_hours"])) / Decimal(headcount) / weeks).quantize(
            Decimal("0.001"), ROUND_HALF_UP)
    if headcount and learning.get("employees_meeting_hour") is not None:
        coverage = (Decimal(learning["employees_meeting_hour"]) * 100 / Decimal(headcount)
                    ).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return {"headcount": headcount, "avg_hours_per_week": avg, "coverage_pct": coverage}


def meets_thresholds(metrics: dict, cycle) -> dict:
    """Whether each metric meets the cycle's threshold (None when it cannot be computed)."""
    avg, coverage = metrics.get("avg_hours_per_week"), metrics.get("coverage_pct")
    return {
        "avg_hours_per_week": None if avg is None else avg >= cycle.min_avg_hours_per_week,
        "coverage_pct": None if coverage is None else coverage >= cycle.min_coverage_pct,
    }
