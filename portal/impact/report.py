"""The annual report: the /impact figures for one cycle, trends and certified companies, as
a PDF. The page's macros (templates/impact/_figures.html) draw it, so page and PDF agree."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.orm import Session

from portal import clock
from portal.cli import portal_cli
from portal.db import session as db
from portal.impact import dashboard, queries
from portal.impact.queries import ImpactFilters
from portal.pdf import render_pdf
from portal.templating import format_date

TEMPLATE = "impact/report.html"


class NoSuchCycle(LookupError):
    pass


def annual_report_pdf(session: Session, year: int, association_name: str) -> bytes:
    """Render the report for cycle `year`; NoSuchCycle when that cycle has not opened."""
    today = clock.today()
    impact = dashboard.build_impact(session, ImpactFilters(), today, year)
    if impact.selected is None or impact.selected.year != year:
        raise NoSuchCycle(year)
    cycle_id = next(c.id for c in queries.opened_cycles(session, today) if c.year == year)
    return render_pdf(TEMPLATE, {
        "impact": impact, "association_name": association_name,
        "generated_on": format_date(today),
        "histogram_chart": dashboard.histogram_chart(impact.selected),
        "trend_charts": dashboard.trend_charts(impact),
        "companies": queries.certified_companies(session, cycle_id),
    })


@portal_cli.command("annual-report")
@click.option("--cycle", "year", type=int, required=True, help="The cycle's year, e.g. 2026.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF (default: annual-report-YEAR.pdf).")
def annual_report_command(year: int, output: Path | None) -> None:
    """Render the annual report PDF for one reporting cycle."""
    from flask import current_app

    try:
        pdf = annual_report_pdf(db, year, current_app.config["ASSOCIATION_NAME"])
    except NoSuchCycle:
        click.echo(f"No reporting cycle {year} has opened.", err=True)
        sys.exit(1)
    output = output or Path(f"annual-report-{year}.pdf")
    output.write_bytes(pdf)
    click.echo(f"Wrote {output} ({len(pdf):,} bytes).")
