"""Every staff, review and audit page: one <h1>, unique ids, a CSRF token in each POST form,
no inline script or style."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from bs4 import BeautifulSoup

from portal.auth.models import User
from portal.review import sampling, service
from portal.review.models import SampledAttestation
from tests.factories import create_attestation, create_company_with_admin


def _check(response, url):
    assert response.status_code == 200, url
    page = BeautifulSoup(response.data, "html.parser")
    assert len(page.find_all("h1")) == 1, url
    ids = Counter(tag["id"] for tag in page.find_all(id=True))
    assert [i for i, n in ids.items() if n > 1] == [], url
    for form in page.find_all("form"):
        if form.get("method", "get").lower() == "post":
            assert form.find("input", attrs={"name": "csrf_token"}), url
    assert not page.find("script", src=False), url
    assert not page.find(style=True), url
    assert not page.find("style"), url


def test_every_page_is_well_formed(db, world, client, login_as):
    approved = create_attestation(db, create_company_with_admin(db)[0], world["cycle"],
                                  status="approved")
    audit = sampling.draw_sample(db, world["staff_admin"], world["cycle"], 10, "s", "m")
    service.add_note(db, world["staff_admin"], world["attestation"], "A note")
    db.commit()
    sampled = db.execute(sa.select(SampledAttestation)).scalar_one()
    organisation = world["organisation"]
    attestation = world["attestation"]
    login_as(client, world["staff_admin"])
    for url in [
        "/staff", "/staff/companies", f"/staff/companies/{organisation.id}",
        f"/staff/companies/{organisation.id}/extension",
        f"/staff/companies/{organisation.id}/appoint-admin",
        "/staff/accounts", "/staff/accounts/invite",
        f"/staff/accounts/{world['reviewer'].id}/role",
        f"/staff/accounts/{world['reviewer'].id}/disable",
        "/staff/review", "/staff/review?status=all", f"/staff/review/{attestation.id}",
        f"/staff/review/{attestation.id}/approve", f"/staff/review/{attestation.id}/reject",
        f"/staff/review/{attestation.id}/request-changes", f"/staff/review/{approved.id}",
        "/staff/review/sampling", "/staff/review/sampling/new",
        f"/staff/review/sampling/{audit.id}",
        f"/staff/review/sampling/{audit.id}/{sampled.id}", "/staff/review/exports",
        "/staff/audit", "/staff/audit?action=staff_note_added",
    ]:
        _check(client.get(url), url)
    admin_of_sampled = db.execute(sa.select(User).where(
        User.organisation_id == approved.organisation_id)).scalar_one()
    login_as(client, admin_of_sampled)
    for url in ["/company/evidence-checks", f"/company/evidence-checks/{sampled.id}"]:
        _check(client.get(url), url)


def test_empty_states(world, client, login_as):
    login_as(client, world["staff_admin"])
    for url, words in [("/staff/review?status=approved", "No attestations match"),
                       ("/staff/review/sampling", "No sample has been drawn yet"),
                       ("/staff/audit?action=nothing_like_this", "No events match")]:
        assert words in BeautifulSoup(client.get(url).data, "html.parser").get_text(), url
