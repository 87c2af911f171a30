"""Migrations are the only way the schema changes: one head, upgrade from empty, no drift."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.cli import alembic_config
from portal.models import metadata


def test_single_head(app):
    script = ScriptDirectory.from_config(alembic_config(app.config["DATABASE_URL"]))
    assert len(script.get_heads()) == 1


def test_models_match_migrations(app):
    """A database built by `alembic upgrade head` (the fixture's) equals the models exactly."""
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_version_one_of_the_code_exists_after_migration(db):
    from portal.pledges.models import CodeVersion

    version = db.get(CodeVersion, 1)
    assert version.number == 1 and version.is_published
    assert len(version.commitments) == 6
