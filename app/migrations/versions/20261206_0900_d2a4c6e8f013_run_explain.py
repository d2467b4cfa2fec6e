"""Runs say whether their job explains the plan (a budget sweep's points are plan-only unless
asked); the runs there were keep their meaning: explained

Revision ID: d2a4c6e8f013
Revises: c19c0a1b2d3e
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'd2a4c6e8f013'
down_revision: str | Sequence[str] | None = 'c19c0a1b2d3e'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('explain', sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_column('explain')
