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
    op.create_table('reporting_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('grace_until', sa.Date(), nullable=False),
    sa.Column('min_avg_hours_per_week', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('min_coverage_pct', sa.Integer(), nullable=False),
    sa.Column('new_signer_window_days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_cycles')),
    sa.UniqueConstraint('year', name=op.f('uq_reporting_cycles_year'))
    )
    op.create_table('attestations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'in_review', 'changes_requested', 'approved', 'rejected', name='attestationstatus', native_enum=False, length=32), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('section_status', sa.JSON(), nullable=False),
    sa.Column('copied_sections', sa.JSON(), nullable=False),
    sa.Column('section_versions', sa.JSON(), nullable=False),
    sa.Column('draft_inputs', sa.JSON(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=True),
    sa.Column('avg_hours_per_week', sa.Numeric(precision=8, scale=3), nullable=True),
    sa.Column('coverage_pct', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('assigned_reviewer_id', sa.Integer(), nullable=True),
    sa.Column('declaration_name', sa.String(length=120), nullable=True),
    sa.Column('declaration_role', sa.String(length=120), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_messages', sa.JSON(), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('changes_due_on', sa.Date(), nullable=True),
    sa.Column('extended_until', sa.Date(), nullable=True),
    sa.Column('extension_reason', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_reviewer_id'], ['users.id'], name=op.f('fk_attestations_assigned_reviewer_id_users')),
    sa.ForeignKeyConstraint(['cycle_id'], ['reporting_cycles.id'], name=op.f('fk_attestations_cycle_id_reporting_cycles')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_attestations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_attestations_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attestations')),
    sa.UniqueConstraint('organisation_id', 'cycle_id', name=op.f('uq_attestations_organisation_id'))
    )
    with op.batch_alter_table('attestations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attestations_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attestations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attestations_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_attestations_submitted_at'), ['submitted_at'], unique=False)
    op.create_table('attestation_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attestation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=True),
    sa.Column('avg_hours_per_week', sa.Numeric(precision=8, scale=3), nullable=True),
    sa.Column('coverage_pct', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['attestation_id'], ['attestations.id'], name=op.f('fk_attestation_versions_attestation_id_attestations')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_attestation_versions_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attestation_versions')),
    sa.UniqueConstraint('attestation_id', 'number', name=op.f('uq_attestation_versions_attestation_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_attestation_versions_reference'))
    )
    with op.batch_alter_table('attestation_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attestation_versions_attestation_id'), ['attestation_id'], unique=False)
    op.create_table('evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attestation_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attestation_id'], ['attestations.id'], name=op.f('fk_evidence_files_attestation_id_attestations')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_files'))
    )
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_files_attestation_id'), ['attestation_id'], unique=False)
    op.create_table('evidence_blobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evidence_file_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_file_id'], ['evidence_files.id'], name=op.f('fk_evidence_blobs_evidence_file_id_evidence_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_blobs')),
    sa.UniqueConstraint('evidence_file_id', name=op.f('uq_evidence_blobs_evidence_file_id'))
    )


def downgrade() -> None:
    op.drop_table('evidence_blobs')
    op.drop_table('evidence_files')
    op.drop_table('attestation_versions')
    op.drop_table('attestations')
    op.drop_table('reporting_cycles')
