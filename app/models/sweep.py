"""Budget sweeps: one scenario version solved at a list of budgets, each point an ordinary run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TenantMixin, utcnow

SWEEP_STATES = ("running", "done", "cancelled")


class Sweep(TenantMixin, Base):
    __tablename__ = "sweeps"
    __table_args__ = (
        CheckConstraint("state IN ('running', 'done', 'cancelled')", name="state"),
    )

    scenario_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scenario_versions.id", ondelete="CASCADE")
    )
    version_number: Mapped[int]
    # What was asked: {"budgets": [...], "scale": "proportional" | "total_only",
    # "explain": bool (left out by sweeps from before plan-only points: explained)}
    spec: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(20), default="running")
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
