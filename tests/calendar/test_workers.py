"""Several outbox workers at once: each mail arrives exactly once (PostgreSQL row locks)."""

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
