"""Organisations get a locale: how the web pages write numbers (`nl` or English)

Revision ID: b17b0e5a1c01
Revises: a17a0c5e1d01
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'b17b0e5a1c01'
down_revision: str | Sequence[str] | None = 'a17a0c5e1d01'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organisations') as batch:
        batch.add_column(
            sa.Column('locale', sa.String(length=10), server_default='en', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('organisations') as batch:
        batch.drop_column('locale')
