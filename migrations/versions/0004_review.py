"""Reviews, risk flags, sampling (issue 5).

Revision ID: 0004_review
Revises: 0003_attestations
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_review"
down_revision = "0003_attestations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
