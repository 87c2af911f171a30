"""Hostile or odd input on every staff form and filter: an answer, never a 500."""

from __future__ import annotations

import pytest

HOSTILE = ["' OR 1=1 --", "<script>alert(1)</script>", "\x00\x01\x1f", "9" * 400,
           "é" * 5000, "[]", "-1", "2026-02-30", "%", "\\"]


@pytest.mark.parametrize("value", HOSTILE)
def test_filters_never_fail(world, client, login_as, value):
    login_as(client, world["staff_admin"])
    for url in ("/staff/review", "/staff/audit", "/staff/companies", "/staff/accounts"):
        for name in ("status", "cycle", "reviewer", "flagged", "late", "page", "actor",
                     "action", "object_type", "object_id", "organisation", "date_from",
                     "date_to", "q"):
            response = client.get(url, query_string={name: value})
            assert response.status_code == 200, (url, name)
            assert b"<script>alert(1)</script>" not in response.data


@pytest.mark.parametrize("value", HOSTILE)
def test_forms_never_fail(world, client, login_as, value):
    login_as(client, world["staff_admin"])
    organisation_id, attestation_id = world["organisation"].id, world["attestation"].id
    posts = {
        f"/staff/companies/{organisation_id}/extension": {
            "cycle_id": value, "until": value, "reason": value},
        f"/staff/companies/{organisation_id}/appoint-admin": {"email": value},
        "/staff/accounts/invite": {"email": value, "staff_role": value},
        f"/staff/accounts/{world['reviewer'].id}/role": {"staff_role": value},
        "/staff/review/sampling/new": {"cycle_id": value, "percentage": value,
                                       "seed": value, "message": value},
        f"/staff/review/{attestation_id}/reject": {"reason": value, "internal_note": value},
    }
    for url, data in posts.items():
        response = client.submit(url, data)
        assert response.status_code in (200, 302), (url, response.status_code)
        assert b"<script>alert(1)</script>" not in response.data


def test_huge_ids_in_the_path_are_404(world, client, login_as):
    huge = "9" * 30
    login_as(client, world["staff_admin"])
    for url in (f"/staff/review/{huge}", f"/staff/review/{huge}/approve",
                f"/staff/companies/{huge}", f"/staff/companies/{huge}/extension",
                f"/staff/accounts/{huge}/role", f"/staff/review/sampling/{huge}",
                f"/staff/review/sampling/{huge}/{huge}"):
        assert client.get(url).status_code == 404, url
    login_as(client, world["admin"])
    assert client.get(f"/company/evidence-checks/{huge}").status_code == 404
