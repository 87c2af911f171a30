"""Directory search and filters, open-data rows, and staff delisting. Functions only flush."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal import clock
from portal.audit.service import record
from portal.directory.status import (
    LISTED_CODES,
    StatusCode,
    StatusColumns,
    StatusContext,
    status_columns,
    status_filter,
)
from portal.organisations.models import Organisation
from portal.pagination import Page
from portal.reference import HEADCOUNT_BAND_NAMES, REGION_NAMES, SECTOR_NAMES
from portal.text import fold

SORTS = {"name": "Name (A to Z)", "newest": "Pledge date (newest first)",
         "oldest": "Pledge date (oldest first)"}
SEARCH_MAX = 100


class AlreadyDelisted(Exception):
    """Staff tried to delist a company that is already delisted."""


class NotDelisted(Exception):
    """Staff tried to relist a company that is not delisted."""


@dataclass
class DirectoryQuery:
    """The whole query of a directory page, read from (and written back to) the URL."""

    q: str = ""
    sector: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    size: list[str] = field(default_factory=list)
    status: list[StatusCode] = field(default_factory=list)
    certified: list[int] = field(default_factory=list)
    sort: str = "name"

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.sector or self.region or self.size or self.status
                    or self.certified)

    def args(self) -> dict:
        """Query-string arguments (for links that keep the query: pagination, sorting)."""
        values = {"q": self.q, "sector": self.sector, "region": self.region, "size": self.size,
                  "status": [code.value for code in self.status],
                  "certified": self.certified,
                  "sort": self.sort if self.sort != "name" else ""}
        return {key: value for key, value in values.items() if value}


def parse_query(args: MultiDict, allowed_statuses=LISTED_CODES) -> DirectoryQuery:
    """Unknown values are ignored rather than refused: a shared or hand-edited link still
    shows a useful page (never an error)."""
    statuses = {code.value: code for code in allowed_statuses}
    return DirectoryQuery(
        q=" ".join(args.get("q", "").split())[:SEARCH_MAX],
        sector=_known(args.getlist("sector"), SECTOR_NAMES),
        region=_known(args.getlist("region"), REGION_NAMES),
        size=_known(args.getlist("size"), HEADCOUNT_BAND_NAMES),
        status=[statuses[v] for v in _known(args.getlist("status"), statuses)],
        certified=sorted({int(v) for v in args.getlist("certified")
                          if v.isdigit() and 2000 <= int(v) <= 2100}),
        sort=args.get("sort") if args.get("sort") in SORTS else "name",
    )


def _known(values: list[str], allowed) -> list[str]:
    return list(dict.fromkeys(v for v in values if v in allowed))


def directory_select(ctx: StatusContext, query: DirectoryQuery, *, listed_only: bool = True
                     ) -> tuple[sa.Select, StatusColumns]:
    """Organisation rows with their status columns, searched, filtered and sorted in SQL."""
    columns = status_columns(ctx)
    select = columns.apply(sa.select(Organisation, *columns.columns()))
    select = select.where(*_conditions(ctx, columns, query, listed_only))
    if query.sort == "name":
        return select.order_by(Organisation.search_name, Organisation.id), columns
    return _by_pledge_date(select, query.sort == "newest"), columns


def directory_page(db: Session, ctx: StatusContext, query: DirectoryQuery, number: int, *,
                   per_page: int = 25, listed_only: bool = True) -> Page:
    """One page of the directory in two queries. The count selects no status columns, so
    the database evaluates only the filters for the rows it does not show."""
    select, columns = directory_select(ctx, query, listed_only=listed_only)
    counting = columns.apply(sa.select(sa.func.count()).select_from(Organisation))
    total = db.execute(
        counting.where(*_conditions(ctx, columns, query, listed_only))).scalar_one()
    number = min(number, max(1, ceil(total / per_page)))
    rows = list(db.execute(select.limit(per_page).offset((number - 1) * per_page)))
    return Page(rows, number, per_page, total)


def _conditions(ctx: StatusContext, columns: StatusColumns, query: DirectoryQuery,
                listed_only: bool) -> list:
    # Open data: every company that ever pledged, whatever became of it.
    conditions = [columns.is_listed if listed_only else columns.ever_pledged]
    if query.q:
        conditions.append(Organisation.search_name.contains(fold(query.q), autoescape=True))
    for values, column in ((query.sector, Organisation.sector),
                           (query.region, Organisation.region),
                           (query.size, Organisation.headcount_band)):
        if values:
            conditions.append(column.in_(values))
    if query.status:
        conditions.append(sa.or_(*(status_filter(columns, code) for code in query.status)))
    if query.certified:
        cycle_ids = [c.id for c in ctx.cycles if c.year in query.certified]
        conditions.append(_certified_in(cycle_ids))
    return conditions


def _certified_in(cycle_ids: list[int]) -> sa.ColumnElement:
    """Was certified for one of these cycles (the certificate may have expired since)."""
    from portal.certificates.models import Certificate

    return sa.exists().where(
        Certificate.organisation_id == Organisation.id, Certificate.cycle_id.in_(cycle_ids),
        Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None))


def _by_pledge_date(select: sa.Select, newest: bool) -> sa.Select:
    """Sorting every company by pledge date joins one grouped pass over the pledges (answered
    from ix_pledges_directory): a per-row subquery made PostgreSQL's estimate big enough to
    JIT-compile the query, which cost more than running it."""
    from portal.pledges.models import Pledge

    runs = (sa.select(Pledge.organisation_id, sa.func.min(Pledge.signed_at).label("since"))
            .where(Pledge.withdrawn_at.is_(None)).group_by(Pledge.organisation_id)
            .subquery("pledge_runs"))
    select = select.outerjoin(runs, runs.c.organisation_id == Organisation.id)
    # The id last: two companies may share a name or a date, and pages must not overlap.
    if newest:
        return select.order_by(runs.c.since.desc().nulls_last(), Organisation.id.desc())
    return select.order_by(runs.c.since.asc().nulls_last(), Organisation.id.asc())


def delist_company(db: Session, actor, organisation: Organisation, reason: str) -> None:
    if organisation.delisted_at is not None:
        raise AlreadyDelisted
    organisation.delisted_at = clock.now()
    organisation.delisted_reason = reason
    organisation.updated_at = organisation.delisted_at
    db.flush()
    record(db, "company_delisted", actor=actor, obj=organisation,
           organisation_id=organisation.id, detail={"reason": reason})


def relist_company(db: Session, actor, organisation: Organisation) -> None:
    """Undo a delisting (e.g. a mistake, or after an appeal); the audit log keeps both."""
    if organisation.delisted_at is None:
        raise NotDelisted
    previous: datetime = organisation.delisted_at
    organisation.delisted_at = None
    organisation.delisted_reason = None
    organisation.updated_at = clock.now()
    db.flush()
    record(db, "company_relisted", actor=actor, obj=organisation,
           organisation_id=organisation.id,
           detail={"delisted_at": previous.isoformat()})
