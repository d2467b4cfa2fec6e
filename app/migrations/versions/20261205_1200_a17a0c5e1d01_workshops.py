"""Workshops: budget sweeps, what-if versions, runs that start from another run's plan, and
the explanation's own state beside the plan

Revision ID: a17a0c5e1d01
Revises: 2143a34c2111
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = 'a17a0c5e1d01'
down_revision: str | Sequence[str] | None = '2143a34c2111'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('sweeps',
    sa.Column('scenario_id', sa.Uuid(), nullable=False),
    sa.Column('version_id', sa.Uuid(), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('spec', JSON_DOCUMENT, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.CheckConstraint("state IN ('running', 'done', 'cancelled')", name=op.f('ck_sweeps_state')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_sweeps_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], name=op.f('fk_sweeps_scenario_id_scenarios'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['scenario_versions.id'], name=op.f('fk_sweeps_version_id_scenario_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sweeps'))
    )
    with op.batch_alter_table('sweeps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sweeps_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sweeps_scenario_id'), ['scenario_id'], unique=False)

    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('explanation_state', sa.String(length=20), nullable=False, server_default='ready'))
        batch_op.add_column(sa.Column('start_from_run_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('sweep_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('sweep_budget', sa.Double(), nullable=True))
        batch_op.create_index(batch_op.f('ix_runs_sweep_id'), ['sweep_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_runs_start_from_run_id_runs'), 'runs', ['start_from_run_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_runs_sweep_id_sweeps'), 'sweeps', ['sweep_id'], ['id'], ondelete='CASCADE')
    # Runs written before this one carry their explanation (or none was asked) already.
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.alter_column('explanation_state', server_default=None)

    with op.batch_alter_table('scenario_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_run_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('patch', JSON_DOCUMENT, nullable=True))
        batch_op.add_column(sa.Column('patch_format', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('scenario_versions', schema=None) as batch_op:
        batch_op.drop_column('patch_format')
        batch_op.drop_column('patch')
        batch_op.drop_column('parent_run_id')

    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_runs_sweep_id_sweeps'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_runs_start_from_run_id_runs'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_runs_sweep_id'))
        batch_op.drop_column('sweep_budget')
        batch_op.drop_column('sweep_id')
        batch_op.drop_column('start_from_run_id')
        batch_op.drop_column('explanation_state')

    with op.batch_alter_table('sweeps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sweeps_scenario_id'))
        batch_op.drop_index(batch_op.f('ix_sweeps_organisation_id'))

    op.drop_table('sweeps')
