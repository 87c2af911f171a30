"""Hostile uploads: zip bombs dressed as XLSX, SVG with script, names that try to escape."""

from __future__ import annotations

import io
import zipfile

import pytest
import sqlalchemy as sa

from portal.attestations.models import EvidenceBlob, EvidenceFile
from tests.attestations.helpers import errors, pledged_company, post_file

REFUSED = "The selected file must be a PDF, CSV, XLSX, PNG or JPEG"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def admin(client, db, login_as, frozen_clock):
    _, user, _ = pledged_company(db, frozen_clock)
    login_as(client, user)
    return user


def upload(client, data: bytes, name: str):
    token = client.csrf_token("/company/attestation/evidence")
    return post_file(client, "/company/attestation/evidence", {"csrf_token": token},
                     "evidence_file", data, name)


def nothing_stored(db) -> bool:
    return db.execute(sa.select(EvidenceFile)).first() is None and \
        db.execute(sa.select(EvidenceBlob)).first() is None


def xlsx_bomb() -> bytes:
    """Passes for a workbook by its names; 1 GB of zeros once unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"\x00" * (1024 * 1024)
            for _ in range(1024):
                sheet.write(block)
    return buffer.getvalue()


def test_a_zip_bomb_named_xlsx_is_refused(client, db, admin):
    bomb = xlsx_bomb()
    assert len(bomb) < 10 * 1024 * 1024  # small enough to pass the size limit
    response = upload(client, bomb, "figures.xlsx")
    assert response.status_code == 200
    assert errors(response) == [REFUSED]
    assert nothing_stored(db)


@pytest.mark.parametrize("name", ["logo.svg", "figures.csv", "report.pdf"])
def test_svg_or_html_with_script_is_refused_whatever_its_name(client, db, admin, name):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    html = b"<!DOCTYPE html><html><body onload=alert(1)>hours</body></html>"
    for data in (svg, html):
        # Refused by its content or, for logo.svg, already by its name: either way one
        # message naming the types we accept.
        found = errors(upload(client, data, name))
        assert len(found) == 1 and "PDF, CSV, XLSX, PNG or JPEG" in found[0]
    assert nothing_stored(db)


@pytest.mark.parametrize("name", [
    "../../../etc/passwd.pdf", "..\\..\\windows\\system32\\evil.pdf", "/abs/path.pdf",
    "evil\x00.pdf", "tab\tand\x1bescape.pdf", "\u202egpj.pdf", "....pdf",
])
def test_file_names_cannot_escape_or_carry_control_characters(client, db, admin, name):
    assert upload(client, PDF, name).status_code == 302
    stored = db.execute(sa.select(EvidenceFile)).scalar_one()
    assert "/" not in stored.filename and "\\" not in stored.filename
    assert not stored.filename.startswith(".")
    assert all(ch.isprintable() for ch in stored.filename)
    assert stored.filename.endswith(".pdf")
    response = client.get(f"/attestation-evidence/{stored.id}")
    assert response.status_code == 200
    assert "\r" not in response.headers["Content-Disposition"]
    assert "\n" not in response.headers["Content-Disposition"]


def test_an_11_mb_file_is_refused_with_a_clear_message(client, db, admin):
    response = upload(client, b"%PDF-" + b"0" * (11 * 1024 * 1024), "huge.pdf")
    assert response.status_code in (200, 413)
    assert "10 MB" in response.get_data(as_text=True)
    assert nothing_stored(db)
