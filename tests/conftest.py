"""Fixtures: the app on SQLite and PostgreSQL, a client, logins, a frozen clock, SQL counting.

Each backend's database is created and migrated once per test worker; after every test its
tables are emptied and the rows the migrations created are put back, so tests stay isolated.
"""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from portal import clock, create_app
from portal.cli import upgrade_database
from portal.db import get_session
from portal.extensions import limiter

os.environ.setdefault("PORTAL_ENV", "testing")
settings.register_profile(
    "ci", max_examples=30, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_pg_status: dict = {}


def postgres_available() -> bool:
    if "ok" not in _pg_status:
        try:
            with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
                _pg_status["ok"] = True
        except psycopg.OperationalError as error:
            _pg_status["ok"] = False
            _pg_status["error"] = str(error)
    return _pg_status["ok"]


def pytest_report_header(config):
    if postgres_available():
        return "databases: SQLite and PostgreSQL"
    return (f"databases: SQLite ONLY - PostgreSQL is unreachable at {PG_ADMIN_URL} "
            f"({_pg_status.get('error', '').strip()}); PostgreSQL tests are skipped")


def pytest_terminal_summary(terminalreporter):
    if not postgres_available():
        terminalreporter.write_line(
            "WARNING: PostgreSQL was unreachable: this run tested SQLite only.", red=True)


@contextmanager
def postgres_database():
    name = f"pp_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]+$", f"/{name}", PG_ADMIN_URL)
    try:
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "portal.db"
    yield f"sqlite:///{path}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request):
    if request.param == "postgresql" and not postgres_available():
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES) but unreachable: "
                        f"{_pg_status.get('error')}")
        pytest.skip("PostgreSQL is unreachable")
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    manager = postgres_database() if backend == "postgresql" else sqlite_database(
        tmp_path_factory)
    with manager as url:
        upgrade_database(url)
        yield url


@pytest.fixture(scope="session")
def _session_app(database_url, tmp_path_factory):
    mail_dir = tmp_path_factory.mktemp("mail")
    app = create_app({
        "PORTAL_ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
        "MAIL_URL": "file", "MAIL_DIR": str(mail_dir), "SERVER_NAME": None,
        "PORTAL_BASE_URL": "http://localhost", "RATELIMIT_STORAGE_URI": "memory://",
    })
    engine = app.extensions["db_engine"]
    app.extensions["test_snapshot"] = _snapshot(engine)
    yield app
    engine.dispose()
    app.extensions["db_side_engine"].dispose()


def _tables(engine):
    from portal.models import metadata

    return [t for t in metadata.sorted_tables]


def _snapshot(engine) -> list[tuple]:
    """Rows the migrations created (e.g. code version 1), restored after each test."""
    rows = []
    with engine.connect() as conn:
        for table in _tables(engine):
            found = conn.execute(sa.select(table)).mappings().all()
            if found:
                rows.append((table, [dict(r) for r in found]))
    return rows


def _reset(engine, snapshot) -> None:
    tables = _tables(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
            conn.execute(sa.text("DELETE FROM sqlite_sequence")) if _has_sequence(conn) else None
        for table, rows in snapshot:
            conn.execute(table.insert(), rows)
        if engine.dialect.name == "postgresql":
            for table, _rows in snapshot:
                if "id" in table.c:
                    conn.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table.name}\"), false)"))


def _has_sequence(conn) -> bool:
    return bool(conn.execute(sa.text(
        "SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first())


@pytest.fixture
def app(_session_app, request):
    if request.node.get_closest_marker("postgres_only") and \
            _session_app.extensions["db_engine"].dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    clock.freeze(None)
    yield _session_app
    clock.freeze(None)
    limiter.reset()
    _reset(_session_app.extensions["db_engine"], _session_app.extensions["test_snapshot"])
    _forget_remembered_pages()


def _forget_remembered_pages() -> None:
    """The reset puts the public data version back to its snapshot value, which a new test's
    different data will reach again: pages remembered under it must go (production's version
    only ever grows)."""
    from portal import freshness

    freshness.forget_everything()


@pytest.fixture
def db(app):
    """A session for arranging and checking; requests use their own."""
    with app.app_context():
        session = get_session()
        yield session
        session.rollback()


class PortalClient:
    """The Flask test client plus form posting that carries the page's real CSRF token."""

    def __init__(self, client):
        self.raw = client

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def csrf_token(self, url: str) -> str:
        page = self.raw.get(url)
        match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.data)
        assert match, f"no CSRF token on {url} (status {page.status_code})"
        return match.group(1).decode()

    def submit(self, url: str, data: dict | None = None, *, form_url: str | None = None,
               follow_redirects: bool = False, **kwargs):
        """GET the page with the form, then POST to url with its CSRF token."""
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token(form_url or url))
        return self.raw.post(url, data=payload, follow_redirects=follow_redirects, **kwargs)


@pytest.fixture
def client(app):
    return PortalClient(app.test_client())


@pytest.fixture
def login_as(app):
    """Sign a test client in as a user, without going through the rate-limited form."""

    def login(client, user):
        with client.raw.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return login


@pytest.fixture
def frozen_clock():
    def freeze(moment):
        clock.freeze(moment)

    yield freeze
    clock.freeze(None)


@pytest.fixture
def count_queries(app):
    """Use as `with count_queries() as counter:` then read counter.count. Counts the side
    engine's reads too (portal.db.make_side_engine), so both databases count the same."""

    @contextmanager
    def counting():
        engines = {app.extensions["db_engine"], app.extensions["db_side_engine"]}
        counter = type("Counter", (), {"count": 0, "statements": []})()

        def before(conn, cursor, statement, *args):
            counter.count += 1
            counter.statements.append(statement)

        for engine in engines:
            sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            for engine in engines:
                sa.event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def outbox(app):
    """The outbox rows, newest last."""
    from portal.mail.models import OutboxMail

    def read(**filters):
        query = sa.select(OutboxMail).order_by(OutboxMail.id)
        for name, value in filters.items():
            query = query.where(getattr(OutboxMail, name) == value)
        # Its own short session: closing (not rolling back) keeps the loaded rows readable.
        with app.extensions["db_sessionmaker"]() as session:
            return list(session.execute(query).scalars())

    return read
