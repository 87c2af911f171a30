"""Engine and one session per request (or CLI command); Base with a naming convention."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context
from flask.globals import request_ctx
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC on both databases (SQLite hands back naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Enums stored as their values in a VARCHAR, the same on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pool_pre_ping: recover by itself after a database restart.
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def make_side_engine(url: str, main: sa.Engine) -> sa.Engine:
    """For single reads outside any request's transaction (the public data version, read on
    every public page): autocommit and no ping, so a read is one round trip, not four
    (ping, BEGIN, SELECT, ROLLBACK). SQLite has no round trips: it shares the main engine."""
    if url.startswith("sqlite"):
        return main
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8)


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # SQLite knows no time zones: portal.impact.sqlfuncs.local_date calls this one.
    dbapi_connection.create_function("portal_local_date", 2, _sqlite_local_date,
                                     deterministic=True)


def _sqlite_local_date(stored: str | None, timezone_name: str) -> str | None:
    """The local date ('YYYY-MM-DD') in `timezone_name` of a UTC timestamp as SQLite stores
    it (naive text, see UTCDateTime)."""
    if stored is None:
        return None
    moment = datetime.fromisoformat(str(stored))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(timezone_name)).date().isoformat()


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_side_engine"] = make_side_engine(app.config["DATABASE_URL"], engine)
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_request(_close_request_session)
    app.teardown_appcontext(_close_session)


def _holder():
    """Each request gets its own session, even when an app context outlives it (tests, CLI)."""
    return request_ctx._get_current_object() if has_request_context() else g


def get_session() -> Session:
    holder = _holder()
    db_session = getattr(holder, "portal_db_session", None)
    if db_session is None:
        db_session = current_app.extensions["db_sessionmaker"]()
        holder.portal_db_session = db_session
    return db_session


def _discard(holder) -> None:
    """Teardown only rolls back what was not committed and closes."""
    db_session = getattr(holder, "portal_db_session", None)
    if db_session is not None:
        holder.portal_db_session = None
        db_session.rollback()
        db_session.close()


def _close_request_session(_exc=None) -> None:
    _discard(request_ctx._get_current_object())


def _close_session(_exc=None) -> None:
    _discard(g)


def engine() -> sa.Engine:
    return current_app.extensions["db_engine"]


def is_postgres() -> bool:
    return engine().dialect.name == "postgresql"


def utcnow() -> datetime:
    from portal import clock

    return clock.now()


session: Session = LocalProxy(get_session)  # type: ignore[assignment]
