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

from app.models import Run, utcnow
from app.repositories.base import RepositoryBase
from app.repositories.webhooks import record_event

RUN_EVENTS = {"done": "run.finished", "failed": "run.failed"}


class RunRepository(RepositoryBase[Run]):
    model = Run


@dataclass(frozen=True)
class ClaimedRun:
    id: uuid.UUID
    document: dict[str, Any]
    attempts: int


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
            claimed = self._update(
                update(Run)
                .where(Run.id == run_id, _claimable(now, owner))
                .values(
                    state="running",
                    lease_owner=owner,
                    lease_expires_at=now + timedelta(seconds=lease_s),
                    attempts=Run.attempts + 1,
                    started_at=now,
                )
            )
            if claimed == 1:
                row = self.session.execute(
                    select(Run.document, Run.attempts).where(Run.id == run_id)
                ).one()
                return ClaimedRun(id=run_id, document=row[0], attempts=row[1])
        return None

    def heartbeat(self, run_id: uuid.UUID, owner: str, lease_s: float) -> bool:
        """Extend the lease; False when this runner no longer holds the run."""
        return (
            self._update(
                update(Run)
                .where(Run.id == run_id, Run.lease_owner == owner, Run.state == "running")
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
                )
            )
            == 1
        )
        if finished and state in RUN_EVENTS:
            self._record_event(run_id)
        return finished

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
