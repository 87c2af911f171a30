"""Certificates and verification (issue 6).

Revision ID: 0005_certificates
Revises: 0004_review
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_certificates"
down_revision = "0004_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
