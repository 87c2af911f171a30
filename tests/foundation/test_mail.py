"""The outbox: queued once, delivered at least once, over real SMTP, with backoff."""

import socket
from datetime import timedelta
from email import message_from_bytes

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal import clock
from portal.mail.models import OutboxMail
from portal.mail.service import RETRY_FOR, backoff, queue_mail, send_pending


class FlakyHandler:
    """Refuses the first `failures` messages with a 451, then accepts and keeps them."""

    def __init__(self, failures=0):
        self.failures, self.received = failures, []

    async def handle_DATA(self, server, session, envelope):
        if self.failures > 0:
            self.failures -= 1
            return "451 Try again later"
        self.received.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    def start(failures=0):
        handler = FlakyHandler(failures)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
        return handler

    servers = []
    original = app.config["MAIL_URL"]
    yield start
    app.config["MAIL_URL"] = original
    for controller in servers:
        controller.stop()


def queue(app, db, key="test:1", to="someone@example.com"):
    with app.test_request_context():
        mail = queue_mail(db, "verify_email", to, "Confirm your email address",
                          {"user": {"name": "Sam <b>"}, "verify_url": "http://localhost/v/x"},
                          dedupe_key=key)
        db.commit()
    return mail


def send(app, db):
    with app.app_context():
        return send_pending(db)


def test_mail_is_delivered_over_smtp_with_a_stable_message_id(app, db, smtp_server):
    handler = smtp_server()
    mail = queue(app, db)
    assert send(app, db) == (1, 0)
    [message] = handler.received
    assert message["Message-ID"] == mail.message_id
    assert message["To"] == "someone@example.com"
    parts = {part.get_content_type(): part.get_payload(decode=True).decode()
             for part in message.walk() if not part.is_multipart()}
    assert "http://localhost/v/x" in parts["text/plain"]
    assert "Sam &lt;b&gt;" in parts["text/html"]  # escaped in HTML mail
    assert send(app, db) == (0, 0)  # never twice


def test_the_same_dedupe_key_is_queued_once(app, db):
    assert queue(app, db, key="reminder:2026:1:1") is not None
    assert queue(app, db, key="reminder:2026:1:1") is None
    assert db.execute(sa.select(sa.func.count()).select_from(OutboxMail)).scalar_one() == 1


def test_failures_back_off_and_then_succeed(app, db, smtp_server, frozen_clock):
    frozen_clock(clock.now())
    handler = smtp_server(failures=3)
    mail = queue(app, db)
    for attempt in range(1, 4):
        assert send(app, db) == (0, 1)
        db.refresh(mail)
        assert mail.attempts == attempt and mail.last_error
        assert send(app, db) == (0, 0)  # not due yet
        clock.advance(backoff(attempt))
    assert send(app, db) == (1, 0)
    assert len(handler.received) == 1
    db.refresh(mail)
    assert mail.sent_at is not None and mail.last_error is None


def test_backoff_is_exponential_and_capped_at_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(20) == timedelta(hours=1)


def test_a_day_of_smtp_failures_then_recovery(app, db, smtp_server, frozen_clock):
    frozen_clock(clock.now())
    smtp_server(failures=10_000)
    mail = queue(app, db)
    for _ in range(24 * 4):  # a worker every 15 minutes for a day
        send(app, db)
        clock.advance(timedelta(minutes=15))
    db.refresh(mail)
    assert mail.sent_at is None and mail.failed_at is None  # still trying
    handler = smtp_server()
    clock.advance(timedelta(hours=1))
    assert send(app, db) == (1, 0)
    assert len(handler.received) == 1


def test_after_48_hours_of_failures_staff_see_it_as_failed(app, db, smtp_server, frozen_clock):
    frozen_clock(clock.now())
    smtp_server(failures=10_000)
    mail = queue(app, db)
    while clock.now() - mail.created_at < RETRY_FOR + timedelta(hours=1):
        send(app, db)
        clock.advance(timedelta(hours=1))
        db.refresh(mail)
    assert mail.failed_at is not None and mail.sent_at is None
    assert mail.attempts >= 48


def test_development_mail_goes_to_eml_files(app, db, tmp_path):
    app.config["MAIL_URL"], app.config["MAIL_DIR"] = "file", str(tmp_path)
    queue(app, db)
    assert send(app, db) == (1, 0)
    [eml] = list(tmp_path.glob("*.eml"))
    assert b"Confirm your email address" in eml.read_bytes()
