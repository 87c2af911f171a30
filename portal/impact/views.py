"""Impact pages: public /impact and its CSV tables; members' comparison; staff analytics."""

from __future__ import annotations

import csv
import io

from flask import Response, abort, current_app, render_template, request
from flask_login import current_user

from portal import clock
from portal.db import session as db
from portal.directory.status import status_context
from portal.impact import analytics, bp, cache, dashboard, queries, report
from portal.impact import compare as comparison
from portal.impact.queries import ImpactFilters
from portal.pagecache import remembered
from portal.permissions import member_required, public, staff_required
from portal.reference import (
    HEADCOUNT_BAND_NAMES,
    HEADCOUNT_BANDS,
    REGION_NAMES,
    REGIONS,
    SECTOR_NAMES,
    SECTORS,
)
from portal.review.working_days import SERVICE_LEVEL_DAYS

CSV_TABLES = {  # name -> (header, rows from an Impact)
    "trend": (dashboard.TREND_HEADER, dashboard.trend_rows),
    "hours": (["cycle", "hours_per_week", "companies"],
              lambda impact: dashboard.histogram_rows(impact.selected)),
    "practices": (["cycle", "practice", "companies", "certified_companies"],
                  lambda impact: dashboard.practice_rows(impact.selected)),
}


def _year_arg() -> tuple[int | None, str]:
    """(the cycle year asked for, or None; the raw value when it was not a year)."""
    raw = (request.args.get("cycle") or "").strip()
    return (int(raw), "") if raw.isdigit() and len(raw) == 4 else (None, raw[:20])


def _cache_enabled() -> bool:
    return current_app.config.get("IMPACT_CACHE", True)


def filter_words(filters: ImpactFilters) -> str:
    words = [SECTOR_NAMES.get(filters.sector), REGION_NAMES.get(filters.region),
             f"{HEADCOUNT_BAND_NAMES[filters.size]} employees" if filters.size else None]
    return ", ".join(word for word in words if word)


@bp.route("/impact")
@public
@remembered
def index():
    filters = ImpactFilters.from_args(request.args)
    year, bad_year = _year_arg()
    impact = cache.impact_for(db, filters, clock.today(), year, enabled=_cache_enabled())
    asked_missing = year is not None and (impact.selected is None or impact.selected.year != year)
    selected = impact.selected
    return render_template(
        "impact/index.html", impact=impact, sectors=SECTORS, regions=REGIONS,
        sizes=HEADCOUNT_BANDS, filter_words=filter_words(filters),
        year_ignored=bad_year or (str(year) if asked_missing else ""),
        histogram_chart=dashboard.histogram_chart(selected) if selected else None,
        trend_charts=dashboard.trend_charts(impact) if selected else [],
    )


@bp.route("/impact/<table>.csv")
@public
@remembered
def table_csv(table):
    if table not in CSV_TABLES:
        abort(404)
    header, rows = CSV_TABLES[table]
    year, _bad = _year_arg()
    impact = cache.impact_for(db, ImpactFilters.from_args(request.args), clock.today(), year,
                              enabled=_cache_enabled())
    return csv_response(f"pledge-portal-impact-{table}.csv", header, rows(impact))


def csv_response(filename: str, header: list[str], rows: list[list]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/company/compare")
@member_required()
def compare():
    organisation = current_user.organisation
    rows = comparison.compare_rows(db, organisation)
    return render_template("impact/compare.html", organisation=organisation, rows=rows,
                           trend_chart=comparison.own_trend_chart(rows),
                           peers=filter_words(ImpactFilters(sector=organisation.sector,
                                                            size=organisation.headcount_band)))


@bp.route("/staff/analytics", endpoint="analytics")
@staff_required()
def analytics_page():
    today = clock.today()
    cycles = queries.opened_cycles(db, today)
    year, bad_year = _year_arg()
    by_year = {cycle.year: cycle for cycle in cycles}
    cycle = by_year.get(year) or (cycles[-1] if cycles else None)
    ctx = status_context(db, today)
    weeks = analytics.throughput(db, today)
    page = {"cycle": cycle, "cycles": cycles, "weeks": weeks,
            "pipeline": analytics.delist_pipeline(db, ctx),
            "year_ignored": bad_year or (str(year) if year and year not in by_year else ""),
            "charts": analytics.throughput_charts(weeks)}
    if cycle is not None:
        page["times"] = analytics.decision_times(db, cycle.id)
        page["flags"], page["flag_base"] = analytics.flag_frequency(db, cycle.id)
        page["reminders"] = analytics.reminder_response(db, cycle)
    return render_template("impact/analytics.html", service_level=SERVICE_LEVEL_DAYS,
                           response_days=analytics.RESPONSE_DAYS, **page)


@bp.route("/staff/annual-report/<int:year>.pdf")
@staff_required()
def annual_report(year):
    try:
        pdf = report.annual_report_pdf(db, year, current_app.config["ASSOCIATION_NAME"])
    except report.NoSuchCycle:
        abort(404)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="annual-report-{year}.pdf"'})
