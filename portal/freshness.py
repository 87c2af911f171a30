"""The public data version: one counter that moves whenever anything the public can see changes.

Public pages (the directory, profiles, verification, badges, the API, /impact) are derived from
a handful of tables. Database triggers (migration 0008) add one to `data_version.counter` in the
same transaction as any insert, update, delete or truncate of those tables, so every writer is
covered: views, CLI jobs, bulk demo loads and hand-written SQL alike. A remembered page keyed on
(counter, today's date) therefore can never be stale: see portal.pagecache.

Two kinds of write are quiet on purpose, because nothing public reads them:
- a member saving a section of an attestation that is still open for editing (draft or changes
  requested): the year-end rush would otherwise empty every cache at every keystroke;
- the verification page counting a visit.

On PostgreSQL the triggers are deferred to commit, so the counter row is locked last in every
transaction (no deadlock with the audit chain head) and only the first write of a transaction
moves it (`changed_in` holds the transaction id).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base

# Tables the public pages read. Every other table must be listed in PRIVATE_TABLES: the test
# tests/test_freshness.py fails when a new table is in neither, so nobody forgets to decide.
TRACKED_TABLES = ("organisations", "code_versions", "pledges", "reporting_cycles",
                  "attestations", "attestation_versions", "certificates")
PRIVATE_TABLES = ("users", "invitations", "audit_events", "audit_chain_head", "outbox_mail",
                  "evidence_files", "evidence_blobs", "reviews", "risk_flags", "staff_notes",
                  "sampling_audits", "sampled_attestations", "reminder_opt_outs", "daily_runs",
                  "data_version", "alembic_version")
# {table: columns whose change alone does not move the counter}
QUIET_COLUMNS = {
    "attestations": ("answers", "section_status", "copied_sections", "section_versions",
                     "draft_inputs", "row_version", "headcount", "avg_hours_per_week",
                     "coverage_pct", "updated_at"),
    "certificates": ("verification_count",),
}
# Attestation edits are quiet only while the form is open to the member.
QUIET_ATTESTATION_STATUSES = ("draft", "changes_requested")


class DataVersion(Base):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    counter: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    changed_in: Mapped[int | None] = mapped_column(sa.BigInteger)  # PostgreSQL transaction id


_READ = sa.select(DataVersion.counter).where(DataVersion.id == 1)


def current(db: Session) -> int:
    """The counter as this session sees it (one primary-key read)."""
    return db.execute(_READ).scalar_one()


def committed() -> int:
    """The counter as committed now, read outside the request's transaction (one round trip;
    see portal.db.make_side_engine). A connection lost to a database restart is retried once."""
    engine = current_app.extensions["db_side_engine"]
    try:
        with engine.connect() as connection:
            return connection.execute(_READ).scalar_one()
    except sa.exc.DBAPIError as error:
        if not error.connection_invalidated:
            raise
    with engine.connect() as connection:
        return connection.execute(_READ).scalar_one()


_memos: list[Callable[[], None]] = []


def keyed_on_version(clear: Callable[[], None]) -> Callable[[], None]:
    """Register the `clear` of something remembered under the data version. Production's
    version only grows; the tests put it back to its starting value between tests, so they
    empty every such memo too (forget_everything)."""
    _memos.append(clear)
    return clear


def forget_everything() -> None:
    for clear in _memos:
        clear()
