"""/impact on the real stack: figures recomputed from the factory data, filters, privacy."""

from __future__ import annotations

import csv
import io
import statistics
from datetime import datetime
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from tests.factories import create_cycle
from tests.impact.helpers import answers_with, approved_company, stored_avg

NOW = datetime(2026, 9, 1, 10, 0).astimezone()


@pytest.fixture
def cycles(db, frozen_clock):
    frozen_clock(NOW)
    return create_cycle(db, 2025), create_cycle(db, 2026)


def _page(client, query=""):
    response = client.get(f"/impact{query}")
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


def _summary(soup) -> dict[str, str]:
    return {row.dt.get_text(" ", strip=True): row.dd.get_text(" ", strip=True)
            for row in soup.select(".summary-list__row")}


HOURS = [2000, 4000, 5600, 6000, 9000, 12000]  # total hours of six companies of 100 staff


def test_figures_match_an_independent_computation(client, db, cycles):
    for index, total in enumerate(HOURS):
        approved_company(db, cycles[1:], total_hours=total, meeting=50 + 8 * index,
                         pay_gap="https://e.example/gap" if index < 2 else None,
                         practices=("anonymised_cvs", "outreach") if index % 2 else ())
    approved_company(db, cycles[1:], status="submitted")  # reported, not approved: not counted
    soup = _page(client)
    assert len(soup.find_all("h1")) == 1
    averages = [stored_avg(answers_with(total_hours=t)) for t in HOURS]
    lower, middle, upper = statistics.quantiles(averages, n=4, method="inclusive")
    assert statistics.median(averages) == middle  # six companies: an even count
    summary = _summary(soup)
    assert summary["Companies pledged"] == "7"
    assert summary["Companies that reported"] == "7 (100% of those pledged)"
    assert summary["Companies certified"] == "6 (86% of those pledged)"
    assert summary["Employees covered by certified companies"] == "600"
    assert summary["Median average learning hours per employee per week"] == (
        f"{middle:.2f} (interquartile range {lower:.2f} to {upper:.2f})")
    meeting_hour = sum(a >= 1 for a in averages)
    assert summary["Certified companies averaging at least 1.0 hour a week"].endswith(
        f"({meeting_hour} of 6)")
    coverage = sum(50 + 8 * i >= 80 for i in range(6))
    assert f"({coverage} of 6)" in summary[
        "Certified companies where at least 80% of staff averaged an hour a week"]
    practices = {row.th.get_text(strip=True): [td.get_text(strip=True) for td in row("td")]
                 for row in soup.select("#practices-table tbody tr")}
    assert practices["Published pay-gap report"] == ["2", "33%"]
    assert practices["Recruitment: Outreach to under-represented groups"] == ["3", "50%"]
    assert practices["Named senior sponsor"] == ["6", "100%"]


def test_histogram_chart_table_and_csv_agree(client, db, cycles):
    for total in HOURS:
        approved_company(db, cycles[1:], total_hours=total)
    soup = _page(client, "?cycle=2026")
    svg = soup.select_one("#hours-heading ~ figure svg")
    assert svg.title.get_text().startswith("Average learning hours")
    assert soup.select_one("#hours-chart-caption").get_text(strip=True)
    assert not soup.select("[style]") and not soup.find("script")
    table = {row.th.get_text(strip=True): int(row.td.get_text(strip=True))
             for row in soup.select("#hours-table tbody tr")}
    expected = {"Under 0.5": 1, "0.5 to 1": 1, "1 to 1.5": 2, "1.5 to 2": 1, "2 to 2.5": 1}
    assert {k: v for k, v in table.items() if v} == expected
    link = soup.find("a", string="Download this table (CSV)")["href"]
    rows = list(csv.reader(io.StringIO(client.get(link).get_data(as_text=True))))
    assert rows[0] == ["cycle", "hours_per_week", "companies"]
    assert {row[1]: int(row[2]) for row in rows[1:] if row[2] != "0"} == expected
    bars = svg.find_all("rect")
    assert len(bars) == 7 and all(float(bar["height"]) >= 0 for bar in bars)


def test_fewer_than_five_companies_are_too_few_to_show(client, db, cycles):
    for total in HOURS[:4]:
        approved_company(db, cycles[1:], total_hours=total)
    soup = _page(client)
    text = soup.get_text(" ", strip=True)
    assert "Too few companies to show" in text
    assert "Employees covered" not in " ".join(_summary(soup))
    trend = list(csv.reader(io.StringIO(client.get("/impact/trend.csv").get_data(as_text=True))))
    assert trend[-1][4:8] == ["", "", "", ""] and trend[-1][-1].startswith("no")


@pytest.mark.parametrize("query", [
    "?sector=ZZ", "?region=%00", "?size=huge&cycle=abc", "?cycle=1999", "?cycle=99999999999",
    "?sector=M&sector=J", "?cycle=%F0%9F%92%A9",
])
def test_nonsense_filters_are_ignored_with_a_message(client, db, cycles, query):
    approved_company(db, cycles[1:])
    soup = _page(client, query)
    notice = soup.select_one(".notification--warning")
    if query != "?sector=M&sector=J":
        assert notice is not None and "shown" in notice.get_text()
    assert client.get(f"/impact/trend.csv{query}").status_code == 200


def test_empty_states(client, db, frozen_clock):
    frozen_clock(NOW)
    assert "No figures yet" in _page(client).get_text()
    create_cycle(db, 2026)
    soup = _page(client)
    assert "Too few companies to show" in soup.get_text()
    assert client.get("/impact/nothing.csv").status_code == 404


def test_trend_across_cycles(client, db, cycles):
    for total in HOURS[:5]:
        approved_company(db, cycles, total_hours=total)
    rows = list(csv.reader(io.StringIO(client.get("/impact/trend.csv").get_data(as_text=True))))
    assert [row[0] for row in rows[1:]] == ["2025", "2026"]
    averages = [stored_avg(answers_with(total_hours=t)) for t in HOURS[:5]]
    assert all(Decimal(row[5]) == statistics.median(averages) for row in rows[1:])
    soup = _page(client)
    assert len(soup.select("#trend-heading ~ figure svg")) == 2


def test_query_count_does_not_grow_with_companies(client, db, cycles, count_queries):
    def queries_for_page() -> int:
        with count_queries() as counter:
            assert client.get("/impact?sector=M&size=50-249").status_code == 200
        return counter.count

    for total in HOURS:
        approved_company(db, cycles, total_hours=total)
    few = queries_for_page()
    for total in HOURS * 2:
        approved_company(db, cycles, total_hours=total)
    assert queries_for_page() == few <= 12
