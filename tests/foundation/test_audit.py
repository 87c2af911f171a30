"""The audit log is a sha256 chain: tampering is caught, concurrent writers never fork it."""

import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from portal.audit.models import AuditEvent
from portal.audit.service import record, verify_chain
from portal.cli import audit_verify


def write_events(db, count, action="test_event"):
    for n in range(count):
        record(db, action, object_type="test", object_id=n, detail={"n": n},
               personal={"email": f"person{n}@example.com"})
    db.commit()


def test_chain_verifies_and_links(db):
    write_events(db, 5)
    events = db.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert verify_chain(db).is_intact


def test_tampering_is_caught_and_named(db):
    write_events(db, 5)
    db.execute(sa.update(AuditEvent).where(AuditEvent.seq == 3).values(detail={"n": 99}))
    db.commit()
    report = verify_chain(db)
    assert report.broken_seq == 3 and "does not match its hash" in report.reason


def test_deleting_the_newest_events_is_caught(db):
    write_events(db, 5)
    db.execute(sa.delete(AuditEvent).where(AuditEvent.seq >= 4))
    db.commit()
    assert not verify_chain(db).is_intact


def test_erasing_personal_data_keeps_the_chain_verifiable(db):
    write_events(db, 3)
    db.execute(sa.update(AuditEvent).values(personal=None))
    db.commit()
    assert verify_chain(db).is_intact


def test_cli_names_the_first_broken_row(app, db):
    write_events(db, 4)
    runner = CliRunner()
    with app.app_context():
        result = runner.invoke(audit_verify)
    assert result.exit_code == 0 and "intact: 4 events" in result.output
    db.execute(sa.update(AuditEvent).where(AuditEvent.seq == 2).values(action="forged"))
    db.commit()
    with app.app_context():
        result = runner.invoke(audit_verify)
    assert result.exit_code == 1 and "seq 2" in result.output


@pytest.mark.postgres_only
def test_parallel_writers_never_fork_the_chain(app, db):
    """Eight threads, each with its own connection, append at once: one unbroken chain."""
    errors = []

    def writer(worker):
        try:
            with app.app_context():
                session = app.extensions["db_sessionmaker"]()
                for n in range(10):
                    record(session, "parallel", object_type="test", object_id=f"{worker}-{n}")
                    session.commit()
                session.close()
        except Exception as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert db.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one() == 80
    assert verify_chain(db).is_intact
