"""Sweeps: scoped access for the API, and settling a sweep once every point has finished.

A point is an ordinary run; whoever writes a point's end (a job runner) calls `settle_sweeps`
in the same transaction. It first locks the sweep's row, so the writers of a sweep's points
settle it one after the other: when its last two points end at once in two transactions (two
Celery workers), the second to take the lock waits for the first's commit and then sees both
points finished. (Without the lock each saw the other's point unfinished and neither settled.)
The runners also call it from time to time, for points ended some other way (a cancellation).
Settling is one conditional UPDATE per sweep, so the `sweep.finished` event is written once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session

from app.models import FINISHED_STATES, Run, Sweep, utcnow
from app.repositories.base import RepositoryBase
from app.repositories.webhooks import record_event


class SweepRepository(RepositoryBase[Sweep]):
    model = Sweep

    def of_scenario(self, scenario_id: uuid.UUID, limit: int,
                    before: tuple[datetime, uuid.UUID] | None = None
                    ) -> list[tuple[Sweep, int, int]]:
        """The scenario's sweeps, newest first (those older than `before`, a sweep's
        (created_at, id), when given: keyset pagination), each with its points finished and
        in all, counted in the database so that a list does not read every point's plan."""
        finished = func.sum(case((Run.state.in_(FINISHED_STATES), 1), else_=0))
        counts = (
            select(Run.sweep_id, finished.label("done"), func.count(Run.id).label("total"))
            .where(Run.organisation_id == self.organisation_id, Run.scenario_id == scenario_id,
                   Run.sweep_id.is_not(None))
            .group_by(Run.sweep_id)
            .subquery()
        )
        statement = (
            self.scoped()
            .add_columns(func.coalesce(counts.c.done, 0), func.coalesce(counts.c.total, 0))
            .outerjoin(counts, counts.c.sweep_id == Sweep.id)
            .where(Sweep.scenario_id == scenario_id)
            .order_by(Sweep.created_at.desc(), Sweep.id.desc())
            .limit(limit)
        )
        if before is not None:
            created_at, sweep_id = before
            statement = statement.where(or_(
                Sweep.created_at < created_at,
                and_(Sweep.created_at == created_at, Sweep.id < sweep_id),
            ))
        return [(sweep, int(done), int(total))
                for sweep, done, total in self.session.execute(statement).all()]


def sweep_path(sweep_id: uuid.UUID) -> str:
    return f"/api/v1/sweeps/{sweep_id}"


def sweep_links(sweep_id: uuid.UUID) -> dict[str, str]:
    """Where the API serves a sweep and its frontier."""
    path = sweep_path(sweep_id)
    return {"sweep": path, "frontier": f"{path}/frontier.csv",
            "frontier_xlsx": f"{path}/frontier.xlsx"}


def settle_sweeps(session: Session, sweep_ids: Sequence[uuid.UUID] | None = None) -> int:
    """Mark running sweeps whose points have all finished as done, each with its
    `sweep.finished` event; how many were settled."""
    unfinished = exists().where(Run.sweep_id == Sweep.id, Run.state.not_in(FINISHED_STATES))
    query = select(Sweep.id, Sweep.organisation_id, Sweep.scenario_id).where(
        Sweep.state == "running", ~unfinished
    )
    if sweep_ids is not None:
        query = query.where(Sweep.id.in_(list(sweep_ids)))
    if sweep_ids is not None:
        # Held to the commit; on PostgreSQL the look at the points below starts after the lock
        # is granted, so it sees every point committed by whoever held it before. (SQLite lets
        # one writer in at a time and ignores FOR UPDATE.)
        session.execute(select(Sweep.id).where(Sweep.id.in_(list(sweep_ids)))
                        .order_by(Sweep.id).with_for_update())
    settled = 0
    for sweep_id, organisation_id, scenario_id in session.execute(query).all():
        now = utcnow()
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(Sweep)
            .where(Sweep.id == sweep_id, Sweep.state == "running")
            .values(state="done", finished_at=now),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount != 1:
            continue
        settled += 1
        points = session.execute(
            select(Run.state, Run.id).where(Run.sweep_id == sweep_id)
        ).all()
        record_event(session, organisation_id, "sweep.finished", {
            "sweep_id": str(sweep_id),
            "scenario_id": str(scenario_id),
            "state": "done",
            "points_total": len(points),
            "points_done": sum(1 for state, _ in points if state == "done"),
            "finished_at": now.isoformat(),
            "links": {"sweep": sweep_path(sweep_id),
                      "frontier": f"{sweep_path(sweep_id)}/frontier.csv"},
        })
    return settled
