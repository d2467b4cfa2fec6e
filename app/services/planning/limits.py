"""Limits per organisation: how many solves it may have at once (how large one may be is
`app.services.planning.solving`, which needs no database).

Solves at once are counted in the database (queued and running runs, plus synchronous solves in
progress as `solve_slots` rows), so the limit holds across API processes, machines and
workers. The count and the new row are one transaction that first locks the organisation's row
(PostgreSQL; SQLite's write transactions are serialised already), so two requests racing for
the last place cannot both get it. Other organisations' counts are never looked at.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import Database
from app.core.errors import TooManyActiveRuns
from app.core.security import Principal
from app.models import Organisation, Run, SolveSlot, utcnow
from app.optimizer import RunLimits
from app.optimizer.explain import ExplainLevel
from app.optimizer.guard import deadline_for
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import Scenario, check_scenario
from app.services.planning.solving import check_problem_size, solve_inline

ACTIVE_RUN_STATES = ("queued", "running")
# A synchronous solve's row outlives a process that died mid-solve by at most this much past
# its time limit (explaining, grace, the answer's way back).
SLOT_MARGIN_S = 120.0


def active_count(session: Session, organisation_id: uuid.UUID) -> int:
    active = (Run.organisation_id == organisation_id, Run.state.in_(ACTIVE_RUN_STATES))
    single = session.scalar(
        select(func.count()).select_from(Run).where(*active, Run.sweep_id.is_(None))
    )
    # A sweep's points count as one solve: the sweep asked for them all at once.
    sweeps = session.scalar(
        select(func.count(func.distinct(Run.sweep_id))).where(*active, Run.sweep_id.is_not(None))
    )
    runs = int(single or 0) + int(sweeps or 0)
    slots = session.scalar(
        select(func.count())
        .select_from(SolveSlot)
        .where(SolveSlot.organisation_id == organisation_id, SolveSlot.expires_at > utcnow())
    )
    return runs + int(slots or 0)


def claim_place(session: Session, organisation_id: uuid.UUID, limit: int) -> None:
    """Raise `TooManyActiveRuns` when the organisation has `limit` solves going; else return,
    holding the organisation's row lock until the caller's transaction ends (so the run or
    slot it adds next is counted by whoever comes after)."""
    session.execute(
        select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    )
    active = active_count(session, organisation_id)
    if active >= limit:
        raise TooManyActiveRuns(active, limit)


@contextmanager
def solve_slot(
    database: Database, organisation_id: uuid.UUID, limit: int, time_limit_s: float
) -> Iterator[None]:
    """A place among the organisation's solves at once, held while the block runs; each side
    is a short transaction of its own, none is open during the solve."""
    with database.transaction() as session:
        claim_place(session, organisation_id, limit)
        slot = SolveSlot(
            organisation_id=organisation_id,
            expires_at=utcnow() + timedelta(seconds=time_limit_s + SLOT_MARGIN_S),
        )
        session.add(slot)
        session.flush()
        slot_id = slot.id
    try:
        yield
    finally:
        with database.transaction() as session:
            session.execute(delete(SolveSlot).where(SolveSlot.id == slot_id))


def solve_counted(
    database: Database,
    principal: Principal,
    scenario: Scenario,
    settings: Settings,
    explain: bool = True,
    explain_candidates: tuple[tuple[str, str], ...] = (),
    explain_level: ExplainLevel = "standard",
) -> Recommendation:
    """`solve_inline`, counted among the organisation's solves at once while it runs (429
    when it has as many as it may). The checks that need no database come first."""
    check_scenario(scenario)
    check_problem_size(scenario, settings.max_problem_size)
    time_limit_s = min(scenario.solver.time_limit_s, settings.max_time_limit_s)
    expires_s = deadline_for(time_limit_s, RunLimits(explain=explain))
    with solve_slot(database, principal.organisation_id, settings.org_max_active_runs, expires_s):
        return solve_inline(scenario, settings, explain, explain_candidates, explain_level)
