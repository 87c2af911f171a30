"""Directory indexes and open data (issue 7).

Revision ID: 0006_directory
Revises: 0005_certificates
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "0006_directory"
down_revision = "0005_certificates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Asked for by the query plan of a filtered /members page (portal/directory/models.py).
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.create_index("ix_pledges_directory",
                              ["organisation_id", "withdrawn_at", "signed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.drop_index("ix_pledges_directory")
