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
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('verification_id', sa.String(length=40), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('attestation_id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('code_version_id', sa.Integer(), nullable=True),
    sa.Column('status_list_index', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('rendered_values', sa.JSON(), nullable=False),
    sa.Column('credential_jws', sa.Text(), nullable=True),
    sa.Column('template_version', sa.String(length=40), nullable=False),
    sa.Column('weasyprint_version', sa.String(length=40), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('verification_count', sa.Integer(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_reason', sa.String(length=2000), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revocation_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('revocation_requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revocation_requested_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('supersede_reason', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['attestation_id'], ['attestations.id'], name=op.f('fk_certificates_attestation_id_attestations')),
    sa.ForeignKeyConstraint(['code_version_id'], ['code_versions.id'], name=op.f('fk_certificates_code_version_id_code_versions')),
    sa.ForeignKeyConstraint(['cycle_id'], ['reporting_cycles.id'], name=op.f('fk_certificates_cycle_id_reporting_cycles')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_certificates_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['revocation_confirmed_by_id'], ['users.id'], name=op.f('fk_certificates_revocation_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['revocation_requested_by_id'], ['users.id'], name=op.f('fk_certificates_revocation_requested_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificates.id'], name=op.f('fk_certificates_superseded_by_id_certificates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('number', name=op.f('uq_certificates_number')),
    sa.UniqueConstraint('status_list_index', name=op.f('uq_certificates_status_list_index')),
    sa.UniqueConstraint('verification_id', name=op.f('uq_certificates_verification_id'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_attestation_id'), ['attestation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    op.drop_table('certificates')
