"""Runs whose task must be sent (again) to the broker: the stale-run check of the Celery backend.

The database is the record of every run; the broker only carries the news. A message can be
lost (a broker restarted without persistence, an API process stopped between writing a run and
sending its task) and a worker can die holding a run. Each candidate is marked `dispatched_at`
by one conditional UPDATE, so when several workers check at once only one sends it again.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import ColumnElement, CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session

from app.models import Run, utcnow

BATCH = 200


class RunDispatch:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _mark(self, run_id: uuid.UUID, condition: ColumnElement[bool]) -> bool:
        result: CursorResult[object] = self.session.execute(  # type: ignore[assignment]
            update(Run).where(Run.id == run_id, condition).values(dispatched_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount) == 1

    def abandoned(self, again_after_s: float) -> list[uuid.UUID]:
        """Running runs whose lease expired (their worker stopped renewing it) and that were
        not sent since, or not for `again_after_s` (that message may be lost too): marked, to be
        sent."""
        now = utcnow()
        condition = and_(
            Run.state == "running",
            Run.cancel_requested.is_(False),
            Run.lease_expires_at < now,
            or_(
                Run.dispatched_at.is_(None),
                Run.dispatched_at < Run.lease_expires_at,
                Run.dispatched_at < now - timedelta(seconds=again_after_s),
            ),
        )
        ids = self.session.scalars(select(Run.id).where(condition).limit(BATCH)).all()
        return [run_id for run_id in ids if self._mark(run_id, condition)]

    def waiting_too_long(self, after_s: float) -> list[uuid.UUID]:
        """Queued runs sent (or created) more than `after_s` ago: marked, to be sent again."""
        threshold = utcnow() - timedelta(seconds=after_s)
        condition = and_(
            Run.state == "queued",
            Run.cancel_requested.is_(False),
            func.coalesce(Run.dispatched_at, Run.created_at) < threshold,
        )
        ids = self.session.scalars(
            select(Run.id).where(condition).order_by(Run.created_at).limit(BATCH)
        ).all()
        return [run_id for run_id in ids if self._mark(run_id, condition)]
