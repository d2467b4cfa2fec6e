"""Runs record the worker that last held them and when their task was last sent

Revision ID: c19c0a1b2d3e
Revises: b17b0e5a1c01
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c19c0a1b2d3e'
down_revision: str | Sequence[str] | None = 'b17b0e5a1c01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_by', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_column('dispatched_at')
        batch_op.drop_column('held_by')
