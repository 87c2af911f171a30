"""Open data: the JSON API (checked against its OpenAPI 3.1 description), the CSV, caching."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from portal.directory.opendata import FIELD_NAMES
from portal.pledges.service import active_pledge
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)

SIGNED = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 8, 15)


def pledged(db, name, signed_at=SIGNED, **overrides):
    organisation, admin = create_company_with_admin(db, name, **overrides)
    create_pledge(db, organisation, admin, signed_at=signed_at)
    return organisation


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    return document


def check(spec, response, path: str):
    """Validate a response's status, content type and body against the OpenAPI document."""
    operation = spec["paths"][path]["get"]
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, f"{response.status_code} is not documented for {path}"
    if response.status_code == 304:
        assert response.data == b""
        return None
    assert response.mimetype == "application/json"
    schema = declared["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:spec", Resource.from_contents(
        {**spec, "$schema": "https://json-schema.org/draft/2020-12/schema"}))
    wrapper = {"$schema": "https://json-schema.org/draft/2020-12/schema",
               "$ref": "urn:spec" + schema["$ref"]}
    body = response.get_json()
    Draft202012Validator(wrapper, registry=registry,
                         format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)
    return body


def _world(db):
    """One company in each public state."""
    cycle = create_cycle(db, 2026)
    certified = pledged(db, "Alpha Certified")
    certified.publishes_metrics = True
    create_certificate(db, certified, cycle)
    private = pledged(db, "Bravo Private Metrics")
    create_certificate(db, private, cycle)
    pledged(db, "Charlie Overdue")
    gone = pledged(db, "Delta Withdrawn")
    pledge = active_pledge(db, gone.id)
    pledge.withdrawn_at, pledge.active_organisation_id = datetime(2026, 3, 2, tzinfo=UTC), None
    delisted = pledged(db, "Echo Delisted")
    delisted.delisted_at = datetime(2026, 5, 1, 10, tzinfo=UTC)
    delisted.delisted_reason = "Declared hours were not supported by evidence."
    hidden = pledged(db, "Foxtrot Unlisted")
    hidden.is_listed = False
    db.commit()
    create_company_with_admin(db, "Golf Never Pledged")
    reviewing = pledged(db, "Hotel Review")
    create_attestation(db, reviewing, cycle, status="submitted",
                       submitted_at=datetime(2026, 7, 1, tzinfo=UTC))


def test_list_includes_every_company_that_ever_pledged_with_its_status(client, db,
                                                                       frozen_clock, spec):
    frozen_clock(TODAY)
    _world(db)
    response = client.get("/api/v1/members")
    assert response.status_code == 200
    body = check(spec, response, "/api/v1/members")
    statuses = {m["name"]: (m["status"], m["is_listed"]) for m in body["data"]}
    assert statuses == {
        "Alpha Certified": ("certified", True), "Bravo Private Metrics": ("certified", True),
        "Charlie Overdue": ("overdue", True), "Delta Withdrawn": ("withdrawn", False),
        "Echo Delisted": ("delisted", False),
        # Opted out of the list, but overdue: nobody hides a lapse.
        "Foxtrot Unlisted": ("overdue", True),
        "Hotel Review": ("under_review", True),
    }
    assert body["meta"]["licence"].startswith("Creative Commons")
    assert 'rel="license"' in response.headers["Link"]
    assert '</api/v1/openapi.json>; rel="describedby"' in response.headers["Link"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    echo = next(m for m in body["data"] if m["name"] == "Echo Delisted")
    assert (echo["delisted_on"], echo["delisted_reason"]) == (
        "2026-05-01", "Declared hours were not supported by evidence.")


def test_metrics_are_published_only_with_consent_in_json_csv_and_html(client, db, frozen_clock):
    frozen_clock(TODAY)
    _world(db)
    members = {m["name"]: m for m in client.get("/api/v1/members").get_json()["data"]}
    assert members["Alpha Certified"]["avg_learning_hours_per_week"] == 1.07
    assert members["Alpha Certified"]["learning_coverage_pct"] == 90.0
    assert members["Bravo Private Metrics"]["avg_learning_hours_per_week"] is None
    assert members["Bravo Private Metrics"]["learning_coverage_pct"] is None
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(
        client.get("/members.csv").get_data(as_text=True)))}
    assert rows["Bravo Private Metrics"]["avg_learning_hours_per_week"] == ""
    assert rows["Alpha Certified"]["avg_learning_hours_per_week"] == "1.07"
    profile = client.get("/members/bravo-private-metrics").get_data(as_text=True)
    assert "1.07" not in profile and "Learning figures" not in profile


def test_csv_and_json_agree(client, db, frozen_clock):
    frozen_clock(TODAY)
    _world(db)
    response = client.get("/members.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == FIELD_NAMES
    records = client.get("/api/v1/members").get_json()["data"]

    def as_text(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    assert [{k: as_text(v) for k, v in record.items()} for record in records] == rows


def test_filters_work_the_same_in_api_and_csv(client, db, frozen_clock, spec):
    frozen_clock(TODAY)
    _world(db)
    args = {"status": ["withdrawn", "delisted"], "q": "e"}
    body = check(spec, client.get("/api/v1/members", query_string=args), "/api/v1/members")
    assert [m["name"] for m in body["data"]] == ["Delta Withdrawn", "Echo Delisted"]
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/members.csv", query_string=args).get_data(as_text=True))))
    assert [r["name"] for r in rows] == ["Delta Withdrawn", "Echo Delisted"]


def test_pagination_has_next_links_until_the_end(client, db, frozen_clock, spec):
    frozen_clock(TODAY)
    for n in range(105):
        organisation, _ = create_company_with_admin(db, f"Paged {n:03d} Ltd")
        create_pledge(db, organisation, signed_at=SIGNED)
    body = check(spec, client.get("/api/v1/members?sector=M"), "/api/v1/members")
    assert (len(body["data"]), body["meta"]["total"], body["meta"]["pages"]) == (100, 105, 2)
    assert body["links"]["prev"] is None
    following = client.get(body["links"]["next"].replace("http://localhost", ""))
    second = check(spec, following, "/api/v1/members")
    assert [m["name"] for m in second["data"]] == [f"Paged {n:03d} Ltd" for n in range(100, 105)]
    assert second["links"]["next"] is None
    assert "sector=M" in second["links"]["prev"]
    for raw in ("0", "abc", "-1", "9999"):
        assert client.get(f"/api/v1/members?page={raw}").status_code == 200


def test_one_member_and_unknown_member(client, db, frozen_clock, spec):
    frozen_clock(TODAY)
    _world(db)
    body = check(spec, client.get("/api/v1/members/echo-delisted"), "/api/v1/members/{slug}")
    assert body["data"]["status"] == "delisted"
    for slug in ("no-such-company", "golf-never-pledged"):
        missing = client.get(f"/api/v1/members/{slug}")
        assert missing.status_code == 404
        check(spec, missing, "/api/v1/members/{slug}")


def test_conditional_requests_answer_304_until_data_or_date_change(client, db, frozen_clock,
                                                                   spec):
    frozen_clock(datetime(2026, 8, 15, 10, 0, tzinfo=UTC))
    organisation = pledged(db, "Cached Ltd")
    first = client.get("/api/v1/members")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get("/api/v1/members", headers={"If-None-Match": etag})
    assert again.status_code == 304
    check(spec, again, "/api/v1/members")
    assert client.get("/api/v1/members", headers={
        "If-Modified-Since": modified}).status_code == 304
    # Another query is another representation.
    assert client.get("/api/v1/members?sector=M",
                      headers={"If-None-Match": etag}).status_code == 200
    # The data changes: a new validator.
    frozen_clock(datetime(2026, 8, 15, 11, 0, tzinfo=UTC))
    organisation.description = "Changed"
    organisation.updated_at = datetime(2026, 8, 15, 11, 0, tzinfo=UTC)
    db.commit()
    changed = client.get("/api/v1/members", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    # Nothing changes but the date: statuses may have, so the validator does too.
    etag = changed.headers["ETag"]
    frozen_clock(datetime(2026, 8, 16, 10, 0, tzinfo=UTC) + timedelta(days=1))
    assert client.get("/api/v1/members", headers={"If-None-Match": etag}).status_code == 200
    single = client.get("/api/v1/members/cached-ltd")
    assert client.get("/api/v1/members/cached-ltd", headers={
        "If-None-Match": single.headers["ETag"]}).status_code == 304


def test_openapi_document_describes_the_member_fields(spec):
    member = spec["components"]["schemas"]["Member"]
    assert sorted(member["properties"]) == sorted(FIELD_NAMES) == sorted(member["required"])
    assert spec["info"]["license"]["url"].startswith("https://creativecommons.org/")
    from jsonschema import Draft202012Validator as Validator

    Validator.check_schema(member)


def test_csv_is_streamed_and_neutralises_formulas(client, db, frozen_clock):
    frozen_clock(TODAY)
    organisation = pledged(db, "=HYPERLINK(\"http://evil\") Ltd")
    organisation.description = "+1 great"
    db.commit()
    response = client.get("/members.csv")
    assert response.is_streamed
    row = next(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert row["name"].startswith("'=HYPERLINK")
    assert row["description"] == "'+1 great"


def test_csv_reads_in_chunks_with_metrics_for_each(client, db, frozen_clock, monkeypatch):
    from portal.directory import opendata

    monkeypatch.setattr(opendata, "CHUNK", 2)
    frozen_clock(TODAY)
    cycle = create_cycle(db, 2026)
    for n in range(5):
        organisation = pledged(db, f"Chunk {n} Ltd")
        organisation.publishes_metrics = True
        db.commit()
        create_certificate(db, organisation, cycle)
    rows = list(csv.DictReader(io.StringIO(client.get("/members.csv").get_data(as_text=True))))
    assert [r["name"] for r in rows] == [f"Chunk {n} Ltd" for n in range(5)]
    assert {r["avg_learning_hours_per_week"] for r in rows} == {"1.07"}
