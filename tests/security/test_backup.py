"""`flask --app portal portal backup` and `restore`: nothing lost, the audit chain intact."""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit.service import record
from portal.backup import BackupError, backup_database, restore_database, summary
from tests.conftest import postgres_database
from tests.factories import (
    create_attestation,
    create_company_with_admin,
    create_cycle,
    create_pledge,
)


def _some_data(db):
    organisation, admin = create_company_with_admin(db, "Backup Ltd")
    create_pledge(db, organisation, admin)
    create_attestation(db, organisation, create_cycle(db, 2026), status="submitted")
    record(db, "test_event", actor=admin, obj=organisation, personal={"name": admin.name})
    db.commit()


def _restore_target(backend, tmp_path):
    if backend == "sqlite":
        from contextlib import nullcontext

        return nullcontext(f"sqlite:///{tmp_path / 'restored.db'}")
    return postgres_database()


def test_backup_and_restore_keep_every_row_and_the_audit_chain(app, db, backend, tmp_path):
    _some_data(db)
    url = app.config["DATABASE_URL"]
    result = app.test_cli_runner().invoke(
        args=["portal", "backup", "--output-dir", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output and "Audit chain head" in result.output
    backup_file = next((tmp_path / "backups").iterdir())
    before = summary(url)
    assert before["counts"]["organisations"] == 1 and before["audit_events"] >= 1

    with _restore_target(backend, tmp_path) as target_url:
        result = app.test_cli_runner().invoke(
            args=["portal", "restore", str(backup_file), "--into", target_url])
        assert result.exit_code == 0, result.output
        assert "audit chain intact" in result.output
        after = summary(target_url)
        assert after == before
        engine = sa.create_engine(target_url.replace("postgresql://",
                                                     "postgresql+psycopg://"))
        with engine.connect() as conn:
            names = conn.execute(sa.text("SELECT name FROM organisations")).scalars().all()
        engine.dispose()
        assert names == ["Backup Ltd"]


def test_restore_refuses_a_database_that_is_not_empty(app, db, tmp_path):
    _some_data(db)
    url = app.config["DATABASE_URL"]
    backup_file = backup_database(url, tmp_path)
    try:
        restore_database(backup_file, url)
    except BackupError as error:
        assert "not empty" in str(error)
    else:
        raise AssertionError("restored over a live database")
    assert summary(url)["counts"]["organisations"] == 1
