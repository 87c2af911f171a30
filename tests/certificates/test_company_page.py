"""The member's /company/certificates page: revoked certificates and narrow screens."""

from __future__ import annotations

from datetime import UTC, datetime

from portal.auth.models import StaffRole
from portal.certificates import service
from tests.certificates.helpers import issue_for_new_company, page
from tests.factories import create_staff


def revoke(db, certificate, reason="The company's figures were not true."):
    first, second = create_staff(db, StaffRole.ADMIN), create_staff(db, StaffRole.ADMIN)
    service.request_revocation(db, certificate, first, reason)
    service.confirm_revocation(db, certificate, second)
    db.commit()
    return first


def test_a_revoked_certificate_shows_when_why_and_what_to_do_next(
        app, db, client, login_as, frozen_clock):
    frozen_clock(datetime(2026, 9, 14, 10, 0, tzinfo=UTC))
    certificate, admin = issue_for_new_company(db)
    revoke(db, certificate)
    login_as(client, admin)
    soup = page(client.get("/company/certificates"))
    status = soup.select_one("tbody td[data-label='Status']")
    status_text = " ".join(status.get_text(" ").split())
    assert status_text.startswith("Revoked on 14 September 2026")
    assert "Reason: The company's figures were not true." in status_text
    notice = soup.select_one(".certificate-revoked")
    text = " ".join(notice.get_text(" ").split())
    assert f"Certificate {certificate.number} was revoked on 14 September 2026" in text
    assert "Reason: The company's figures were not true." in text
    assert "contact" in text and notice.find("a", href="/contact") is not None
    assert "new attestation" in text and "approves" in text
    valid_until = soup.select_one("tbody td[data-label='Valid until']").get_text(strip=True)
    assert valid_until == "No longer valid"


def test_a_valid_certificate_has_no_revocation_notice(app, db, client, login_as):
    _certificate, admin = issue_for_new_company(db)
    login_as(client, admin)
    soup = page(client.get("/company/certificates"))
    assert soup.select_one(".certificate-revoked") is None
    assert "revoked" not in soup.select_one("main").get_text(" ").lower()


def test_company_certificate_cells_carry_their_column_name_for_narrow_screens(
        app, db, client, login_as):
    certificate, admin = issue_for_new_company(db)
    client.get(f"/verify/{certificate.verification_id}")
    login_as(client, admin)
    soup = page(client.get("/company/certificates"))
    headers = [th.get_text(strip=True) for th in soup.select("thead th")]
    cells = soup.select_one("tbody tr").find_all("td")
    # Every cell says its column's name, so "1" reads "Times checked 1" stacked; the links
    # column's name is visually hidden in the header row but still names its cell.
    assert [cell.get("data-label") for cell in cells] == headers
    assert headers[-1] == "Links"
    assert soup.select_one("td[data-label='Times checked']").get_text(strip=True) == "1"


def test_staff_certificate_tables_carry_their_column_names(app, db, client, login_as):
    certificate, _admin = issue_for_new_company(db)
    staff_admin = revoke(db, certificate)
    login_as(client, staff_admin)
    for url in ("/staff/certificates", f"/staff/certificates/{certificate.id}"):
        soup = page(client.get(url))
        for table in soup.select("table.table"):
            headers = [th.get_text(strip=True) for th in table.select("thead th")]
            for row in table.select("tbody tr"):
                # An empty cell (a revocation event without details) carries no label.
                cells = row.find_all("td")
                assert len(cells) == len(headers), url
                for td, header in zip(cells, headers, strict=True):
                    empty = not td.get_text(strip=True) and td.find(True) is None
                    assert td.get("data-label") == (None if empty else header), url


def test_the_stylesheet_shows_data_labels_on_narrow_screens(app):
    with open(f"{app.static_folder}/css/portal.css", encoding="utf-8") as stylesheet:
        css = stylesheet.read()
    # Cells and row headers (<th scope="row">) alike.
    assert ".table td[data-label]::before, .table tbody th[data-label]::before " \
           "{ content: attr(data-label);" in css
