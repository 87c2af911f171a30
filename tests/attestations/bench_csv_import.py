"""Measure the learning-record import on 100,000 rows (a script, not a test).

    .venv/bin/python -m tests.attestations.bench_csv_import

Times the parser alone and the whole page (upload, parse, store the file, save the totals)
on SQLite, five runs each, and prints the best and worst.
"""

from __future__ import annotations

import tempfile
import time

ROWS = 100_000


def make_file(rows: int = ROWS) -> bytes:
    lines = ["employee_ref,hours,fte"]
    lines += [f"E{n:06d},{40 + n % 30}.5,{'0.5' if n % 4 == 0 else '1'}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def bench_parser(data: bytes) -> list[float]:
    from portal.attestations.learning_records import parse_learning_record

    times = []
    for _ in range(5):
        started = time.perf_counter()
        result = parse_learning_record(data, 365 / 7)
        times.append(time.perf_counter() - started)
    assert result.employees == ROWS
    return times


def bench_page(data: bytes) -> list[float]:
    from datetime import date

    from portal import clock, create_app
    from portal.cli import upgrade_database
    from portal.db import get_session
    from tests.attestations.helpers import WORKFORCE_FORM, post_file
    from tests.conftest import PortalClient
    from tests.factories import create_company_with_admin, create_cycle, create_pledge

    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    upgrade_database(url)
    app = create_app({"PORTAL_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "RATELIMIT_STORAGE_URI": "memory://", "MAIL_URL": "file",
                      "MAIL_DIR": tempfile.mkdtemp()})
    clock.freeze(date(2026, 5, 1))
    with app.app_context():
        db = get_session()
        organisation, admin = create_company_with_admin(db)
        create_pledge(db, organisation, admin)
        create_cycle(db, 2026)
    client = PortalClient(app.test_client())
    with client.raw.session_transaction() as session:
        session["_user_id"] = admin.get_id()
    client.submit("/company/attestation/workforce", {**WORKFORCE_FORM, "headcount": "100,000"})
    times = []
    for run in range(5):
        token = client.csrf_token("/company/attestation/learning-record")
        started = time.perf_counter()
        response = post_file(client, "/company/attestation/learning-record",
                             {"csrf_token": token, "row_version": str(run)},
                             "learning_record", data, "record.csv")
        times.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    return times


def main() -> None:
    data = make_file()
    parser, page = bench_parser(data), bench_page(data)
    print(f"{ROWS:,} rows, {len(data) / 1e6:.1f} MB")
    print(f"  parser alone:   best {min(parser) * 1000:.0f} ms, worst {max(parser) * 1000:.0f} ms")
    print(f"  whole request:  best {min(page) * 1000:.0f} ms, worst {max(page) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
