"""The catalogue: domains, indicators, neighbourhoods with measurements and adjustments, interventions, partners

Revision ID: 5c7e2d4b8a12
Revises: 3b1f0c2a9d01
Create Date: 2026-03-02 09:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '5c7e2d4b8a12'
down_revision: str | Sequence[str] | None = '3b1f0c2a9d01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('domains',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.Column('target', sa.Double(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_domains_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_domains')),
    sa.UniqueConstraint('organisation_id', 'key', name=op.f('uq_domains_organisation_id_key'))
    )
    with op.batch_alter_table('domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_domains_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('indicators',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('domain', sa.String(length=200), nullable=True),
    sa.Column('direction', sa.String(length=20), nullable=False),
    sa.Column('unit', sa.String(length=100), nullable=True),
    sa.Column('source', sa.String(length=500), nullable=True),
    sa.Column('reference_value', sa.Double(), nullable=True),
    sa.Column('reference_spread', sa.Double(), nullable=True),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('higher_is_better', 'higher_is_worse')", name=op.f('ck_indicators_direction')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_indicators_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('organisation_id', 'key', name=op.f('uq_indicators_organisation_id_key'))
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('neighbourhoods',
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('district', sa.String(length=200), nullable=True),
    sa.Column('municipality', sa.String(length=200), nullable=True),
    sa.Column('homes', sa.Double(), nullable=False),
    sa.Column('regulated_homes', sa.Double(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_neighbourhoods_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_neighbourhoods')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_neighbourhoods_organisation_id_code'))
    )
    with op.batch_alter_table('neighbourhoods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_neighbourhoods_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('indicator_values',
    sa.Column('neighbourhood_id', sa.Uuid(), nullable=False),
    sa.Column('indicator', sa.String(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_indicator_values_neighbourhood_id_neighbourhoods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_indicator_values_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_values')),
    sa.UniqueConstraint('neighbourhood_id', 'indicator', 'year', name=op.f('uq_indicator_values_neighbourhood_id_indicator_year'))
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_values_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('adjustments',
    sa.Column('neighbourhood_id', sa.Uuid(), nullable=False),
    sa.Column('domain', sa.String(length=200), nullable=False),
    sa.Column('delta', sa.Double(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['neighbourhood_id'], ['neighbourhoods.id'], name=op.f('fk_adjustments_neighbourhood_id_neighbourhoods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_adjustments_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adjustments')),
    sa.UniqueConstraint('neighbourhood_id', 'domain', name=op.f('uq_adjustments_neighbourhood_id_domain'))
    )
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adjustments_neighbourhood_id'), ['neighbourhood_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adjustments_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('interventions',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('domain', sa.String(length=200), nullable=False),
    sa.Column('evidence_level', sa.String(length=100), nullable=True),
    sa.Column('definition', JSON_DOCUMENT, nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_interventions_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interventions')),
    sa.UniqueConstraint('organisation_id', 'key', name=op.f('uq_interventions_organisation_id_key'))
    )
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interventions_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('partners',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('budget', JSON_DOCUMENT, nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_partners_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('organisation_id', 'key', name=op.f('uq_partners_organisation_id_key'))
    )
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partners_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_organisation_id'))

    op.drop_table('partners')
    with op.batch_alter_table('interventions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interventions_organisation_id'))

    op.drop_table('interventions')
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adjustments_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_adjustments_neighbourhood_id'))

    op.drop_table('adjustments')
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_values_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_values_neighbourhood_id'))

    op.drop_table('indicator_values')
    with op.batch_alter_table('neighbourhoods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_neighbourhoods_organisation_id'))

    op.drop_table('neighbourhoods')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_organisation_id'))

    op.drop_table('indicators')
    with op.batch_alter_table('domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_domains_organisation_id'))

    op.drop_table('domains')
