"""The annual report: CLI and staff download give a real PDF with the page's figures."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from portal.auth.models import StaffRole
from tests.factories import create_cycle, create_member, create_staff
from tests.impact.helpers import approved_company

NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def certified(db, frozen_clock):
    frozen_clock(NOW)
    cycles = create_cycle(db, 2025), create_cycle(db, 2026)
    companies = [approved_company(db, cycles, total_hours=2000 * (i + 1)) for i in range(5)]
    hidden = companies[0]
    hidden.is_listed = False
    db.commit()
    return companies, hidden


def _text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_cli_writes_the_report(app, db, certified, tmp_path):
    companies, hidden = certified
    output = tmp_path / "report.pdf"
    result = app.test_cli_runner().invoke(
        args=["portal", "annual-report", "--cycle", "2026", "--output", str(output)])
    assert result.exit_code == 0, result.output
    text = _text(output.read_bytes())
    assert "People Pillar annual report 2026" in text
    assert "Employees covered by certified companies" in text and "500" in text
    assert all(c.name in text for c in companies if c is not hidden)
    assert hidden.name not in text  # chose not to be listed: counted, not named


def test_cli_refuses_a_cycle_that_has_not_opened(app, db, certified):
    result = app.test_cli_runner().invoke(args=["portal", "annual-report", "--cycle", "2031"])
    assert result.exit_code == 1 and "No reporting cycle 2031" in result.output


def test_staff_button_downloads_the_same_report(client, db, login_as, certified):
    login_as(client, create_staff(db, StaffRole.REVIEWER))
    page = client.get("/staff/analytics?cycle=2026").get_data(as_text=True)
    assert "/staff/annual-report/2026.pdf" in page
    response = client.get("/staff/annual-report/2026.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "People Pillar annual report 2026" in _text(response.data)
    assert client.get("/staff/annual-report/1999.pdf").status_code == 404
    login_as(client, create_member(db, certified[0][1]))
    assert client.get("/staff/annual-report/2026.pdf").status_code == 403
