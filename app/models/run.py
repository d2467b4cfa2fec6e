"""Runs: one solve of one scenario version, claimed by a runner through a lease."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Double, ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TenantMixin, utcnow

RUN_STATES = ("queued", "running", "done", "failed", "cancelled")
FINISHED_STATES = ("done", "failed", "cancelled")
# The explanation follows the plan in the same job: `pending` until it is written (or known
# not to come), `ready` with it, `skipped` when none is made (not asked for, no plan, too
# large), `failed` when making it failed or its process stopped.
EXPLANATION_STATES = ("pending", "ready", "skipped", "failed")


class Run(TenantMixin, Base):
    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="state"
        ),
        Index(None, "state", "lease_expires_at"),
    )

    scenario_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scenario_versions.id", ondelete="CASCADE"), index=True
    )
    version_number: Mapped[int]
    state: Mapped[str] = mapped_column(String(20))
    document: Mapped[dict[str, Any]]
    scenario_sha256: Mapped[str] = mapped_column(String(64))
    result_status: Mapped[str | None] = mapped_column(String(20))
    recommendation: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]
    # The last runner or worker that claimed the run (the lease owner is cleared when it ends).
    held_by: Mapped[str | None] = mapped_column(String(200))
    # When the run's task was last sent again by the stale-run check (Celery backend).
    dispatched_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    explanation_state: Mapped[str] = mapped_column(String(20), default="pending")
    # The run whose plan this one starts from (a what-if's parent, a sweep point's neighbour).
    start_from_run_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("runs.id", ondelete="SET NULL")
    )
    sweep_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("sweeps.id", ondelete="CASCADE"), index=True
    )
    sweep_budget: Mapped[float | None] = mapped_column(Double)
    # False: the plan only (a budget-sweep point not asked to be explained); the solver process
    # skips the explanation and the run ends with explanation_state `skipped`.
    explain: Mapped[bool] = mapped_column(default=True, server_default=true())
