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
    op.create_table('sampling_audits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('percentage', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('population_size', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['reporting_cycles.id'], name=op.f('fk_sampling_audits_cycle_id_reporting_cycles')),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_sampling_audits_drawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampling_audits'))
    )
    with op.batch_alter_table('sampling_audits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sampling_audits_cycle_id'), ['cycle_id'], unique=False)

    op.create_table('sampled_attestations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sampling_audit_id', sa.Integer(), nullable=False),
    sa.Column('attestation_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('pending', 'confirmed', 'revoked', name='sampleoutcome', native_enum=False, length=32), nullable=False),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome_by_id', sa.Integer(), nullable=True),
    sa.Column('evidence_received_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attestation_id'], ['attestations.id'], name=op.f('fk_sampled_attestations_attestation_id_attestations')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_sampled_attestations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['outcome_by_id'], ['users.id'], name=op.f('fk_sampled_attestations_outcome_by_id_users')),
    sa.ForeignKeyConstraint(['sampling_audit_id'], ['sampling_audits.id'], name=op.f('fk_sampled_attestations_sampling_audit_id_sampling_audits')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sampled_attestations')),
    sa.UniqueConstraint('sampling_audit_id', 'attestation_id', name=op.f('uq_sampled_attestations_sampling_audit_id'))
    )
    with op.batch_alter_table('sampled_attestations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sampled_attestations_attestation_id'), ['attestation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sampled_attestations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sampled_attestations_sampling_audit_id'), ['sampling_audit_id'], unique=False)

    op.create_table('staff_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attestation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attestation_id'], ['attestations.id'], name=op.f('fk_staff_notes_attestation_id_attestations')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_staff_notes_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_notes'))
    )
    with op.batch_alter_table('staff_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_notes_attestation_id'), ['attestation_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attestation_id', sa.Integer(), nullable=False),
    sa.Column('attestation_version_id', sa.Integer(), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.Enum('approved', 'changes_requested', 'rejected', 'reopened', name='decision', native_enum=False, length=32), nullable=False),
    sa.Column('messages', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('internal_note', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attestation_id'], ['attestations.id'], name=op.f('fk_reviews_attestation_id_attestations')),
    sa.ForeignKeyConstraint(['attestation_version_id'], ['attestation_versions.id'], name=op.f('fk_reviews_attestation_version_id_attestation_versions')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_reviews_reviewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_attestation_id'), ['attestation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviews_attestation_version_id'), ['attestation_version_id'], unique=False)

    op.create_table('risk_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attestation_id', sa.Integer(), nullable=False),
    sa.Column('attestation_version_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.Enum('high', 'medium', 'low', name='severity', native_enum=False, length=32), nullable=False),
    sa.Column('explanation', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attestation_id'], ['attestations.id'], name=op.f('fk_risk_flags_attestation_id_attestations')),
    sa.ForeignKeyConstraint(['attestation_version_id'], ['attestation_versions.id'], name=op.f('fk_risk_flags_attestation_version_id_attestation_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_flags')),
    sa.UniqueConstraint('attestation_version_id', 'code', name=op.f('uq_risk_flags_attestation_version_id'))
    )
    with op.batch_alter_table('risk_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_flags_attestation_id'), ['attestation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_flags_attestation_version_id'), ['attestation_version_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_flags_attestation_version_id'))
        batch_op.drop_index(batch_op.f('ix_risk_flags_attestation_id'))

    op.drop_table('risk_flags')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_attestation_version_id'))
        batch_op.drop_index(batch_op.f('ix_reviews_attestation_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('staff_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_notes_attestation_id'))

    op.drop_table('staff_notes')
    with op.batch_alter_table('sampled_attestations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sampled_attestations_sampling_audit_id'))
        batch_op.drop_index(batch_op.f('ix_sampled_attestations_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_sampled_attestations_attestation_id'))

    op.drop_table('sampled_attestations')
    with op.batch_alter_table('sampling_audits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sampling_audits_cycle_id'))

    op.drop_table('sampling_audits')
