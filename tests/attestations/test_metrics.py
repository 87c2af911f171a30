"""Derived metrics and number parsing, checked over many inputs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from portal.attestations.metrics import compute_metrics, meets_thresholds


def _answers(start: date, end: date, headcount: int, hours, meeting: int) -> dict:
    return {"workforce": {"period_start": start.isoformat(), "period_end": end.isoformat(),
                          "headcount": headcount},
            "learning": {"total_hours": hours, "employees_meeting_hour": meeting}}


def test_the_factory_example():
    derived = compute_metrics(_answers(date(2025, 1, 1), date(2025, 12, 31), 100, 5600, 90))
    assert derived == {"headcount": 100, "avg_hours_per_week": Decimal("1.074"),
                       "coverage_pct": Decimal("90.00")}


@given(start=st.dates(date(2000, 1, 1), date(2030, 1, 1)), days=st.integers(1, 366),
       headcount=st.integers(1, 1_000_000), hours=st.integers(0, 10**9),
       share=st.fractions(0, 1))
def test_average_and_coverage_follow_the_formulas(start, days, headcount, hours, share):
    meeting = int(headcount * share)
    end = start + timedelta(days=days - 1)
    derived = compute_metrics(_answers(start, end, headcount, hours, meeting))
    expected_avg = Decimal(hours) / headcount / (Decimal(days) / 7)
    assert abs(derived["avg_hours_per_week"] - expected_avg) <= Decimal("0.0005")
    assert Decimal(0) <= derived["coverage_pct"] <= Decimal(100)


def test_missing_answers_give_no_metrics():
    assert compute_metrics({}) == {"headcount": None, "avg_hours_per_week": None,
                                   "coverage_pct": None}


def test_thresholds():
    class Cycle:
        min_avg_hours_per_week, min_coverage_pct = Decimal("1.0"), 80

    meets = meets_thresholds({"avg_hours_per_week": Decimal("0.999"),
                              "coverage_pct": Decimal("80")}, Cycle)
    assert meets == {"avg_hours_per_week": False, "coverage_pct": True}


@given(number=st.integers(0, 10_000_000), separator=st.sampled_from([",", " ", ""]))
def test_whole_numbers_with_thousands_separators(app, number, separator):
    from portal.attestations.forms import WorkforceForm

    typed = f"{number:,}".replace(",", separator)
    with app.test_request_context():
        form = WorkforceForm(formdata=MultiDict({
            "period_start-day": "1", "period_start-month": "1", "period_start-year": "2025",
            "period_end-day": "31", "period_end-month": "12", "period_end-year": "2025",
            "headcount": typed}), meta={"csrf": False})
        valid = form.validate()
    assert valid == (number >= 1)
    if valid:
        assert form.to_answers()["headcount"] == number


@given(day=st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_dates_typed_in_three_fields_round_trip(app, day):
    from portal.attestations.forms import CycleForm

    with app.test_request_context():
        form = CycleForm(formdata=MultiDict({
            "opens_on-day": str(day.day), "opens_on-month": f"{day.month:02d}",
            "opens_on-year": str(day.year)}), meta={"csrf": False})
        form.validate()
    assert form.opens_on.data == day and not form.opens_on.errors
