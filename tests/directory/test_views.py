"""The public member directory: search, filters, pagination, profiles, 410s and delisting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup

from portal.pledges.service import active_pledge
from tests.factories import (
    create_attestation,
    create_certificate,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)

SIGNED = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 8, 15)  # cycle 2026: due 31 July, grace until 31 December


def pledged(db, name, signed_at=SIGNED, **overrides):
    organisation, admin = create_company_with_admin(db, name, **overrides)
    create_pledge(db, organisation, admin, signed_at=signed_at)
    return organisation


def soup(response):
    return BeautifulSoup(response.data, "html.parser")


def names(response) -> list[str]:
    return [a.get_text(strip=True) for a in soup(response).select("table tbody td:first-child a")]


@pytest.fixture
def today(frozen_clock):
    frozen_clock(TODAY)
    return TODAY


@pytest.mark.parametrize("search", ["muller", "MÜLLER", "Muller", "ller da", "  müller   data "])
def test_search_ignores_case_and_accents_and_matches_inside_words(client, db, today, search):
    pledged(db, "Müller Data Ltd")
    pledged(db, "Brightwave Media")
    response = client.get("/members", query_string={"q": search})
    assert response.status_code == 200
    assert names(response) == ["Müller Data Ltd"]
    assert soup(response).find("input", id="q")["value"] == " ".join(search.split())


@pytest.mark.parametrize("search", ["100%", "a_b", "%", "\\", "'; drop table x --", "x" * 500])
def test_search_wildcards_are_literal_and_odd_input_never_fails(client, db, today, search):
    pledged(db, "Brightwave Media")
    response = client.get("/members", query_string={"q": search})
    assert response.status_code == 200
    assert names(response) == []


def _variety(db):
    cycle = create_cycle(db, 2026)
    certified = pledged(db, "Alpha Certified", sector="J", region="TLC", headcount_band="1-9")
    create_certificate(db, certified, cycle)
    reviewing = pledged(db, "Bravo Review", sector="J", region="TLI", headcount_band="10-49",
                        signed_at=datetime(2024, 5, 1, tzinfo=UTC))
    create_attestation(db, reviewing, cycle, status="submitted",
                       submitted_at=datetime(2026, 7, 1, tzinfo=UTC))
    pledged(db, "Charlie Overdue", sector="M", region="TLI", headcount_band="10-49",
            signed_at=datetime(2025, 6, 1, tzinfo=UTC))
    pledged(db, "Delta New", sector="M", region="TLC",
            signed_at=datetime(2026, 7, 20, tzinfo=UTC))
    return cycle


@pytest.mark.parametrize(("args", "expected"), [
    ({}, ["Alpha Certified", "Bravo Review", "Charlie Overdue", "Delta New"]),
    ({"sector": "J"}, ["Alpha Certified", "Bravo Review"]),
    ({"region": "TLI"}, ["Bravo Review", "Charlie Overdue"]),
    ({"size": "10-49"}, ["Bravo Review", "Charlie Overdue"]),
    ({"status": "certified"}, ["Alpha Certified"]),
    ({"status": "under_review"}, ["Bravo Review"]),
    ({"status": "overdue"}, ["Charlie Overdue"]),
    ({"status": "pledged"}, ["Delta New"]),
    ({"status": ["overdue", "pledged"]}, ["Charlie Overdue", "Delta New"]),
    ({"certified": "2026"}, ["Alpha Certified"]),
    ({"certified": "2025"}, []),
    ({"sector": "M", "region": "TLI"}, ["Charlie Overdue"]),
    ({"sector": "J", "size": "10-49", "status": "under_review", "q": "brav"}, ["Bravo Review"]),
    ({"sort": "newest"}, ["Delta New", "Charlie Overdue", "Alpha Certified", "Bravo Review"]),
    ({"sort": "oldest"}, ["Bravo Review", "Alpha Certified", "Charlie Overdue", "Delta New"]),
    # Unknown values are ignored, never an error.
    ({"sector": "ZZ", "status": "nonsense", "certified": "abc", "sort": "x"},
     ["Alpha Certified", "Bravo Review", "Charlie Overdue", "Delta New"]),
])
def test_filters_and_sorting(client, db, today, args, expected):
    _variety(db)
    response = client.get("/members", query_string=args)
    assert response.status_code == 200
    assert names(response) == expected


def test_rows_show_status_sector_region_size_and_pledge_date(client, db, today):
    _variety(db)
    row = soup(client.get("/members", query_string={"q": "charlie"})).select_one("tbody tr")
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells == ["Charlie Overdue", "Overdue 2026",
                     "Professional, scientific and technical activities", "London", "10–49",
                     "1 June 2025"]


def test_filters_are_kept_in_the_form_and_the_page_links(client, db, today):
    for n in range(30):
        pledged(db, f"Gamma {n:02d} Ltd", sector="J")
    response = client.get("/members", query_string={"sector": "J", "q": "gamma"})
    html = soup(response)
    assert html.find("select", id="filter-sector").find("option", selected=True)["value"] == "J"
    next_link = html.select_one("a[rel=next]")["href"]
    assert "sector=J" in next_link and "q=gamma" in next_link and "page=2" in next_link


@pytest.mark.parametrize(("raw", "first"), [
    ("1", "Gamma 00 Ltd"), ("0", "Gamma 00 Ltd"), ("-3", "Gamma 00 Ltd"),
    ("abc", "Gamma 00 Ltd"), ("2", "Gamma 25 Ltd"), ("999", "Gamma 25 Ltd"),
    ("99999999999999999999999", "Gamma 25 Ltd"),
])
def test_pagination_edges_never_fail(client, db, today, raw, first):
    for n in range(30):
        pledged(db, f"Gamma {n:02d} Ltd")
    response = client.get("/members", query_string={"page": raw})
    assert response.status_code == 200
    listed = names(response)
    assert listed[0] == first
    assert len(listed) == (25 if first == "Gamma 00 Ltd" else 5)


def test_empty_state_offers_to_clear_filters(client, db, today):
    pledged(db, "Brightwave Media")
    html = soup(client.get("/members", query_string={"q": "zzz", "sector": "A"}))
    assert "No members match your search" in html.get_text()
    assert "“zzz”" in html.get_text()
    clear = html.find("a", string="Clear filters")
    assert clear["href"] == "/members"


def test_only_companies_in_good_standing_that_chose_to_be_listed_appear(client, db, today):
    pledged(db, "Listed Ltd")
    hidden = pledged(db, "Opted Out Ltd")
    hidden.is_listed = False
    gone = pledged(db, "Withdrawn Ltd")
    pledge = active_pledge(db, gone.id)
    pledge.withdrawn_at, pledge.active_organisation_id = datetime(2026, 1, 5, tzinfo=UTC), None
    delisted = pledged(db, "Delisted Ltd")
    delisted.delisted_at, delisted.delisted_reason = datetime(2026, 2, 1, tzinfo=UTC), "Reason"
    db.commit()
    create_company_with_admin(db, "Never Pledged Ltd")
    assert names(client.get("/members")) == ["Listed Ltd"]


def test_an_opted_out_company_that_is_overdue_stays_listed(client, db, today):
    create_cycle(db, 2026)
    behind = pledged(db, "Hiding Ltd")
    behind.is_listed = False
    db.commit()
    assert names(client.get("/members")) == ["Hiding Ltd"]
    assert names(client.get("/members", query_string={"status": "overdue"})) == ["Hiding Ltd"]


def test_filtered_searched_page_issues_a_bounded_number_of_queries(client, db, today,
                                                                  count_queries):
    cycle = create_cycle(db, 2026)
    for n in range(40):
        organisation = pledged(db, f"Query Count {n:02d} Ltd", sector="J")
        if n % 3 == 0:
            create_certificate(db, organisation, cycle)
    args = {"q": "count", "sector": "J", "status": ["certified", "overdue"], "sort": "newest"}
    with count_queries() as counter:
        response = client.get("/members", query_string=args)
    assert response.status_code == 200
    assert len(names(response)) == 25
    # Context (cycles, code versions), the count and the page: never one query per row.
    assert counter.count <= 5, counter.statements


def test_profile_shows_details_certificates_timeline_and_policy(client, db, today):
    cycle = create_cycle(db, 2026)
    organisation = pledged(db, "Profile Ltd", description="We love learning.")
    attestation = create_attestation(db, organisation, cycle, status="approved",
                                     submitted_at=datetime(2026, 6, 1, tzinfo=UTC))
    certificate = create_certificate(db, organisation, cycle, attestation,
                                     issued_at=datetime(2026, 6, 20, tzinfo=UTC))
    response = client.get(f"/members/{organisation.slug}")
    assert response.status_code == 200
    html = soup(response)
    assert len(html.find_all("h1")) == 1
    assert html.h1.get_text(strip=True) == "Profile Ltd"
    text = html.get_text(" ", strip=True)
    assert "Certified 2026" in text and "We love learning." in text
    assert "Pledged 10 January 2025 Code of practice Version 1" in text
    link = html.find("a", string=lambda s: s and certificate.number in s)
    assert link["href"] == f"/verify/{certificate.verification_id}"
    timeline = [li.get_text(" ", strip=True) for li in html.select(".timeline__item")]
    assert timeline[0].startswith("20 June 2026 Certified 2026")
    assert timeline[-1].startswith("10 January 2025 Pledged")
    assert html.find("a", href="https://www.example.com/dei")


def test_metrics_appear_only_when_the_company_publishes_them(client, db, today):
    cycle = create_cycle(db, 2026)
    organisation = pledged(db, "Metrics Ltd")
    create_certificate(db, organisation, cycle)
    url = f"/members/{organisation.slug}"
    assert "Learning figures" not in soup(client.get(url)).get_text()
    assert "1.07" not in client.get(url).get_data(as_text=True)
    organisation.publishes_metrics = True
    db.commit()
    text = soup(client.get(url)).get_text(" ", strip=True)
    assert "Learning figures" in text and "1.07" in text and "90%" in text


def test_withdrawn_profile_is_gone_with_an_explanation(client, db, today):
    organisation = pledged(db, "Gone Ltd")
    pledge = active_pledge(db, organisation.id)
    pledge.withdrawn_at, pledge.active_organisation_id = datetime(2026, 3, 2, tzinfo=UTC), None
    db.commit()
    response = client.get(f"/members/{organisation.slug}")
    assert response.status_code == 410
    text = soup(response).get_text(" ", strip=True)
    assert "withdrew its People Pillar pledge on 2 March 2026" in text
    assert "Withdrew the pledge" in text


def test_unknown_and_never_pledged_profiles_are_not_found(client, db, today):
    organisation, _ = create_company_with_admin(db, "Not Yet Ltd")
    assert client.get(f"/members/{organisation.slug}").status_code == 404
    assert client.get("/members/no-such-company").status_code == 404


def test_lapsed_profile_stays_but_says_so(client, db, today):
    from portal.pledges.models import CodeVersion

    organisation = pledged(db, "Lapsed Ltd")
    create_cycle(db, 2026)
    db.add(CodeVersion(number=2, title="v2", commitments=[],
                       published_at=datetime(2026, 2, 1, tzinfo=UTC)))
    db.commit()
    response = client.get(f"/members/{organisation.slug}")
    assert response.status_code == 200
    assert "pledge has lapsed" in soup(response).get_text()
    assert names(client.get("/members")) == []


def test_footer_links_to_open_data(client, db):
    html = soup(client.get("/members"))
    assert html.select_one("footer a[href='/open-data']").get_text() == "Open data"


def test_open_data_page_documents_every_field(client, db):
    from portal.directory.opendata import FIELD_NAMES

    html = soup(client.get("/open-data"))
    documented = [code.get_text() for code in html.select("table tbody td:first-child code")]
    assert documented == FIELD_NAMES
    assert html.find("a", rel="license")["href"].startswith("https://creativecommons.org/")


@pytest.mark.parametrize("url", ["/members", "/open-data", "/members?q=zzz"])
def test_pages_have_one_h1(client, db, url):
    assert len(soup(client.get(url)).find_all("h1")) == 1


def test_profile_keeps_the_first_pledge_date_after_re_signing(client, db, today):
    from portal.pledges.models import CodeVersion

    organisation = pledged(db, "Re-signer Ltd")
    first = active_pledge(db, organisation.id)
    first.active_organisation_id = None
    first.superseded_at = datetime(2026, 3, 1, tzinfo=UTC)
    version = CodeVersion(number=2, title="v2", commitments=[],
                          published_at=datetime(2026, 2, 1, tzinfo=UTC))
    db.add(version)
    db.commit()
    second = create_pledge(db, organisation, version=version,
                           signed_at=datetime(2026, 3, 1, tzinfo=UTC))
    first.superseded_by_id = second.id
    db.commit()
    html = soup(client.get(f"/members/{organisation.slug}"))
    text = html.get_text(" ", strip=True)
    assert "Pledged 10 January 2025" in text
    assert "Version 2, signed 1 March 2026" in text
    assert "1 March 2026 Re-signed the pledge" in text
    assert names(client.get("/members", query_string={"q": "re-signer"})) == ["Re-signer Ltd"]
    row = soup(client.get("/members", query_string={"q": "re-signer"})).select_one("tbody tr")
    assert row.find_all("td")[-1].get_text(strip=True) == "10 January 2025"

