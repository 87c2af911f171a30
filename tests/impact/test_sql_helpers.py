"""The dialect helpers give the same answers on SQLite and PostgreSQL; charts' geometry."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.attestations.models import Attestation
from portal.impact import charts
from portal.impact.sqlfuncs import (
    days_between,
    json_has_text,
    json_is_true,
    json_list_contains,
    local_date,
    local_week,
)
from tests.factories import create_attestation, create_company, create_cycle
from tests.impact.helpers import answers_with


def _one(db, expression):
    return db.execute(sa.select(expression).select_from(Attestation)).scalar_one()


@pytest.mark.parametrize(("answers", "expected"), [
    (answers_with(sponsor=True, pay_gap="https://e.example/g", practices=["outreach"]),
     (True, True, True, False)),
    (answers_with(sponsor=False, pay_gap=None, practices=["diverse_panels"]),
     (False, False, False, True)),
    (answers_with(sponsor=None, pay_gap="", practices=[]), (False, False, False, False)),
])
def test_json_helpers(db, answers, expected):
    create_attestation(db, create_company(db), create_cycle(db, 2026), answers=answers)
    answers_column = Attestation.answers
    got = tuple(bool(_one(db, expression)) for expression in (
        json_is_true(answers_column, "dei", "has_senior_sponsor"),
        json_has_text(answers_column, "dei", "pay_gap_url"),
        json_list_contains(answers_column, "outreach", "dei", "recruitment_practices"),
        json_list_contains(answers_column, "diverse_panels", "dei", "recruitment_practices")))
    assert got == expected


@pytest.mark.parametrize(("moment", "day", "monday"), [
    # Summer (BST, UTC+1): late evening UTC is already the next London day.
    (datetime(2026, 9, 6, 23, 30, tzinfo=UTC), "2026-09-07", "2026-09-07"),  # Sun UTC, Mon here
    (datetime(2026, 9, 6, 22, 59, tzinfo=UTC), "2026-09-06", "2026-08-31"),  # still Sunday
    (datetime(2026, 7, 31, 23, 0, tzinfo=UTC), "2026-08-01", "2026-07-27"),
    (datetime(2026, 8, 31, 0, 5, tzinfo=UTC), "2026-08-31", "2026-08-31"),   # a Monday
    # Winter (GMT): London and UTC dates agree.
    (datetime(2026, 12, 6, 23, 30, tzinfo=UTC), "2026-12-06", "2026-11-30"),  # a Sunday
    (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "2026-12-31", "2026-12-28"),
    (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), "2027-01-01", "2026-12-28"),
    # The night the clocks go back (25 October 2026, 01:00 UTC).
    (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), "2026-10-25", "2026-10-19"),
    (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), "2026-10-25", "2026-10-19"),
])
def test_local_dates_and_weeks(db, moment, day, monday):
    attestation = create_attestation(db, create_company(db), create_cycle(db, 2026))
    attestation.submitted_at = moment
    attestation.decided_at = datetime(2026, 8, 30, 12, 0, tzinfo=UTC)
    db.commit()
    assert str(_one(db, local_date(Attestation.submitted_at))) == day
    assert str(_one(db, local_week(Attestation.submitted_at))) == monday
    expected = (moment - attestation.decided_at).total_seconds() / 86400
    assert _one(db, days_between(Attestation.submitted_at, Attestation.decided_at)) == \
        pytest.approx(expected, abs=1e-4)


def test_local_dates_group_the_same_on_both_databases_and_follow_the_time_zone(db):
    cycle = create_cycle(db, 2026)
    for moment in (datetime(2026, 9, 6, 22, 30, tzinfo=UTC), datetime(2026, 9, 6, 23, 30,
                                                                          tzinfo=UTC)):
        create_attestation(db, create_company(db), cycle).submitted_at = moment
    create_attestation(db, create_company(db), cycle)  # a draft: never submitted
    db.commit()
    day = local_date(Attestation.submitted_at).label("day")
    grouped = dict(db.execute(sa.select(day, sa.func.count()).group_by(day)).all())
    assert {str(k) if k else None: n for k, n in grouped.items()} == {
        "2026-09-06": 1, "2026-09-07": 1, None: 1}
    new_york = local_date(Attestation.submitted_at, "America/New_York").label("day")
    assert {str(k) for k, in db.execute(sa.select(new_york).where(
        Attestation.submitted_at.is_not(None)))} == {"2026-09-06"}


def test_chart_geometry_scales_bars_to_a_round_axis():
    chart = charts.bar_chart("Companies", [("A", 3), ("B", None), ("C", 8)], summary="s")
    tallest = max(bar.height for bar in chart.bars)
    assert chart.bars[2].height == tallest and chart.bars[0].height == pytest.approx(
        tallest * 3 / 8, abs=0.1)
    assert chart.bars[1].value_text == "not shown" and chart.bars[1].height == 0
    assert [tick.value_text for tick in chart.ticks] == ["0", "5", "10"]
    assert all(bar.y + bar.height == pytest.approx(chart.baseline, abs=0.2) for bar in chart.bars)


@pytest.mark.parametrize(("value", "ceiling"), [
    (0, 1), (Decimal("0.7"), 1), (3, 5), (5, 5), (11, 20), (240, 500), (Decimal("1.33"), 2)])
def test_nice_ceiling(value, ceiling):
    assert charts.nice_ceiling(Decimal(value)) == ceiling


def test_empty_chart():
    assert charts.bar_chart("Nothing", [("A", None)], summary="s").is_empty
