"""Reporting calendar: reminder preferences and daily-run bookkeeping (issue 8).

Revision ID: 0007_calendar
Revises: 0006_directory
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_calendar"
down_revision = "0006_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daily_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("seen", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_runs")),
        sa.UniqueConstraint("run_on", name=op.f("uq_daily_runs_run_on")),
    )
    op.create_table(
        "reminder_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_reminder_opt_outs_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_opt_outs")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_reminder_opt_outs_user_id")),
    )
    with op.batch_alter_table("reminder_opt_outs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_opt_outs_user_id"), ["user_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder_opt_outs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_opt_outs_user_id"))
    op.drop_table("reminder_opt_outs")
    op.drop_table("daily_runs")
