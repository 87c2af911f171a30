"""Backups: one file holds everything (evidence and certificate PDFs live in the database).

SQLite uses its online backup API (safe while the site is running); PostgreSQL uses pg_dump's
custom format (a consistent snapshot, restored with pg_restore). A restore only ever goes into
an empty database, so it can never overwrite live data by mistake.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from portal.config import INSTANCE_DIR


class BackupError(RuntimeError):
    pass


def _libpq_url(url: str) -> str:
    """pg_dump speaks libpq, which knows no SQLAlchemy driver suffix."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def backup_database(url: str, output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if url.startswith("sqlite:///"):
        target = output_dir / f"portal-{stamp}.sqlite3"
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # page by page, consistent even while others write
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("the copy failed SQLite's integrity check")
        finally:
            copy.close()
            source.close()
        return target
    if url.startswith("postgresql"):
        target = output_dir / f"portal-{stamp}.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", _libpq_url(url)])
        return target
    raise BackupError(f"cannot back up this kind of database: {url.split(':')[0]}")


def restore_database(backup_file: Path, url: str) -> None:
    """Load a backup into an EMPTY database (refuses one that already has tables)."""
    if _has_tables(url):
        raise BackupError("the target database is not empty: restore into a new database")
    if url.startswith("sqlite:///"):
        source = sqlite3.connect(backup_file)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
          f"--dbname={_libpq_url(url)}", str(backup_file)])


def _has_tables(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        return bool(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (apt-get install postgresql-client)")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


def summary(url: str) -> dict:
    """Row counts per table and the audit chain's head: compare before and after a restore."""
    from portal.audit.service import head_hash, verify_chain
    from portal.models import metadata

    engine = sa.create_engine(url)
    try:
        with Session(engine) as session:
            counts = {table.name: session.execute(
                sa.select(sa.func.count()).select_from(table)).scalar()
                for table in metadata.sorted_tables}
            report = verify_chain(session)
            return {"counts": counts, "audit_head": head_hash(session),
                    "audit_intact": report.is_intact, "audit_events": report.checked}
    finally:
        engine.dispose()


@click.command("backup")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path),
              default=INSTANCE_DIR / "backups", show_default=True)
def backup_command(output_dir: Path):
    """Back up the whole database (evidence and certificates included) to one file."""
    url = current_app.config["DATABASE_URL"]
    try:
        path = backup_database(url, output_dir)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    facts = summary(url)
    click.echo(f"Backed up to {path} ({path.stat().st_size:,} bytes).")
    click.echo(f"Audit chain head {facts['audit_head']} after {facts['audit_events']} events; "
               "keep this line to check a restore.")


@click.command("restore")
@click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--into", "target_url", required=True,
              help="URL of an EMPTY database to restore into.")
def restore_command(backup_file: Path, target_url: str):
    """Restore a backup into an empty database, then check its audit chain."""
    from portal.config import normalise_database_url

    target_url = normalise_database_url(target_url)
    try:
        restore_database(backup_file, target_url)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    facts = summary(target_url)
    state = "intact" if facts["audit_intact"] else "BROKEN"
    click.echo(f"Restored {sum(facts['counts'].values()):,} rows; audit chain {state}, "
               f"head {facts['audit_head']}.")
