"""Public directory pages: the list, profiles, the CSV download and the open-data page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, render_template, request, stream_with_context

from portal import clock
from portal.db import session as db
from portal.directory import bp, opendata
from portal.directory import profile as profile_data
from portal.directory.service import SORTS, directory_page, directory_select, parse_query
from portal.directory.status import (
    LISTED_CODES,
    StatusCode,
    make_status,
    public_status,
    status_context,
    status_from_row,
    status_timeline,
)
from portal.organisations.models import Organisation
from portal.pagecache import remembered
from portal.pagination import page_number
from portal.permissions import public
from portal.pledges.service import active_pledge
from portal.reference import HEADCOUNT_BANDS, REGIONS, SECTORS


@bp.route("/members")
@public
@remembered
def members():
    ctx = status_context(db, clock.today())
    query = parse_query(request.args)
    page = directory_page(db, ctx, query, page_number(request.args.get("page")))
    rows = [(row.Organisation, status_from_row(row, ctx), row.first_signed_at)
            for row in page.items]
    return render_template(
        "directory/members.html", page=page, rows=rows, query=query,
        sectors=SECTORS, regions=REGIONS, sizes=HEADCOUNT_BANDS, sorts=SORTS,
        statuses=[(code.value, make_status(code).label) for code in LISTED_CODES],
        years=sorted({c.year for c in ctx.cycles if c.opens_on <= ctx.today}, reverse=True),
    )


@bp.route("/members/<slug>")
@public
@remembered
def profile(slug):
    organisation = db.execute(
        sa.select(Organisation).where(Organisation.slug == slug)).scalar_one_or_none()
    if organisation is None:
        abort(404)
    today = clock.today()
    status = public_status(db, organisation, today)
    if status.http_status == 404:
        abort(404)
    timeline = status_timeline(db, organisation, today)
    if status.http_status == 410:
        return render_template("directory/gone.html", organisation=organisation,
                               status=status, timeline=timeline), 410
    metrics = profile_data.certified_metrics(db, [organisation.id]).get(organisation.id, [])
    return render_template(
        "directory/profile.html", organisation=organisation, status=status,
        timeline=timeline, pledge=active_pledge(db, organisation.id),
        certificates=profile_data.certificate_history(db, organisation.id, today),
        metrics=metrics, dei_policy_url=profile_data.dei_policy_url(db, organisation.id),
        pledged_since=profile_data.pledged_since(db, organisation.id),
        is_lapsed=status.code == StatusCode.LAPSED,
    )


@bp.route("/members.csv")
@public
def members_csv():
    ctx = status_context(db, clock.today())
    select, _ = directory_select(ctx, parse_query(request.args, list(StatusCode)),
                                 listed_only=False)
    lines = stream_with_context(opendata.csv_lines(db, select, ctx))
    filename = f"pledge-portal-members-{ctx.today.isoformat()}.csv"
    return Response(lines, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Link": f'<{opendata.LICENCE_URL}>; rel="license"',
        "Access-Control-Allow-Origin": "*",
    })


@bp.route("/open-data")
@public
def open_data():
    return render_template("directory/open_data.html", fields=opendata.FIELDS,
                           licence_name=opendata.LICENCE_NAME,
                           licence_url=opendata.LICENCE_URL)


from portal.directory import api, staff_views  # noqa: E402,F401  (register their routes)
