"""Runs: scoped access for the API, and the lease-based queue the job runners share.

A runner claims a run with one conditional UPDATE (queued, or running with an expired lease)
and checks that it changed exactly one row; on PostgreSQL and SQLite alike that is atomic, so
two runners never hold the same run. Every later write by the runner is conditional on still
holding the lease. Writing a run's final state writes its webhook event (`run.finished` when
done, `run.failed` when failed) in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session

from app.core.metrics import observe_finished_run
from app.models import Run, utcnow
from app.repositories.base import RepositoryBase
from app.repositories.sweeps import settle_sweeps
from app.repositories.webhooks import record_event

RUN_EVENTS = {"done": "run.finished", "failed": "run.failed"}
# A runner holds a run while solving it and, once its plan is written (state done), while
# its explanation is made (explanation_state pending).
HELD_STATES = ("running", "done")


class RunRepository(RepositoryBase[Run]):
    model = Run


@dataclass(frozen=True)
class ClaimedRun:
    id: uuid.UUID
    document: dict[str, Any]
    attempts: int
    # The plan to start from: (intervention, neighbourhood, start year) of each funded run.
    start_plan: tuple[tuple[str, str, int], ...] = ()
    # False: solve the plan only (no explanation; the run ends with explanation `skipped`).
    explain: bool = True


def funded_runs(recommendation: dict[str, Any] | None) -> tuple[tuple[str, str, int], ...]:
    return tuple(
        (a["intervention"], a["neighbourhood"], a["start_year"])
        for a in (recommendation or {}).get("allocations") or []
    )


def _claimable(now: datetime, owner: str) -> Any:
    """Queued, or running under another runner's lease that has expired."""
    return and_(
        Run.cancel_requested.is_(False),
        or_(
            Run.state == "queued",
            and_(Run.state == "running", Run.lease_expires_at < now, Run.lease_owner != owner),
        ),
    )


class RunQueue:
    """The runs of every organisation, as the job runners see them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _update(self, statement: Any) -> int:
        result: CursorResult[Any] = self.session.execute(  # type: ignore[assignment]
            statement, execution_options={"synchronize_session": False}
        )
        return int(result.rowcount)

    def claim(self, owner: str, lease_s: float) -> ClaimedRun | None:
        now = utcnow()
        candidates = self.session.scalars(
            select(Run.id).where(_claimable(now, owner)).order_by(Run.created_at, Run.id).limit(5)
        ).all()
        for run_id in candidates:
            if self._take(run_id, owner, lease_s, now):
                return self._claimed(run_id)
        return None

    def claim_run(self, run_id: uuid.UUID, owner: str, lease_s: float) -> ClaimedRun | None:
        """Claim this run (a Celery task names its run): None when it is finished, cancelled,
        or held under a lease that has not expired."""
        if not self._take(run_id, owner, lease_s, utcnow()):
            return None
        return self._claimed(run_id)

    def _take(self, run_id: uuid.UUID, owner: str, lease_s: float, now: datetime) -> bool:
        """Whether this owner now holds the run: one conditional update, so of two runners
        (or workers) that try at once exactly one gets it."""
        return self._update(
            update(Run)
            .where(Run.id == run_id, _claimable(now, owner))
            .values(
                state="running",
                lease_owner=owner,
                held_by=owner,
                lease_expires_at=now + timedelta(seconds=lease_s),
                attempts=Run.attempts + 1,
                started_at=now,
            )
        ) == 1

    def _claimed(self, run_id: uuid.UUID) -> ClaimedRun:
        row = self.session.execute(
            select(Run.document, Run.attempts, Run.explain).where(Run.id == run_id)
        ).one()
        return ClaimedRun(id=run_id, document=row.document, attempts=row.attempts,
                          start_plan=self._start(run_id), explain=row.explain)

    def state(self, run_id: uuid.UUID) -> str | None:
        """The run's state; None when there is no such run."""
        return self.session.scalar(select(Run.state).where(Run.id == run_id))

    def _start(self, run_id: uuid.UUID) -> tuple[tuple[str, str, int], ...]:
        """The plan a run starts from: its `start_from_run_id`'s, or for a sweep point the
        nearest point solved so far, below it first (a lower budget's plan fits a higher
        one), which then becomes its `start_from_run_id`."""
        row = self.session.execute(
            select(Run.start_from_run_id, Run.sweep_id, Run.sweep_budget).where(Run.id == run_id)
        ).one()
        if row.start_from_run_id is not None:
            return funded_runs(
                self.session.scalar(
                    select(Run.recommendation).where(Run.id == row.start_from_run_id)
                )
            )
        if row.sweep_id is None or row.sweep_budget is None:
            return ()
        solved = self.session.execute(
            select(Run.id, Run.sweep_budget, Run.recommendation).where(
                Run.sweep_id == row.sweep_id,
                Run.id != run_id,
                Run.state == "done",
                Run.recommendation.is_not(None),
            )
        ).all()
        solved = [s for s in solved if funded_runs(s.recommendation)]
        if not solved:
            return ()
        budget = row.sweep_budget
        nearest = min(solved, key=lambda s: (abs(s.sweep_budget - budget), s.sweep_budget > budget))
        self._update(
            update(Run).where(Run.id == run_id).values(start_from_run_id=nearest.id)
        )
        return funded_runs(nearest.recommendation)

    def heartbeat(self, run_id: uuid.UUID, owner: str, lease_s: float) -> bool:
        """Extend the lease; False when this runner no longer holds the run."""
        return (
            self._update(
                update(Run)
                .where(Run.id == run_id, Run.lease_owner == owner, Run.state.in_(HELD_STATES))
                .values(lease_expires_at=utcnow() + timedelta(seconds=lease_s))
            )
            == 1
        )

    def cancel_requested(self, run_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        if not run_ids:
            return set()
        return set(
            self.session.scalars(
                select(Run.id).where(Run.id.in_(run_ids), Run.cancel_requested.is_(True))
            )
        )

    def finish(
        self,
        run_id: uuid.UUID,
        owner: str,
        state: str,
        *,
        result_status: str | None = None,
        recommendation: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> bool:
        explained = state == "done" and (recommendation or {}).get("explanation") is not None
        finished = (
            self._update(
                update(Run)
                .where(Run.id == run_id, Run.lease_owner == owner, Run.state == "running")
                .values(
                    state=state,
                    result_status=result_status,
                    recommendation=recommendation,
                    error=error,
                    lease_owner=None,
                    lease_expires_at=None,
                    finished_at=utcnow(),
                    explanation_state="ready" if explained else "skipped",
                )
            )
            == 1
        )
        if finished and state in RUN_EVENTS:
            self._record_event(run_id)
        if finished:
            self._settle_sweep(run_id)
            observe_finished_run(state, recommendation)
        return finished

    def _settle_sweep(self, run_id: uuid.UUID) -> None:
        sweep_id = self.session.scalar(select(Run.sweep_id).where(Run.id == run_id))
        if sweep_id is not None:
            settle_sweeps(self.session, [sweep_id])

    def settle_sweeps(self) -> int:
        """Sweeps whose last points ended side by side (see `app.repositories.sweeps`)."""
        return settle_sweeps(self.session)

    def record_plan(self, run_id: uuid.UUID, owner: str, recommendation: dict[str, Any]) -> bool:
        """The plan is in: the run is done and readable, and the runner keeps holding it
        while the explanation is made (`record_explanation`)."""
        written = (
            self._update(
                update(Run)
                .where(Run.id == run_id, Run.lease_owner == owner, Run.state == "running")
                .values(
                    state="done",
                    result_status=recommendation["status"],
                    recommendation=recommendation,
                    finished_at=utcnow(),
                    explanation_state="pending",
                )
            )
            == 1
        )
        if written:
            self._record_event(run_id)
            self._settle_sweep(run_id)
            observe_finished_run("done", recommendation)
        return written

    def record_explanation(
        self, run_id: uuid.UUID, owner: str, recommendation: dict[str, Any]
    ) -> bool:
        """The whole answer (the plan with its explanation) replaces the plan."""
        explained = recommendation.get("explanation") is not None
        return (
            self._update(
                update(Run)
                .where(*self._explaining(run_id, owner))
                .values(
                    recommendation=recommendation,
                    explanation_state="ready" if explained else "skipped",
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )
            == 1
        )

    def explanation_failed(self, run_id: uuid.UUID, owner: str, reason: str) -> bool:
        """The plan stays; `error` says why no explanation came."""
        return (
            self._update(
                update(Run)
                .where(*self._explaining(run_id, owner))
                .values(
                    explanation_state="failed",
                    error=f"the explanation failed: {reason}",
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )
            == 1
        )

    @staticmethod
    def _explaining(run_id: uuid.UUID, owner: str) -> tuple[Any, ...]:
        return (
            Run.id == run_id,
            Run.lease_owner == owner,
            Run.state == "done",
            Run.explanation_state == "pending",
        )

    def fail_abandoned_explanations(self) -> int:
        """Explanations whose runner went away (its lease expired): failed; the plan stays."""
        return self._update(
            update(Run)
            .where(
                Run.state == "done",
                Run.explanation_state == "pending",
                Run.lease_expires_at < utcnow(),
            )
            .values(
                explanation_state="failed",
                error="the explanation failed: the process making it stopped",
                lease_owner=None,
                lease_expires_at=None,
            )
        )

    def _record_event(self, run_id: uuid.UUID) -> None:
        row = self.session.execute(
            select(Run.organisation_id, Run.scenario_id, Run.version_number, Run.state,
                   Run.result_status, Run.recommendation, Run.error, Run.finished_at)
            .where(Run.id == run_id)
        ).one()
        data: dict[str, Any] = {
            "run_id": str(run_id),
            "scenario_id": str(row.scenario_id),
            "scenario_version": row.version_number,
            "state": row.state,
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
            "links": {"run": f"/api/v1/runs/{run_id}"},
        }
        if row.state == "done":
            data["status"] = row.result_status
            data["objective"] = (row.recommendation or {}).get("objective")
            data["links"]["export"] = f"/api/v1/runs/{run_id}/export"
        else:
            data["error"] = row.error
        record_event(self.session, row.organisation_id, RUN_EVENTS[row.state], data)

    def release(self, run_id: uuid.UUID, owner: str, *, count_attempt: bool) -> bool:
        """Put a run back in the queue (this runner stops, or its solver process died)."""
        values: dict[str, Any] = {"state": "queued", "lease_owner": None, "lease_expires_at": None}
        if not count_attempt:
            values["attempts"] = Run.attempts - 1
        return (
            self._update(
                update(Run)
                .where(Run.id == run_id, Run.lease_owner == owner, Run.state == "running")
                .values(**values)
            )
            == 1
        )

    def cancel_abandoned(self) -> int:
        """Runs whose cancellation was asked while their runner was gone: cancelled now."""
        now = utcnow()
        return self._update(
            update(Run)
            .where(
                Run.cancel_requested.is_(True),
                or_(
                    Run.state == "queued", and_(Run.state == "running", Run.lease_expires_at < now)
                ),
            )
            .values(state="cancelled", lease_owner=None, lease_expires_at=None, finished_at=now)
        )
