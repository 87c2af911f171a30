"""Open data: one record shape for the CSV, the JSON API and the field documentation."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session

from portal import clock, freshness
from portal.attestations.models import Attestation, ReportingCycle
from portal.certificates.models import Certificate
from portal.directory.profile import certified_metrics
from portal.directory.status import StatusContext, status_from_row
from portal.organisations.models import Organisation
from portal.pledges.models import CodeVersion, Pledge
from portal.reference import REGION_NAMES, SECTOR_NAMES

LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
CHUNK = 500

# (field, type, description): the CSV header, the JSON keys and the open-data page, in order.
FIELDS = [
    ("name", "string", "Company name as registered with the association."),
    ("slug", "string", "Stable identifier used in the profile address."),
    ("profile_url", "string", "Address of the public profile."),
    ("status", "string", "Status code: certified, under_review, pledged, reporting_due, "
     "overdue, non_reporting, lapsed, withdrawn or delisted."),
    ("status_label", "string", "The status as shown on the site, e.g. “Certified 2026”."),
    ("status_year", "integer", "Reporting cycle the status is about (empty when none)."),
    ("also_status_label", "string", "The open cycle's status shown beside a certificate from "
     "an earlier cycle, e.g. “Reporting due 2026” (empty when none)."),
    ("is_listed", "boolean", "Whether the company appears in the member directory."),
    ("company_number", "string", "Companies House number (empty when not given)."),
    ("sector", "string", "UK SIC 2007 section letter (A–U)."),
    ("sector_name", "string", "UK SIC 2007 section name."),
    ("region", "string", "ITL1 region code (TLC–TLN), or XX for outside the UK."),
    ("region_name", "string", "ITL1 region name."),
    ("size_band", "string", "Number of employees: 1-9, 10-49, 50-249, 250-999 or 1000+."),
    ("website", "string", "Company website (empty when not given)."),
    ("description", "string", "Short description written by the company."),
    ("pledged_on", "date", "Date the company's current run of pledging began (YYYY-MM-DD)."),
    ("code_version", "integer", "Version of the code of practice of the current pledge."),
    ("certified_year", "integer", "Latest cycle with a certificate valid today (empty when none)."),
    ("withdrawn_on", "date", "Date the pledge was withdrawn (withdrawn companies only)."),
    ("delisted_on", "date", "Date staff delisted the company (delisted companies only)."),
    ("delisted_reason", "string", "Why staff delisted the company."),
    ("metrics_year", "integer", "Cycle of the published metrics; empty unless the company "
     "chose to publish them."),
    ("avg_learning_hours_per_week", "number", "Average structured learning hours per employee "
     "per week in that cycle's reporting period (published only with the company's consent)."),
    ("learning_coverage_pct", "number", "Percentage of employees who averaged at least one hour "
     "a week (published only with the company's consent)."),
]
FIELD_NAMES = [name for name, _, _ in FIELDS]


def member_records(db: Session, rows: Iterable, ctx: StatusContext) -> list[dict]:
    """Rows of a directory query (Organisation + status columns) as open-data records."""
    rows = list(rows)
    metrics = certified_metrics(db, [row.Organisation.id for row in rows])
    return [_record(row, ctx, metrics.get(row.Organisation.id)) for row in rows]


def _record(row, ctx: StatusContext, metrics) -> dict:
    organisation: Organisation = row.Organisation
    status = status_from_row(row, ctx)
    latest = metrics[0] if metrics else None
    return {
        "name": organisation.name, "slug": organisation.slug,
        "profile_url": url_for("directory.profile", slug=organisation.slug, _external=True),
        "status": status.code.value, "status_label": status.label, "status_year": status.year,
        "also_status_label": status.secondary.label if status.secondary else None,
        "is_listed": status.is_listed, "company_number": organisation.company_number,
        "sector": organisation.sector, "sector_name": SECTOR_NAMES.get(organisation.sector),
        "region": organisation.region, "region_name": REGION_NAMES.get(organisation.region),
        "size_band": organisation.headcount_band, "website": organisation.website,
        "description": organisation.description,
        "pledged_on": _iso_day(row.first_signed_at),
        "code_version": ctx.version_numbers.get(row.code_version_id),
        "certified_year": row.cert_year,
        "withdrawn_on": status.since.isoformat() if status.code == "withdrawn" else None,
        "delisted_on": status.since.isoformat() if status.code == "delisted" else None,
        "delisted_reason": status.reason if status.code == "delisted" else None,
        "metrics_year": latest.year if latest else None,
        "avg_learning_hours_per_week": _number(latest.avg_hours_per_week, 2) if latest else None,
        "learning_coverage_pct": _number(latest.coverage_pct, 1) if latest else None,
    }


def _iso_day(moment: datetime | None) -> str | None:
    return clock.local(moment).date().isoformat() if moment is not None else None


def _number(value, places: int) -> float | None:
    return None if value is None else round(float(value), places)


def csv_lines(db: Session, select: sa.Select, ctx: StatusContext) -> Iterator[str]:
    """Stream the CSV: one query read in chunks (a server-side cursor on PostgreSQL), so
    10,000 companies never sit in memory at once and no chunk re-runs the query."""
    yield _csv_row(FIELD_NAMES)
    result = db.execute(select.execution_options(yield_per=CHUNK))
    for rows in result.partitions():
        for record in member_records(db, rows, ctx):
            yield _csv_row(["" if record[n] is None else _csv_value(record[n])
                            for n in FIELD_NAMES])


def _csv_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        # Spreadsheets run cells that start like a formula; a quote keeps it text.
        return "'" + value
    return value


def _csv_row(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


def last_change(db: Session) -> datetime:
    """When anything the open data shows last changed, for Last-Modified. The scan behind it
    (the latest of ten timestamps) is done once per public data version: the version moves
    with every change the scan could see (portal.freshness)."""
    key = (str(db.get_bind().url), freshness.committed())
    latest = _latest_by_version.get(key)
    if latest is None:
        latest = _latest_timestamp(db)
        _latest_by_version.clear()  # only the current version is ever asked for again
        _latest_by_version[key] = latest
    # Statuses also change at midnight (a due date passes), so today's start counts too.
    start_of_today = datetime.combine(clock.today(), time(0), tzinfo=clock.timezone())
    return max(latest, start_of_today).replace(microsecond=0)


_latest_by_version: dict[tuple, datetime] = {}
freshness.keyed_on_version(_latest_by_version.clear)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _latest_timestamp(db: Session) -> datetime:
    parts = [
        sa.select(sa.func.max(Organisation.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(Attestation.updated_at)).scalar_subquery(),
        sa.select(sa.func.max(Pledge.signed_at)).scalar_subquery(),
        sa.select(sa.func.max(Pledge.withdrawn_at)).scalar_subquery(),
        sa.select(sa.func.max(Pledge.superseded_at)).scalar_subquery(),
        sa.select(sa.func.max(Certificate.issued_at)).scalar_subquery(),
        sa.select(sa.func.max(Certificate.revoked_at)).scalar_subquery(),
        sa.select(sa.func.max(Certificate.superseded_at)).scalar_subquery(),
        sa.select(sa.func.max(CodeVersion.published_at)).scalar_subquery(),
        sa.select(sa.func.max(ReportingCycle.created_at)).scalar_subquery(),
    ]
    values = [v for v in db.execute(sa.select(*parts)).one() if v is not None]
    return max([*_aware(values), _EPOCH])


def _aware(values) -> list[datetime]:
    return [v if v.tzinfo else v.replace(tzinfo=UTC) for v in values]


def etag_for(ctx: StatusContext, changed_at: datetime, variant: str) -> str:
    """Today's date, the last change, the cycles' dates (editable without a timestamp) and
    the request (its filters and page) together decide whether a cached answer still holds."""
    cycles = ";".join(f"{c.id}:{c.due_on}:{c.grace_until}:{c.opens_on}:{c.new_signer_window_days}"
                      for c in ctx.cycles)
    text = f"{ctx.today}|{changed_at.isoformat()}|{cycles}|{variant}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]
