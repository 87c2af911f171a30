"""OpenAPI 3.1 description of the public API, built from the same field list as the data."""

from __future__ import annotations

from flask import url_for

from portal.directory.opendata import FIELDS, LICENCE_NAME, LICENCE_URL
from portal.directory.service import SORTS
from portal.directory.status import StatusCode
from portal.reference import HEADCOUNT_BANDS, REGIONS, SECTORS

ALWAYS_PRESENT = {"name", "slug", "profile_url", "status", "status_label", "is_listed",
                  "sector", "sector_name", "region", "region_name", "size_band"}
_JSON_TYPES = {"string": "string", "integer": "integer", "boolean": "boolean",
               "number": "number", "date": "string"}


def _field_schema(name: str, kind: str, description: str) -> dict:
    schema: dict = {"description": description}
    json_type = _JSON_TYPES[kind]
    schema["type"] = json_type if name in ALWAYS_PRESENT else [json_type, "null"]
    if kind == "date":
        schema["format"] = "date"
    if name == "status":
        schema["enum"] = [code.value for code in StatusCode if code != StatusCode.NOT_PLEDGED]
    if name in ("profile_url",):
        schema["format"] = "uri"
    return schema


def member_schema() -> dict:
    return {"type": "object", "additionalProperties": False,
            "required": [name for name, _, _ in FIELDS],
            "properties": {name: _field_schema(name, kind, text) for name, kind, text in FIELDS}}


def _meta_schema(paged: bool) -> dict:
    properties = {"licence": {"type": "string"}, "licence_url": {"type": "string"},
                  "generated_on": {"type": "string", "format": "date"},
                  "documentation": {"type": "string", "format": "uri"}}
    if paged:
        properties.update({key: {"type": "integer", "minimum": minimum} for key, minimum in
                           (("total", 0), ("page", 1), ("per_page", 1), ("pages", 1))})
    return {"type": "object", "required": list(properties), "properties": properties,
            "additionalProperties": False}


def _list_parameter(name: str, values: list[str], description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "style": "form", "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "enum": values}}}


def _parameters() -> list[dict]:
    return [
        {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "Part of the company name; case and accents are ignored."},
        _list_parameter("sector", [code for code, _ in SECTORS], "UK SIC 2007 section."),
        _list_parameter("region", [code for code, _ in REGIONS], "ITL1 region code."),
        _list_parameter("size", [code for code, _ in HEADCOUNT_BANDS], "Size band."),
        _list_parameter("status", [c.value for c in StatusCode if c != StatusCode.NOT_PLEDGED],
                        "Status code (also matches the open cycle's status shown beside an "
                        "earlier certificate)."),
        {"name": "certified", "in": "query", "required": False, "style": "form",
         "explode": True, "description": "Certified for this cycle year.",
         "schema": {"type": "array", "items": {"type": "integer"}}},
        {"name": "sort", "in": "query", "required": False,
         "schema": {"type": "string", "enum": list(SORTS)}},
        {"name": "page", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1}},
    ]


def _json(schema_ref: str, description: str) -> dict:
    return {"description": description, "headers": {
        "ETag": {"schema": {"type": "string"}},
        "Last-Modified": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def openapi_document() -> dict:
    not_modified = {"description": "Not modified since the validator given "
                    "(If-None-Match or If-Modified-Since)."}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Pledge Portal member directory", "version": "1.0.0",
                 "description": "Every company that ever pledged, with its public status.",
                 "license": {"name": LICENCE_NAME, "url": LICENCE_URL}},
        "servers": [{"url": url_for("pages.home", _external=True).rstrip("/")}],
        "paths": {
            "/api/v1/members": {"get": {
                "operationId": "listMembers", "summary": "List members (100 a page)",
                "parameters": _parameters(),
                "responses": {"200": _json("#/components/schemas/MemberList", "A page"),
                              "304": not_modified}}},
            "/api/v1/members/{slug}": {"get": {
                "operationId": "getMember", "summary": "One member",
                "parameters": [{"name": "slug", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": _json("#/components/schemas/MemberDocument", "The member"),
                              "304": not_modified,
                              "404": {"description": "No member has this identifier.",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/Error"}}}}}}},
        },
        "components": {"schemas": _schemas()},
    }


def _schemas() -> dict:
    link = {"type": ["string", "null"], "format": "uri"}
    return {
        "Member": member_schema(),
        "MemberList": {
            "type": "object", "required": ["data", "links", "meta"],
            "additionalProperties": False,
            "properties": {
                "data": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
                "links": {"type": "object", "required": ["self", "next", "prev"],
                          "additionalProperties": False,
                          "properties": {"self": {"type": "string", "format": "uri"},
                                         "next": link, "prev": link}},
                "meta": _meta_schema(paged=True)}},
        "MemberDocument": {
            "type": "object", "required": ["data", "meta"], "additionalProperties": False,
            "properties": {"data": {"$ref": "#/components/schemas/Member"},
                           "meta": _meta_schema(paged=False)}},
        "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["status", "message"],
                                     "properties": {"status": {"type": "integer"},
                                                    "message": {"type": "string"}}}}},
    }
