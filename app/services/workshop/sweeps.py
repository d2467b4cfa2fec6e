"""Use cases: budget sweeps. One scenario version solved at a list of corporation budgets, each
point an ordinary run (listed under /runs, solved by whatever job runner is there, as many at
once as there are workers), each started from the plan of the nearest point already solved
(see `RunQueue.claim`). The frontier is the points in budget order, with what each funds that
the one before did not (`enter`) and the reverse (`leave`)."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import Conflict, NotFound
from app.core.security import Principal
from app.models import FINISHED_STATES, Run, Sweep, utcnow
from app.repositories.scenarios import ScenarioRepository
from app.repositories.sweeps import SweepRepository, sweep_links, sweep_path
from app.schemas.common import Page
from app.schemas.scenario import ScenarioInvalid, parse_scenario
from app.schemas.workshop import (
    FundedRun,
    SweepCreate,
    SweepLinks,
    SweepOut,
    SweepPoint,
    SweepSummary,
)
from app.services.access import audit
from app.services.interface import idempotency
from app.services.interface.pagination import decode_time_cursor, encode_time_cursor
from app.services.planning import limits, runs, solving
from app.services.workshop.comparison import Key, enter_leave, funded_allocations

# The scenario page lists this many of a scenario's sweeps, newest first.
RECENT_SWEEPS = 50


def document_at(document: dict[str, Any], budget: float, scale: str) -> dict[str, Any]:
    """The document with the corporation's total budget set to `budget`; with `proportional`
    scaling, `budget.per_year` is multiplied by budget / the old total (the sum of the years
    when there was no total)."""
    changed = copy.deepcopy(document)
    limit = changed.get("budget") or {}
    per_year = limit.get("per_year")
    if scale == "proportional" and per_year:
        reference = limit.get("total") or sum(per_year)
        factor = budget / reference if reference else 0.0
        limit["per_year"] = [round(year * factor, 2) for year in per_year]
    limit["total"] = budget
    changed["budget"] = limit
    return changed


def create_sweep(
    session: Session,
    principal: Principal,
    scenario_id: uuid.UUID,
    body: SweepCreate,
    idempotency_key: str | None,
    settings: Settings,
) -> idempotency.Answer:
    """A sweep takes one place among the organisation's solves at once, whatever its size."""

    def produce() -> idempotency.Answer:
        version = runs.scenario_version(session, principal, scenario_id, body.version)
        solving.check_document_size(version.document, settings.max_problem_size)
        limits.claim_place(session, principal.organisation_id, settings.org_max_active_runs)
        budgets = body.budget.budgets()
        documents = []
        for index, budget in enumerate(budgets):
            document = document_at(version.document, budget, body.scale)
            try:
                parse_scenario(document)
            except ScenarioInvalid as invalid:
                raise ScenarioInvalid([
                    {"path": f"budget.values[{index}]" if body.budget.values else "budget",
                     "message": f"at budget {budget:,.2f}: {e['path']}: {e['message']}"}
                    for e in invalid.errors
                ]) from None
            documents.append(document)
        sweep = SweepRepository(session, principal.organisation_id).add(
            Sweep(
                scenario_id=version.scenario_id,
                version_id=version.id,
                version_number=version.number,
                spec={"budgets": budgets, "scale": body.scale, "explain": body.explain},
                state="running",
                created_by=principal.actor,
            )
        )
        for budget, document in zip(budgets, documents, strict=True):
            runs.queue_run(session, principal, version, document=document,
                           sweep_id=sweep.id, sweep_budget=budget, explain=body.explain)
        audit.record(session, principal, "sweep.start", "sweep", str(sweep.id), changes={
            "scenario": [None, str(scenario_id)], "version": [None, version.number],
            "points": [None, len(budgets)]})
        return idempotency.Answer(
            202, sweep_out(session, sweep).model_dump(mode="json"), sweep_path(sweep.id)
        )

    request = {"scenario_id": str(scenario_id), "body": body.model_dump(mode="json")}
    return idempotency.once(session, principal, "sweeps.create", idempotency_key, request,
                            produce)


def get_sweep(session: Session, principal: Principal, sweep_id: uuid.UUID) -> SweepOut:
    return sweep_out(session, _sweep(session, principal, sweep_id))


def scenario_sweeps(session: Session, principal: Principal, scenario_id: uuid.UUID,
                    limit: int = RECENT_SWEEPS) -> list[SweepSummary]:
    """The organisation's sweeps of one scenario, newest first."""
    rows = SweepRepository(session, principal.organisation_id).of_scenario(scenario_id, limit)
    return [_summary(sweep, done, total) for sweep, done, total in rows]


def list_sweeps(session: Session, principal: Principal, scenario_id: uuid.UUID, *,
                limit: int, cursor: str | None) -> Page[SweepSummary]:
    """A page of the scenario's sweeps, newest first; another organisation's scenario is
    unknown (404)."""
    if ScenarioRepository(session, principal.organisation_id).get(scenario_id) is None:
        raise NotFound(f"no scenario {scenario_id}")
    rows = SweepRepository(session, principal.organisation_id).of_scenario(
        scenario_id, limit + 1, decode_time_cursor(cursor))
    page, more = rows[:limit], len(rows) > limit
    last = page[-1][0] if page else None
    return Page[SweepSummary](
        items=[_summary(sweep, done, total) for sweep, done, total in page],
        next_cursor=encode_time_cursor(last.created_at, last.id) if more and last else None,
    )


def _summary(sweep: Sweep, done: int, total: int) -> SweepSummary:
    budgets = sweep.spec.get("budgets") or [0.0]
    return SweepSummary(
        id=sweep.id,
        scenario_version=sweep.version_number,
        state=_state(sweep, done, total),  # type: ignore[arg-type]
        scale=sweep.spec.get("scale", "proportional"),
        budget_from=min(budgets),
        budget_to=max(budgets),
        points_done=done,
        points_total=total,
        explain=_explains(sweep),
        created_at=sweep.created_at,
        finished_at=sweep.finished_at,
        links=SweepLinks.model_validate(sweep_links(sweep.id)),
    )


def cancel_sweep(session: Session, principal: Principal, sweep_id: uuid.UUID) -> SweepOut:
    """Its queued points are cancelled at once, its running ones within a poll; points done
    stay, with their plans."""
    sweep = _sweep(session, principal, sweep_id)
    if sweep.state == "done":
        raise Conflict(f"sweep {sweep_id} has already finished")
    if sweep.state == "running":
        for row in _points(session, sweep):
            if row.state not in FINISHED_STATES and not row.cancel_requested:
                runs.cancel_run(session, principal, row.id)
        sweep.state = "cancelled"
        sweep.finished_at = utcnow()
        session.flush()
        audit.record(session, principal, "sweep.cancel", "sweep", str(sweep.id))
    return sweep_out(session, sweep)


def sweep_out(session: Session, sweep: Sweep) -> SweepOut:
    points = _frontier_rows(session, sweep)
    out: list[SweepPoint] = []
    previous: dict[Key, FundedRun] | None = None
    previous_known = True  # the point before is solved (or there is none)
    for row in points:
        plan = None if row.plan_status is None else funded_allocations(row.allocations or [])
        enter = leave = None
        if plan is not None and previous_known:
            enter, leave = enter_leave(previous, plan)
        out.append(SweepPoint(
            budget=row.sweep_budget or 0.0,
            run_id=row.id,
            state=row.state,
            status=row.result_status,
            objective=row.objective,
            bound=row.bound,
            gap=row.gap,
            corporation_spend=row.corporation_spend,
            enter=enter,
            leave=leave,
        ))
        previous, previous_known = plan, plan is not None
    finished = sum(1 for row in points if row.state in FINISHED_STATES)
    return SweepOut(
        id=sweep.id,
        scenario_id=sweep.scenario_id,
        scenario_version=sweep.version_number,
        state=_state(sweep, finished, len(points)),  # type: ignore[arg-type]
        scale=sweep.spec.get("scale", "proportional"),
        points_done=finished,
        points_total=len(points),
        explain=_explains(sweep),
        created_at=sweep.created_at,
        finished_at=sweep.finished_at,
        points=out,
    )


def _frontier_rows(session: Session, sweep: Sweep) -> Sequence[Row[Any]]:
    """Per point, in budget order, the few figures of its plan the frontier shows, read out of
    the stored recommendation by the database: a whole recommendation (its improvements, spend
    and explanation) is hundreds of kB, and a sweep page asks every second."""
    plan = Run.recommendation
    return session.execute(
        select(
            Run.id, Run.state, Run.result_status, Run.sweep_budget,
            plan["status"].as_string().label("plan_status"),
            plan["objective"].as_float().label("objective"),
            plan["bound"].as_float().label("bound"),
            plan["gap"].as_float().label("gap"),
            plan[("spend", "corporation_total")].as_float().label("corporation_spend"),
            plan["allocations"].label("allocations"),
        )
        .where(Run.sweep_id == sweep.id, Run.organisation_id == sweep.organisation_id)
        .order_by(Run.sweep_budget, Run.id)
    ).all()


def _explains(sweep: Sweep) -> bool:
    """Sweeps from before plan-only points explained every point."""
    return bool(sweep.spec.get("explain", True))


def _state(sweep: Sweep, finished: int, total: int) -> str:
    if sweep.state == "running" and finished == total:
        return "done"  # its runner settles it (and sends `sweep.finished`) at its next look
    return sweep.state


def _points(session: Session, sweep: Sweep) -> list[Run]:
    return list(session.scalars(
        select(Run).where(Run.sweep_id == sweep.id, Run.organisation_id == sweep.organisation_id)
        .order_by(Run.sweep_budget, Run.id)
    ))


def _sweep(session: Session, principal: Principal, sweep_id: uuid.UUID) -> Sweep:
    row = SweepRepository(session, principal.organisation_id).get(sweep_id)
    if row is None:
        raise NotFound(f"no sweep {sweep_id}")
    return row
