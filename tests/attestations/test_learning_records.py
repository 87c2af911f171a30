"""Learning-record CSV import: good files, bad rows, BOM, semicolons, 100,000 rows."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from portal.attestations.learning_records import (
    LearningRecordRefused,
    parse_learning_record,
)
from portal.attestations.models import Attestation, EvidenceFile
from tests.attestations.helpers import WORKFORCE_FORM, errors, pledged_company, post_file, soup

WEEKS = 365 / 7  # 52.14 weeks: calendar year 2025


def test_totals_and_part_time_staff():
    data = b"employee_ref,hours,fte\nE1,60,1\nE2,30,0.5\nE3,20,\nE4,52.15,\n"
    result = parse_learning_record(data, WEEKS)
    assert result.is_clean
    assert (result.employees, result.total_hours, result.meeting_hour) == (4, 162.15, 3)


def test_bom_semicolons_and_decimal_commas():
    data = "\ufeffemployee_ref;hours;fte\r\nE1;60,5;1\r\nE2;10;0,5\r\n".encode()
    result = parse_learning_record(data, WEEKS)
    assert (result.employees, result.total_hours, result.meeting_hour) == (2, 70.5, 1)


def test_bad_rows_are_reported_by_line():
    data = (b"employee_ref,hours,fte\nE1,10,1\n,5,1\nE3,ten,1\nE4,-1,1\nE5,3,1.5\nE1,4,1\n"
            b"\nE7,2,0\n")
    result = parse_learning_record(data, WEEKS)
    assert not result.is_clean
    assert result.errors == [
        (3, "the employee reference is missing"),
        (4, "hours must be a number, 0 or more, like 52.5"),
        (5, "hours must be a number, 0 or more, like 52.5"),
        (6, "fte must be a number more than 0 and at most 1, like 0.5"),
        (7, "employee reference E1 appears again (first on line 2)"),
        (9, "fte must be a number more than 0 and at most 1, like 0.5"),
    ]


@pytest.mark.parametrize("data, message", [
    (b"\xff\xfe\x00e\x00m", "The selected file must be a CSV file saved as UTF-8 text"),
    (b"%PDF-1.7\n\xe2\xe3\xcf\xd3 binary", "The selected file must be a CSV file saved as "
                                           "UTF-8 text"),
    (b"name,total\nA,1\n", "The selected file must have a header row with the columns "
                           "employee_ref and hours (and fte for part-time staff): download the "
                           "template to see the layout"),
    (b"", "The selected file is empty"),
])
def test_files_that_are_not_learning_records_are_refused(data, message):
    with pytest.raises(LearningRecordRefused) as refused:
        parse_learning_record(data, WEEKS)
    assert str(refused.value) == message


def _big_file(rows: int) -> bytes:
    lines = ["employee_ref,hours,fte"]
    lines += [f"E{n:06d},{40 + n % 30}.5,{'0.5' if n % 4 == 0 else '1'}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_100k_rows_parse_quickly():
    data = _big_file(100_000)
    started = time.perf_counter()
    result = parse_learning_record(data, WEEKS)
    elapsed = time.perf_counter() - started
    assert result.is_clean and result.employees == 100_000
    assert elapsed < 2.0, f"took {elapsed:.2f}s"


@pytest.fixture
def ready(client, db, login_as, frozen_clock):
    _organisation, admin, _cycle = pledged_company(db, frozen_clock)
    login_as(client, admin)
    client.submit("/company/attestation/workforce", {**WORKFORCE_FORM, "headcount": "100,000"})
    return client


def _upload(client, data: bytes, name="record.csv"):
    token = client.csrf_token("/company/attestation/learning-record")
    page = soup(client.get("/company/attestation/learning-record"))
    version = page.select_one("input[name=row_version]")["value"]
    return post_file(client, "/company/attestation/learning-record", {
        "csrf_token": token, "row_version": version}, "learning_record", data, name)


def test_import_fills_section_b_and_keeps_the_file(ready, db):
    response = _upload(ready, b"employee_ref,hours\nE1,60\nE2,10\n")
    assert response.status_code == 302
    attestation = db.execute(sa.select(Attestation)).scalar_one()
    assert attestation.answers["learning"]["total_hours"] == 70
    assert attestation.answers["learning"]["employees_meeting_hour"] == 1
    assert attestation.answers["learning"]["record_employees"] == 2
    stored = db.execute(sa.select(EvidenceFile)).scalar_one()
    assert stored.purpose == "learning_record" and stored.media_type == "text/csv"
    page = soup(ready.get("/company/attestation/learning"))
    assert page.select_one("#total_hours")["value"] == "70"


def test_import_with_bad_rows_saves_nothing(ready, db):
    response = _upload(ready, b"employee_ref,hours\nE1,60\nE1,10\n")
    assert response.status_code == 200
    assert errors(response) == ["The file has 1 row to fix: nothing was imported"]
    rows = [tr.get_text(" ", strip=True) for tr in soup(response).select("tbody tr")]
    assert rows == ["3 Employee reference E1 appears again (first on line 2)"]
    assert db.execute(sa.select(EvidenceFile)).first() is None


def test_import_refuses_a_binary_file(ready):
    response = _upload(ready, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", name="record.csv")
    assert errors(response) == ["The selected file must be a CSV file saved as UTF-8 text"]


def test_import_of_100k_rows_through_the_page(ready, db):
    response = _upload(ready, _big_file(100_000))
    assert response.status_code == 302
    attestation = db.execute(sa.select(Attestation)).scalar_one()
    assert attestation.answers["learning"]["record_employees"] == 100_000


def test_template_download(ready):
    response = ready.get("/company/attestation/learning-record/template.csv")
    assert response.data.startswith(b"employee_ref,hours,fte\n")
    assert "attachment" in response.headers["Content-Disposition"]


def test_typing_other_figures_unlinks_the_import(ready, db):
    from tests.attestations.helpers import LEARNING_FORM

    _upload(ready, b"employee_ref,hours\nE1,60\nE2,10\n")
    page = soup(ready.get("/company/attestation/learning"))
    assert "come from your learning record (2 employees)" in page.get_text()
    version = page.select_one("input[name=row_version]")["value"]
    same = {**LEARNING_FORM, "total_hours": "70", "employees_meeting_hour": "1",
            "row_version": version}
    assert ready.submit("/company/attestation/learning", same).status_code == 302
    db.expire_all()
    learning = db.execute(sa.select(Attestation)).scalar_one().answers["learning"]
    assert learning["record_employees"] == 2
    changed = {**same, "total_hours": "80", "row_version": str(int(version) + 1)}
    assert ready.submit("/company/attestation/learning", changed).status_code == 302
    db.expire_all()
    learning = db.execute(sa.select(Attestation)).scalar_one().answers["learning"]
    assert "record_employees" not in learning and "record_file_id" in learning


@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode),
                      st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8),
                                         st.text(max_size=5)), max_size=20).map(
                          lambda rows: ("employee_ref;hours;fte\n" + "\n".join(
                              ";".join(r) for r in rows)).encode())))
def test_any_bytes_are_parsed_or_refused_never_crash(data):
    from portal.attestations.uploads import sniff_media_type

    sniff_media_type(data)
    try:
        result = parse_learning_record(data, WEEKS)
    except LearningRecordRefused:
        return
    assert result.error_count >= len(result.errors)
    assert result.employees == 0 or result.error_count == 0


def test_import_refuses_a_file_named_as_another_type(ready, db):
    response = _upload(ready, b"employee_ref,hours\nE1,60\n", name="record.pdf")
    assert errors(response) == ["record.pdf is not a CSV file: save the learning record as CSV "
                                "(.csv) and upload it again"]
    assert db.execute(sa.select(EvidenceFile)).first() is None
