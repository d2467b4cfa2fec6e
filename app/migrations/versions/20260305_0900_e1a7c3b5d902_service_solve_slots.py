"""Synchronous solves in progress, for the per-organisation limit on solves at once

Revision ID: e1a7c3b5d902
Revises: 8d4a6f1e2b23
Create Date: 2026-03-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e1a7c3b5d902'
down_revision: str | Sequence[str] | None = '8d4a6f1e2b23'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('solve_slots',
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_solve_slots_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_solve_slots'))
    )
    with op.batch_alter_table('solve_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solve_slots_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solve_slots_organisation_id_expires_at'), ['organisation_id', 'expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('solve_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solve_slots_organisation_id_expires_at'))
        batch_op.drop_index(batch_op.f('ix_solve_slots_organisation_id'))

    op.drop_table('solve_slots')
