"""Reporting cycles, attestations, evidence (issue 4).

Revision ID: 0003_attestations
Revises: 0002_pledges
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_attestations"
down_revision = "0002_pledges"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
