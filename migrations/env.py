"""Alembic environment: the URL comes from the app's configuration, never from alembic.ini."""

from alembic import context
from sqlalchemy import create_engine, pool

from portal.config import load_config
from portal.db import UTCDateTime
from portal.models import metadata

config = context.config


def database_url() -> str:
    return config.attributes.get("database_url") or load_config()["DATABASE_URL"]


def render_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain timezone-aware DateTime in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
