"""Units (VHE) with per-unit measurements, the unit aggregation of indicators, and the record of bulk imports (erp-data)

Revision ID: 4b0fc33663f2
Revises: 8d4a6f1e2b23
Create Date: 2026-12-05 09:06:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '4b0fc33663f2'
down_revision: str | Sequence[str] | None = '8d4a6f1e2b23'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('imports',
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('problems', JSON_DOCUMENT, nullable=False),
    sa.Column('actor', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_imports_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imports_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('units',
    sa.Column('vhe', sa.String(length=200), nullable=False),
    sa.Column('neighbourhood', sa.String(length=10), nullable=False),
    sa.Column('regulated', sa.Boolean(), nullable=False),
    sa.Column('complex_id', sa.String(length=200), nullable=True),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_units_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('organisation_id', 'vhe', name=op.f('uq_units_organisation_id_vhe'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_units_organisation_id_neighbourhood', ['organisation_id', 'neighbourhood'], unique=False)

    op.create_table('unit_measurements',
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('indicator', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_unit_measurements_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_measurements_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_measurements')),
    sa.UniqueConstraint('unit_id', 'indicator', 'year', name=op.f('uq_unit_measurements_unit_id_indicator_year'))
    )
    with op.batch_alter_table('unit_measurements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_measurements_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_measurements_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_aggregation', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(op.f('ck_indicators_unit_aggregation'), "unit_aggregation IN ('mean', 'share', 'count')")



def downgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_indicators_unit_aggregation'), type_='check')
        batch_op.drop_column('unit_aggregation')

    with op.batch_alter_table('unit_measurements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_measurements_unit_id'))
        batch_op.drop_index(batch_op.f('ix_unit_measurements_organisation_id'))

    op.drop_table('unit_measurements')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('ix_units_organisation_id_neighbourhood')
        batch_op.drop_index(batch_op.f('ix_units_organisation_id'))

    op.drop_table('units')
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imports_organisation_id'))

    op.drop_table('imports')
