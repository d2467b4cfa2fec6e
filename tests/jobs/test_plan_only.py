"""A plan-only run (a budget-sweep point not asked to be explained): its solver process sends
the plan as its one answer, with no explanation, and the run ends with explanation `skipped`
as soon as the plan is written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from app.core.config import Settings
from app.core.db import Database
from app.jobs.worker import solve_document
from app.models import Run
from app.repositories.runs import RunQueue
from app.schemas.scenario import parse_scenario
from app.services.planning.solving import solve_inline
from tests.jobs.queue_helpers import design_example, queue_runs, run_rows
from tests.tenants import Tenant


@pytest.mark.parametrize("explain", [True, False])
def test_the_process_explains_only_when_asked(test_settings: Settings, explain: bool) -> None:
    document = design_example()
    document["solver"]["mip_gap"] = 0
    plans: list[dict[str, Any]] = []

    kind, answer = solve_document(document, test_settings, (), plans.append, explain)

    fresh = solve_inline(parse_scenario(document), test_settings, explain=False)
    assert kind == "done"
    assert answer["objective"] == pytest.approx(fresh.objective, abs=1e-6)
    assert (answer.get("explanation") is not None) is explain
    # the plan goes out ahead only when an explanation follows it
    assert len(plans) == (1 if explain else 0)


def test_a_plan_only_run_is_claimed_as_such_and_ends_skipped(
    db: Database, tenant_a: Tenant, test_settings: Settings
) -> None:
    plan_only, explained = queue_runs(db, tenant_a, 2)
    with db.transaction() as session:
        session.execute(update(Run).where(Run.id == plan_only).values(explain=False))
    with db.transaction() as session:
        queue = RunQueue(session)
        claims = {claim.id: claim for claim in (queue.claim("owner", 30), queue.claim("owner", 30))
                  if claim is not None}
    assert {run_id: claim.explain for run_id, claim in claims.items()} == {
        plan_only: False, explained: True}

    kind, answer = solve_document(claims[plan_only].document, test_settings, (), None, False)
    assert kind == "done"
    with db.transaction() as session:
        assert RunQueue(session).finish(plan_only, "owner", "done",
                                        result_status=answer["status"], recommendation=answer)
    row = run_rows(db, [plan_only])[plan_only]
    assert (row.state, row.explanation_state, row.lease_owner) == ("done", "skipped", None)
