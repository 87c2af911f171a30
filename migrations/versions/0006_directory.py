"""Directory indexes and open data (issue 7).

Revision ID: 0006_directory
Revises: 0005_certificates
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006_directory"
down_revision = "0005_certificates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
