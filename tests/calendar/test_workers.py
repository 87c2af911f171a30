"""Several outbox workers at once: each mail arrives exactly once (PostgreSQL row locks;
on SQLite one worker per database, by a lock file)."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from datetime import timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from portal import clock
from portal.mail.models import OutboxMail
from portal.mail.service import queue_mail, send_pending


class CountingHandler:
    """Refuses the first `failures` messages with a 451, then counts each Message-ID."""

    def __init__(self, failures: int):
        self.failures, self.received = failures, Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                return "451 Try again later"
            self.received[message_from_bytes(envelope.content)["Message-ID"]] += 1
        return "250 OK"


@pytest.fixture
def smtp(app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = CountingHandler(failures=5)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    original, app.config["MAIL_URL"] = app.config["MAIL_URL"], f"smtp://127.0.0.1:{port}"
    yield handler
    app.config["MAIL_URL"] = original
    controller.stop()


def worker(app, barrier, results, errors):
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        try:
            barrier.wait(timeout=30)
            results.append(send_pending(session, limit=1000))
        except Exception as error:  # reported to the test thread, which fails on it
            errors.append(error)
        finally:
            session.close()


@pytest.mark.postgres_only
def test_two_workers_send_every_mail_exactly_once(app, db, smtp, frozen_clock, outbox):
    frozen_clock(clock.now())
    with app.test_request_context():
        for n in range(40):
            queue_mail(db, "verify_email", f"person{n}@example.com", "Confirm your email address",
                       {"user": {"name": f"Person {n}"}, "verify_url": "http://localhost/v/x"},
                       dedupe_key=f"test:workers:{n}")
        db.commit()
    errors: list = []
    results: list[tuple[int, int]] = []
    for _round in range(3):   # the 5 refused mails are retried after their backoff
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=worker, args=(app, barrier, results, errors))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        clock.advance(timedelta(hours=1))
    assert errors == []
    # Each attempt was made by exactly one worker: 40 deliveries and the 5 refusals.
    assert sum(sent for sent, _ in results) == 40
    assert sum(failed for _, failed in results) == 5
    mails = outbox()
    assert len(smtp.received) == 40
    assert set(smtp.received.values()) == {1}
    assert {m.message_id for m in mails} == set(smtp.received)
    assert all(m.sent_at is not None for m in mails)
    assert sum(m.attempts for m in mails) == 40 + 5
    assert db.query(OutboxMail).filter(OutboxMail.last_error.is_not(None)).count() == 0


@pytest.mark.postgres_only
def test_two_daily_runs_at_once_queue_each_mail_once(app, db, cycle_2026, pledged_company,
                                                     frozen_clock, outbox):
    from datetime import date

    from portal.calendar.daily import run_daily
    from portal.calendar.models import DailyRun
    from tests.calendar.conftest import local_noon

    frozen_clock(local_noon(date(2026, 4, 1)))
    barrier, errors, results = threading.Barrier(2), [], []

    def scheduler():
        with app.app_context():
            session = app.extensions["db_sessionmaker"]()
            try:
                barrier.wait(timeout=30)
                results.append(run_daily(session, date(2026, 4, 1))["reminders"])
                session.commit()
            except Exception as error:  # reported to the test thread, which fails on it
                errors.append(error)
            finally:
                session.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and sorted(results) == [0, 1]
    assert [m.kind for m in outbox()] == ["reminder_open"]
    assert db.query(DailyRun).count() == 1


# SQLite has no row locks: one send-mail worker per database, kept by a lock file.

def queue_one(app, db, key="test:lock:1"):
    with app.test_request_context():
        queue_mail(db, "verify_email", "person@example.com", "Confirm your email address",
                   {"user": {"name": "Person"}, "verify_url": "http://localhost/v/x"},
                   dedupe_key=key)
        db.commit()


def delivered_files(app) -> list:
    from pathlib import Path

    folder = Path(app.config["MAIL_DIR"])
    return sorted(folder.glob("*.eml")) if folder.exists() else []


@pytest.fixture
def sqlite_only(app):
    if app.extensions["db_engine"].dialect.name != "sqlite":
        pytest.skip("SQLite only")


@pytest.fixture
def clean_mail_dir(app):
    for path in delivered_files(app):
        path.unlink()
    yield
    for path in delivered_files(app):
        path.unlink()


def test_a_second_send_mail_worker_on_sqlite_refuses_and_sends_nothing(
        app, db, sqlite_only, clean_mail_dir, outbox):
    import subprocess
    import sys

    from portal.mail.worker_lock import lock_path

    path = lock_path(app.extensions["db_engine"])
    assert path.name == "portal.db.send-mail.lock"
    queue_one(app, db)
    # A first worker in another process holds the lock for its whole run.
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('held', flush=True); sys.stdin.read()", str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = app.test_cli_runner().invoke(args=["portal", "send-mail"])
        assert result.exit_code == 1
        assert ("Another send-mail worker is already running for this database; "
                "this one stops.") in result.output
        assert "Sent" not in result.output
        db.expire_all()
        [mail] = outbox()
        assert mail.sent_at is None and mail.attempts == 0
        assert delivered_files(app) == []
    finally:
        holder.communicate("", timeout=10)   # the first worker ends: the kernel frees its lock

    result = app.test_cli_runner().invoke(args=["portal", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0." in result.output
    again = app.test_cli_runner().invoke(args=["portal", "send-mail"])
    assert "Sent 0, failed 0." in again.output
    db.expire_all()
    [mail] = outbox()
    assert mail.sent_at is not None and mail.attempts == 1
    assert len(delivered_files(app)) == 1


def test_a_second_looping_worker_on_sqlite_waits_then_takes_over(
        app, db, sqlite_only, clean_mail_dir, outbox, monkeypatch):
    import time

    from portal.mail.worker_lock import worker_lock

    queue_one(app, db)
    first = worker_lock(app.extensions["db_engine"])
    assert first.acquire()
    sleeps = []

    class Stop(Exception):
        pass

    def sleep(seconds):
        # While waiting nothing has been sent; the first worker then stops; after the
        # second worker's first round, the test stops it.
        db.expire_all()
        sleeps.append([m.sent_at is not None for m in outbox()])
        if len(sleeps) == 1:
            first.release()
        elif len(sleeps) > 2:
            raise Stop

    monkeypatch.setattr(time, "sleep", sleep)
    try:
        result = app.test_cli_runner().invoke(
            args=["portal", "send-mail", "--loop", "--interval", "0"])
    finally:
        first.release()
    assert isinstance(result.exception, Stop), result.output
    assert ("Another send-mail worker is already running for this database; this one waits "
            "and takes over when it stops.") in result.output
    assert "this one takes over" in result.output
    assert result.output.count("Sent 1, failed 0.") == 1
    assert sleeps[0] == [False]           # nothing sent while the other worker ran
    db.expire_all()
    [mail] = outbox()
    assert mail.attempts == 1 and len(delivered_files(app)) == 1
    # The loop's lock was let go when it stopped.
    after = worker_lock(app.extensions["db_engine"])
    assert after.acquire()
    after.release()


def test_send_mail_runs_with_no_lock_file_on_postgresql(app, db, clean_mail_dir, outbox):
    from portal.mail.worker_lock import lock_path

    engine = app.extensions["db_engine"]
    queue_one(app, db)
    result = app.test_cli_runner().invoke(args=["portal", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0." in result.output
    if engine.dialect.name == "postgresql":
        # Several workers may run: rows are claimed with FOR UPDATE SKIP LOCKED.
        assert lock_path(engine) is None
    else:
        assert lock_path(engine).exists()


def test_in_memory_sqlite_needs_no_lock():
    import sqlalchemy as sa

    from portal.mail.worker_lock import lock_path

    assert lock_path(sa.create_engine("sqlite://")) is None
    assert lock_path(sa.create_engine("sqlite:///:memory:")) is None
    assert str(lock_path(sa.create_engine("sqlite:////srv/x/portal.db"))) == \
        "/srv/x/portal.db.send-mail.lock"
