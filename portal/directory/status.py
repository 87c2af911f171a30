"""The statuses the public sees (DESIGN §3), derived by one function and never stored.

The derivation is a single SQL query (`status_select`): a handful of CASE expressions over the
company, its active pledge, its attestation for the current cycle and its valid certificates.
`public_status` runs it for one company, `public_statuses` for a page of them (a fixed number
of queries whatever the page size), and the directory list reuses the same columns to filter
and paginate 10,000 companies in the database. Python only turns the codes into labels.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from portal import clock
from portal.attestations.models import Attestation, AttestationStatus, ReportingCycle
from portal.certificates.models import Certificate
from portal.organisations.models import Organisation
from portal.pledges.models import CodeVersion, Pledge


class StatusCode(enum.StrEnum):
    DELISTED = "delisted"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"
    NOT_PLEDGED = "not_pledged"
    CERTIFIED = "certified"
    UNDER_REVIEW = "under_review"
    PLEDGED = "pledged"
    REPORTING_DUE = "reporting_due"
    OVERDUE = "overdue"
    NON_REPORTING = "non_reporting"


# (label, tag colour, shown in the list, HTTP status of the profile)
_PRESENTATION = {
    StatusCode.DELISTED: ("Delisted", "red", False, 410),
    StatusCode.WITHDRAWN: ("Withdrawn", "grey", False, 410),
    StatusCode.LAPSED: ("Lapsed", "grey", False, 200),
    StatusCode.NOT_PLEDGED: ("Not pledged", "grey", False, 404),
    StatusCode.CERTIFIED: ("Certified", "green", True, 200),
    StatusCode.UNDER_REVIEW: ("Under review", "blue", True, 200),
    StatusCode.PLEDGED: ("Pledged", "purple", True, 200),
    StatusCode.REPORTING_DUE: ("Reporting due", "yellow", True, 200),
    StatusCode.OVERDUE: ("Overdue", "orange", True, 200),
    StatusCode.NON_REPORTING: ("Non-reporting", "red", True, 200),
}
# The statuses a visitor can filter the list by, in the order of precedence of §3.
LISTED_CODES = [code for code, value in _PRESENTATION.items() if value[2]]
_STANDING_CODES = {StatusCode.DELISTED, StatusCode.WITHDRAWN, StatusCode.LAPSED,
                   StatusCode.NOT_PLEDGED}
_APPROVED = "approved"  # a cycle code only: approved, shown through its certificate
_BEHIND = [StatusCode.OVERDUE.value, StatusCode.NON_REPORTING.value]


@dataclass(frozen=True)
class PublicStatus:
    code: StatusCode
    label: str          # "Certified 2026", "Reporting due 2026", "Withdrawn"
    year: int | None    # the cycle the status is about, if any
    colour: str         # tag colour (templates/components/status.html)
    is_listed: bool     # appears in the /members list
    http_status: int    # the public profile's answer: 200, 410 (gone) or 404
    reason: str | None = None   # shown on the profile (e.g. why staff delisted)
    since: date | None = None   # when a withdrawal or delisting happened
    secondary: PublicStatus | None = None  # the open cycle beside an older certificate

    @property
    def is_good_standing(self) -> bool:
        """Listed and not behind with reporting (neither the status nor the one beside it)."""
        codes = {self.code, self.secondary.code if self.secondary else self.code}
        return self.code in LISTED_CODES and not codes & {StatusCode.OVERDUE,
                                                           StatusCode.NON_REPORTING}

    @property
    def may_opt_out(self) -> bool:
        """May the company hide from the list? Not while behind with reporting: nobody hides
        a lapse. (Companies not listed anyway, e.g. never pledged, may choose freely.)"""
        codes = {self.code, self.secondary.code if self.secondary else self.code}
        return not codes & {StatusCode.OVERDUE, StatusCode.NON_REPORTING}


def make_status(code: StatusCode, year: int | None = None, **extra) -> PublicStatus:
    label, colour, listed, http_status = _PRESENTATION[code]
    if year is not None:
        label = f"{label} {year}"
    return PublicStatus(code, label, year, colour, listed, http_status, **extra)


@dataclass(frozen=True)
class CycleDates:
    id: int
    year: int
    opens_on: date
    due_on: date
    grace_until: date
    new_signer_window_days: int


@dataclass(frozen=True)
class StatusContext:
    """What every company's status depends on besides its own rows: the date, the cycle
    currently open (or the latest closed one) and the code versions whose pledges lapsed."""

    today: date
    cycle: CycleDates | None
    lapsed_version_ids: frozenset[int]
    cycles: tuple[CycleDates, ...] = ()
    version_numbers: dict[int, int] = field(default_factory=dict)  # code version id -> number


def all_cycles(db: Session) -> list[CycleDates]:
    return [CycleDates(*row) for row in db.execute(sa.select(
        ReportingCycle.id, ReportingCycle.year, ReportingCycle.opens_on, ReportingCycle.due_on,
        ReportingCycle.grace_until, ReportingCycle.new_signer_window_days,
    ).order_by(ReportingCycle.opens_on))]


def status_context(db: Session, today: date) -> StatusContext:
    """Two small queries; a request computes it once and reuses it for every row."""
    cycles = all_cycles(db)
    opened = [cycle for cycle in cycles if cycle.opens_on <= today]
    versions = list(db.execute(
        sa.select(CodeVersion.id, CodeVersion.published_at, CodeVersion.number)
        .where(CodeVersion.published_at.is_not(None)).order_by(CodeVersion.number)))
    lapsed = {version_id for version_id, deadline in resign_deadlines(versions, cycles).items()
              if deadline is not None and today > deadline}
    return StatusContext(today, opened[-1] if opened else None, frozenset(lapsed), tuple(cycles),
                         {version_id: number for version_id, _, number in versions})


def resign_deadlines(versions, cycles: list[CycleDates]) -> dict[int, date | None]:
    """{version id: last day its pledges count}. Pledges on an old version count until the due
    date of the first cycle that opens after the next version was published (the rule of
    portal.pledges.service.resign_deadlines, computed here from rows already loaded)."""
    deadlines: dict[int, date | None] = {}
    for (version_id, *_), (_next_id, next_published_at, *_) in zip(versions, versions[1:],
                                                                   strict=False):
        published_on = clock.local(next_published_at).date()
        deadlines[version_id] = next((c.due_on for c in cycles if c.opens_on > published_on),
                                     None)
    return deadlines


@dataclass(frozen=True)
class StatusColumns:
    """The SQL pieces: add them to a query on Organisation with `apply`.

    Per-company facts are correlated subqueries (not joined aggregates), so the database
    computes them only for the rows it needs: the 25 of a page, or those a filter looks at.
    """

    active: type[Pledge]
    attestation: type[Attestation] | None
    first_signed_at: sa.ColumnElement
    withdrawn_at: sa.ColumnElement
    cert_year: sa.ColumnElement
    standing: sa.ColumnElement
    cycle_status: sa.ColumnElement
    is_listed: sa.ColumnElement
    ever_pledged: sa.ColumnElement
    cycle_id: int | None

    def columns(self) -> list:
        return [self.standing.label("standing"), self.cycle_status.label("cycle_status"),
                self.cert_year.label("cert_year"), self.first_signed_at.label("first_signed_at"),
                self.withdrawn_at.label("withdrawn_at"),
                self.active.code_version_id.label("code_version_id")]

    def apply(self, query: sa.Select) -> sa.Select:
        query = query.outerjoin(self.active, self.active.active_organisation_id == Organisation.id)
        if self.attestation is not None:
            query = query.outerjoin(self.attestation, sa.and_(
                self.attestation.organisation_id == Organisation.id,
                self.attestation.cycle_id == self.cycle_id))
        return query


_COLUMNS_CACHE: dict[tuple, StatusColumns] = {}


def status_columns(ctx: StatusContext) -> StatusColumns:
    """Built once per (date, cycle, lapsed versions) and reused: constructing these SQL
    expressions costs more than running the queries of a directory page. They are immutable,
    so sharing them between requests and threads is safe."""
    key = (ctx.today, ctx.cycle, ctx.lapsed_version_ids)
    columns = _COLUMNS_CACHE.get(key)
    if columns is None:
        if len(_COLUMNS_CACHE) >= 32:
            _COLUMNS_CACHE.clear()
        columns = _COLUMNS_CACHE[key] = _build_status_columns(ctx)
    return columns


def _build_status_columns(ctx: StatusContext) -> StatusColumns:
    active = aliased(Pledge, name="active_pledge")
    attestation = aliased(Attestation, name="cycle_attestation") if ctx.cycle else None
    first_signed_at = _first_signed_at()
    withdrawn_at = (sa.select(sa.func.max(Pledge.withdrawn_at))
                    .where(Pledge.organisation_id == Organisation.id).scalar_subquery())
    cycle_status = _cycle_status(ctx, attestation, first_signed_at)
    # Opting out of the list works only in good standing: nobody hides a lapse. (Reading the
    # joined attestation here keeps PostgreSQL's cost estimate low: per-row subqueries made
    # it JIT-compile the count, which cost ten times the query itself.)
    shown = sa.or_(Organisation.is_listed.is_(True), cycle_status.in_(_BEHIND))
    is_listed = sa.and_(shown, Organisation.delisted_at.is_(None), active.id.is_not(None))
    if ctx.lapsed_version_ids:
        is_listed = sa.and_(is_listed,
                            active.code_version_id.not_in(sorted(ctx.lapsed_version_ids)))
    return StatusColumns(
        active, attestation, first_signed_at, withdrawn_at, _valid_certificate_year(ctx.today),
        _standing(ctx, active, withdrawn_at), cycle_status,
        is_listed, sa.exists().where(Pledge.organisation_id == Organisation.id),
        ctx.cycle.id if ctx.cycle else None)


def _first_signed_at() -> sa.ColumnElement:
    """When the company's current run of pledging began: re-signing a new version keeps the
    date; a withdrawal ends the run."""
    return (sa.select(sa.func.min(Pledge.signed_at))
            .where(Pledge.organisation_id == Organisation.id, Pledge.withdrawn_at.is_(None))
            .scalar_subquery())


def _valid_certificate_year(today: date) -> sa.ColumnElement:
    """The latest cycle year with a certificate that is valid today."""
    return (sa.select(sa.func.max(ReportingCycle.year)).select_from(Certificate)
            .join(ReportingCycle, ReportingCycle.id == Certificate.cycle_id)
            .where(Certificate.organisation_id == Organisation.id,
                   Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_(None),
                   Certificate.valid_until >= today)
            .scalar_subquery())


def _standing(ctx: StatusContext, active, withdrawn_at) -> sa.ColumnElement:
    """The statuses that take a company out of the list; NULL while its pledge counts."""
    whens = [
        (Organisation.delisted_at.is_not(None), StatusCode.DELISTED.value),
        (sa.and_(active.id.is_(None), withdrawn_at.is_not(None)),
         StatusCode.WITHDRAWN.value),
        (active.id.is_(None), StatusCode.NOT_PLEDGED.value),
    ]
    if ctx.lapsed_version_ids:
        whens.append((active.code_version_id.in_(sorted(ctx.lapsed_version_ids)),
                      StatusCode.LAPSED.value))
    return sa.case(*whens, else_=sa.null())


def _cycle_status(ctx: StatusContext, attestation, first_signed_at) -> sa.ColumnElement:
    """Where a counting pledge stands in the current cycle (§3, below "Certified")."""
    cycle, today = ctx.cycle, ctx.today
    if cycle is None:
        return sa.literal(StatusCode.PLEDGED.value)
    status, extended = attestation.status, attestation.extended_until
    # Companies that pledged too close to due_on report from the next cycle.
    new_signer_after = clock.end_of_day(cycle.due_on - timedelta(days=cycle.new_signer_window_days))
    changes_open = [attestation.changes_due_on >= today, extended >= today]
    if today <= cycle.grace_until:
        changes_open.append(sa.true())
    whens = [
        (status == AttestationStatus.APPROVED, _APPROVED),
        (status == AttestationStatus.REJECTED, StatusCode.NON_REPORTING.value),
        # Submitted in time: never "Overdue" because staff are slow to decide.
        (status.in_([AttestationStatus.SUBMITTED, AttestationStatus.IN_REVIEW]),
         StatusCode.UNDER_REVIEW.value),
        (sa.and_(status == AttestationStatus.CHANGES_REQUESTED, sa.or_(*changes_open)),
         StatusCode.UNDER_REVIEW.value),
        (status == AttestationStatus.CHANGES_REQUESTED, StatusCode.NON_REPORTING.value),
        (first_signed_at > new_signer_after, StatusCode.PLEDGED.value),
    ]
    if today <= cycle.due_on:
        return sa.case(*whens, else_=StatusCode.REPORTING_DUE.value)
    # A staff extension moves this company's due date.
    whens.append((extended >= today, StatusCode.REPORTING_DUE.value))
    late = StatusCode.OVERDUE if today <= cycle.grace_until else StatusCode.NON_REPORTING
    return sa.case(*whens, else_=late.value)


def status_select(ctx: StatusContext, organisation_ids: list[int] | None = None):
    """(query, columns): Organisation plus the status columns, for lists and single rows."""
    columns = status_columns(ctx)
    query = columns.apply(sa.select(Organisation, *columns.columns()))
    if organisation_ids is not None:
        query = query.where(Organisation.id.in_(organisation_ids))
    return query, columns


def status_from_row(row, ctx: StatusContext) -> PublicStatus:
    """Turn one row of `status_select` (or of a list query using its columns) into words."""
    organisation = row.Organisation if hasattr(row, "Organisation") else row[0]
    status = _status_from_codes(row.standing, row.cycle_status, row.cert_year, ctx,
                                organisation, row.withdrawn_at)
    if status.is_listed and not organisation.is_listed and status.may_opt_out:
        # The company chose not to be listed: its profile stays public.
        status = replace(status, is_listed=False)
    return status


def _status_from_codes(standing, cycle_code, cert_year, ctx, organisation, withdrawn_at):
    if standing == StatusCode.DELISTED:
        return make_status(StatusCode.DELISTED, reason=organisation.delisted_reason,
                           since=clock.local(organisation.delisted_at).date())
    if standing == StatusCode.WITHDRAWN:
        return make_status(StatusCode.WITHDRAWN, since=clock.local(withdrawn_at).date())
    if standing is not None:
        return make_status(StatusCode(standing))
    cycle_year = ctx.cycle.year if ctx.cycle else None
    in_cycle = None
    if cycle_code not in (_APPROVED, StatusCode.PLEDGED):
        in_cycle = make_status(StatusCode(cycle_code), cycle_year)
    if cert_year is not None:
        beside = in_cycle if cert_year != cycle_year else None
        return make_status(StatusCode.CERTIFIED, cert_year, secondary=beside)
    # Approved without a valid certificate (e.g. revoked): nothing is due, nothing shown.
    return in_cycle or make_status(StatusCode.PLEDGED)


def public_statuses(db: Session, organisation_ids, today: date | None = None,
                    ctx: StatusContext | None = None) -> dict[int, PublicStatus]:
    """{organisation id: status} for a page of companies: 3 queries (1 with ctx given)."""
    ids = sorted({getattr(o, "id", o) for o in organisation_ids})
    ctx = ctx or status_context(db, today or clock.today())
    if not ids:
        return {}
    query, _ = status_select(ctx, ids)
    return {row.Organisation.id: status_from_row(row, ctx) for row in db.execute(query)}


def public_status(db: Session, organisation: Organisation, today: date | None = None
                  ) -> PublicStatus:
    """The one function of DESIGN §3: what the public sees for this company today."""
    return public_statuses(db, [organisation.id], today)[organisation.id]


def status_filter(columns: StatusColumns, code: StatusCode) -> sa.ColumnElement:
    """SQL condition: the company shows `code`, either as its status or beside a certificate
    from an earlier cycle (a visitor asking for "Reporting due" wants those too)."""
    if code in _STANDING_CODES:
        return columns.standing == code.value
    if code == StatusCode.CERTIFIED:
        return sa.and_(columns.standing.is_(None), columns.cert_year.is_not(None))
    if code == StatusCode.PLEDGED:
        return sa.and_(columns.standing.is_(None), columns.cert_year.is_(None),
                       columns.cycle_status.in_([StatusCode.PLEDGED.value, _APPROVED]))
    return sa.and_(columns.standing.is_(None), columns.cycle_status == code.value)



def status_timeline(db: Session, organisation: Organisation, today: date | None = None):
    """The public history of a company's standing (see portal.directory.timeline)."""
    from portal.directory.timeline import build_timeline

    return build_timeline(db, organisation, today or clock.today())
