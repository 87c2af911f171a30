"""People Pillar code versions and pledges (issue 3).

Revision ID: 0002_pledges
Revises: 0001_foundation
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

VERSION_1_COMMITMENTS = [
    {"heading": "Protected learning time",
     "body": "Every employee is offered at least one hour a week of structured learning in "
             "working time (pro rata for part-time staff)."},
    {"heading": "Record and review",
     "body": "Learning time is recorded and reviewed with each employee at least twice a year."},
    {"heading": "Published DE&I policy",
     "body": "A diversity, equity and inclusion policy is published and owned by a named senior "
             "sponsor."},
    {"heading": "Inclusive recruitment and progression",
     "body": "At least two inclusive hiring practices are used."},
    {"heading": "Measure",
     "body": "Workforce diversity data is collected (voluntary, anonymised) and DE&I training "
             "is offered to all staff."},
    {"heading": "Report annually",
     "body": "An attestation is submitted for every reporting cycle."},
]

revision = "0002_pledges"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('code_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary_of_changes', sa.Text(), nullable=False),
    sa.Column('commitments', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_code_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_code_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_versions')),
    sa.UniqueConstraint('number', name=op.f('uq_code_versions_number'))
    )
    op.create_table('pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code_version_id', sa.Integer(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signatory_name', sa.String(length=120), nullable=False),
    sa.Column('signatory_title', sa.String(length=120), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_text', sa.Text(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=400), nullable=True),
    sa.Column('active_organisation_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['code_version_id'], ['code_versions.id'], name=op.f('fk_pledges_code_version_id_code_versions')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_pledges_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_pledges_signed_by_id_users')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['pledges.id'], name=op.f('fk_pledges_superseded_by_id_pledges')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_pledges_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges')),
    sa.UniqueConstraint('active_organisation_id', name=op.f('uq_pledges_active_organisation_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_pledges_reference'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_organisation_id'), ['organisation_id'], unique=False)
    # Version 1 of the People Pillar, so a real install can be signed at once (DESIGN §1).
    code_versions = sa.table(
        "code_versions", sa.column("id", sa.Integer), sa.column("number", sa.Integer),
        sa.column("title", sa.String), sa.column("summary_of_changes", sa.Text),
        sa.column("commitments", sa.JSON), sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    published = datetime(2025, 1, 1, tzinfo=UTC)
    op.bulk_insert(code_versions, [{
        "id": 1, "number": 1, "title": "The People Pillar, version 1",
        "summary_of_changes": "The first version of the People Pillar.",
        "commitments": VERSION_1_COMMITMENTS, "created_at": published, "published_at": published,
    }])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('code_versions', 'id'), 1)")


def downgrade() -> None:
    op.drop_table('pledges')
    op.drop_table('code_versions')
