"""/members/<slug>/badge.svg: valid SVG, the directory's public status, ETag revalidation."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from portal.organisations.models import Organisation
from tests.certificates.helpers import issue_for_new_company
from tests.factories import create_company

SVG = "{http://www.w3.org/2000/svg}"


def badge_texts(response) -> list[str]:
    root = ElementTree.fromstring(response.data)  # noqa: S314 (our own SVG)
    assert root.tag == f"{SVG}svg"
    return [element.text for element in root.iter(f"{SVG}text")]


def test_certified_company_badge(app, db, client, frozen_clock):
    frozen_clock(date(2026, 9, 1))
    certificate, _ = issue_for_new_company(db)
    slug = db.get(Organisation, certificate.organisation_id).slug
    response = client.get(f"/members/{slug}/badge.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert badge_texts(response) == ["People Pledge", "Certified 2026"]
    assert response.headers["ETag"]
    again = client.get(f"/members/{slug}/badge.svg",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    certificate.revoked_at = certificate.issued_at
    db.commit()
    changed = client.get(f"/members/{slug}/badge.svg",
                         headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200
    assert badge_texts(changed)[1] != "Certified 2026"


def test_names_are_escaped_and_unknown_companies_are_404(app, db, client):
    assert client.get("/members/no-such-company/badge.svg").status_code == 404
    never_pledged = create_company(db, "Never <Pledged> Ltd")
    assert client.get(f"/members/{never_pledged.slug}/badge.svg").status_code == 404


def test_badge_svg_escapes_its_label():
    from portal.certificates.badge import badge_svg

    svg = badge_svg('Odd <label> & "quotes"', "unknown-colour")
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own SVG)
    assert [t.text for t in root.iter(f"{SVG}text")][1] == 'Odd <label> & "quotes"'
