"""Reporting calendar: reminder preferences and daily-run bookkeeping (issue 8).

Revision ID: 0007_calendar
Revises: 0006_directory
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0007_calendar"
down_revision = "0006_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
