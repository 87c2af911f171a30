"""The public JSON API: members with the directory's filters, one member, its OpenAPI text.

Answers carry an ETag and Last-Modified and answer 304 to a conditional request. Statuses
change with the date, so the validator includes today's date besides the data's last change.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Response, jsonify, request, url_for

from portal import clock
from portal.db import session as db
from portal.directory import bp, opendata
from portal.directory.openapi import openapi_document
from portal.directory.service import directory_page, parse_query
from portal.directory.status import StatusCode, status_context, status_select
from portal.organisations.models import Organisation
from portal.pagecache import remembered
from portal.pagination import page_number
from portal.permissions import public

PER_PAGE = 100
CACHE_CONTROL = "public, max-age=300"


def _meta() -> dict:
    return {"licence": opendata.LICENCE_NAME, "licence_url": opendata.LICENCE_URL,
            "generated_on": clock.today().isoformat(),
            "documentation": url_for("directory.open_data", _external=True)}


def _not_modified(ctx) -> tuple[Response | None, str, datetime]:
    changed_at = opendata.last_change(db)
    etag = opendata.etag_for(ctx, changed_at, request.full_path)
    fresh = request.if_none_match.contains(etag) if request.if_none_match else (
        request.if_modified_since is not None and changed_at <= request.if_modified_since)
    if fresh:
        return _validated(Response(status=304), etag, changed_at), etag, changed_at
    return None, etag, changed_at


def _validated(response: Response, etag: str, changed_at: datetime) -> Response:
    response.set_etag(etag)
    response.last_modified = changed_at
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Link"] = (f'<{opendata.LICENCE_URL}>; rel="license", '
                                f'<{url_for("directory.openapi")}>; rel="describedby"')
    return _open(response)


def _open(response: Response) -> Response:
    # Open data, read-only and without credentials: any web page may fetch it.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/api/v1/members")
@public
@remembered
def api_members():
    ctx = status_context(db, clock.today())
    not_modified, etag, changed_at = _not_modified(ctx)
    if not_modified is not None:
        return not_modified
    query = parse_query(request.args, list(StatusCode))
    page = directory_page(db, ctx, query, page_number(request.args.get("page")),
                          per_page=PER_PAGE, listed_only=False)
    args = query.args()
    links = {"self": url_for("directory.api_members", **args, page=page.number,
                             _external=True),
             "next": url_for("directory.api_members", **args, page=page.number + 1,
                             _external=True) if page.has_next else None,
             "prev": url_for("directory.api_members", **args, page=page.number - 1,
                             _external=True) if page.has_previous else None}
    body = {"data": opendata.member_records(db, page.items, ctx), "links": links,
            "meta": {**_meta(), "total": page.total, "page": page.number,
                     "per_page": page.per_page, "pages": page.pages}}
    return _validated(jsonify(body), etag, changed_at)


@bp.route("/api/v1/members/<slug>")
@public
@remembered
def api_member(slug):
    ctx = status_context(db, clock.today())
    not_modified, etag, changed_at = _not_modified(ctx)
    if not_modified is not None:
        return not_modified
    organisation_id = db.execute(
        sa.select(Organisation.id).where(Organisation.slug == slug)).scalar_one_or_none()
    rows = []
    if organisation_id is not None:
        select, columns = status_select(ctx, [organisation_id])
        rows = list(db.execute(select.where(columns.ever_pledged)))
    if not rows:
        return api_error(404, "No member has this identifier.")
    body = {"data": opendata.member_records(db, rows, ctx)[0], "meta": _meta()}
    return _validated(jsonify(body), etag, changed_at)


@bp.route("/api/v1/openapi.json")
@public
def openapi():
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = CACHE_CONTROL
    return _open(response)


def api_error(status: int, message: str):
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    return _open(response)
