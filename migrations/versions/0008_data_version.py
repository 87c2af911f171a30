"""The public data version: a counter that triggers move on every public change (issue 10).

Revision ID: 0008_data_version
Revises: 0007_calendar

The lists below are frozen copies of portal.freshness as of this revision: a later migration
that adds a table or column the public reads must add or recreate its triggers (the test
tests/test_freshness.py compares the live triggers with portal.freshness).
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_data_version"
down_revision = "0007_calendar"
branch_labels = None
depends_on = None

TRACKED = ("organisations", "code_versions", "pledges", "reporting_cycles", "attestations",
           "attestation_versions", "certificates")
QUIET = {
    "attestations": ("answers", "section_status", "copied_sections", "section_versions",
                     "draft_inputs", "row_version", "headcount", "avg_hours_per_week",
                     "coverage_pct", "updated_at"),
    "certificates": ("verification_count",),
}
QUIET_STATUSES = {"attestations": ("draft", "changes_requested")}

PG_FUNCTION = """
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only the first write of a transaction moves the counter (at commit: deferred).
    UPDATE data_version SET counter = counter + 1, changed_in = txid_current()
     WHERE id = 1 AND changed_in IS DISTINCT FROM txid_current();
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter", sa.BigInteger(), nullable=False),
        sa.Column("changed_in", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.execute("INSERT INTO data_version (id, counter) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in TRACKED:
            for statement in postgresql_triggers(table):
                op.execute(statement)
    else:
        for table in TRACKED:
            for statement in sqlite_triggers(table, _columns(table)):
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TRACKED:
            for name in ("data_version_row", "data_version_update", "data_version_truncate"):
                op.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
        op.execute("DROP FUNCTION data_version_bump()")
    else:
        for table in TRACKED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event}")
    op.drop_table("data_version")


def _columns(table: str) -> list[str]:
    return [column["name"] for column in sa.inspect(op.get_bind()).get_columns(table)]


def postgresql_triggers(table: str) -> list[str]:
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    run = "EXECUTE FUNCTION data_version_bump()"
    statements = [f'CREATE TRIGGER data_version_truncate AFTER TRUNCATE ON "{table}" '
                  f"FOR EACH STATEMENT {run}"]
    quiet = QUIET.get(table)
    if not quiet:
        return [*statements, f'CREATE CONSTRAINT TRIGGER data_version_row AFTER INSERT OR '
                             f'UPDATE OR DELETE ON "{table}" {deferred} {run}']
    columns = "ARRAY[" + ", ".join(f"'{name}'" for name in quiet) + "]"
    loud = f"(to_jsonb(OLD) - {columns}) IS DISTINCT FROM (to_jsonb(NEW) - {columns})"
    if table in QUIET_STATUSES:
        statuses = ", ".join(f"'{status}'" for status in QUIET_STATUSES[table])
        loud = f"{loud} OR NEW.status NOT IN ({statuses})"
    return [*statements,
            f'CREATE CONSTRAINT TRIGGER data_version_row AFTER INSERT OR DELETE ON "{table}" '
            f"{deferred} {run}",
            f'CREATE CONSTRAINT TRIGGER data_version_update AFTER UPDATE ON "{table}" '
            f"{deferred} WHEN ({loud}) {run}"]


def sqlite_triggers(table: str, columns: list[str]) -> list[str]:
    bump = "BEGIN UPDATE data_version SET counter = counter + 1 WHERE id = 1; END"
    statements = [f'CREATE TRIGGER data_version_{table}_{event} AFTER {event.upper()} ON '
                  f'"{table}" {bump}' for event in ("insert", "delete")]
    quiet = QUIET.get(table, ())
    loud_columns = [name for name in columns if name not in quiet]
    when = ""
    if quiet:
        unchanged = " AND ".join(f'OLD."{name}" IS NEW."{name}"' for name in loud_columns)
        if table in QUIET_STATUSES:
            statuses = ", ".join(f"'{status}'" for status in QUIET_STATUSES[table])
            unchanged += f" AND NEW.status IN ({statuses})"
        when = f"WHEN NOT ({unchanged}) "
    return [*statements,
            f'CREATE TRIGGER data_version_{table}_update AFTER UPDATE ON "{table}" {when}{bump}']
