"""A sweep is settled (done, one `sweep.finished` event) when its last two points end at once,
in two transactions of two workers, with no periodic pass to catch it afterwards (the Celery
workers have none between their stale checks)."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select

from app.core.config import Settings
from app.core.db import Database
from app.core.security import Principal, Role
from app.models import Run, Sweep, WebhookEvent
from app.repositories.runs import RunQueue
from app.schemas.stored import ScenarioWrite
from app.schemas.workshop import SweepCreate
from app.services.planning import scenarios
from app.services.workshop import sweeps
from tests.jobs.queue_helpers import design_example
from tests.tenants import Tenant

PLAN = {"status": "optimal", "objective": 1.0, "allocations": []}


def _sweep_of_two(db: Database, tenant: Tenant) -> tuple[uuid.UUID, list[uuid.UUID]]:
    principal = Principal(organisation_id=tenant.organisation_id, organisation_name=tenant.name,
                          role=Role.planner, actor="test")
    with db.transaction() as session:
        scenario = scenarios.create_scenario(
            session, principal, ScenarioWrite.model_validate({"document": design_example()}),
            None)
        answer = sweeps.create_sweep(
            session, principal, uuid.UUID(scenario.body["id"]),
            SweepCreate.model_validate({"budget": {"values": [200000, 400000]}}), None,
            Settings())
        sweep_id = uuid.UUID(answer.body["id"])
        points = [uuid.UUID(str(p["run_id"])) for p in answer.body["points"]]
    return sweep_id, points


def test_two_last_points_written_side_by_side_settle_the_sweep_once(
    db: Database, tenant_a: Tenant
) -> None:
    sweep_id, (first, second) = _sweep_of_two(db, tenant_a)
    for run_id, owner in ((first, "worker-1"), (second, "worker-2")):
        with db.transaction() as session:
            assert RunQueue(session).claim_run(run_id, owner, 60) is not None
    second_written = threading.Event()
    errors: list[BaseException] = []

    def write_second() -> None:
        try:
            with db.transaction() as session:
                assert RunQueue(session).record_plan(second, "worker-2", PLAN)
            second_written.set()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    other = threading.Thread(target=write_second)
    with db.transaction() as session:
        assert RunQueue(session).record_plan(first, "worker-1", PLAN)
        other.start()
        # The other worker writes its point while this one's is not yet committed: either it
        # waits for this commit, or it commits first (and this transaction must see that).
        second_written.wait(1.0)
    other.join(30)
    assert not errors, errors

    with db.read_transaction() as session:
        sweep = session.execute(select(Sweep.state, Sweep.finished_at)
                                .where(Sweep.id == sweep_id)).one()
        events = session.scalars(select(WebhookEvent.data).where(
            WebhookEvent.type == "sweep.finished")).all()
        states = session.scalars(select(Run.state).where(Run.sweep_id == sweep_id)).all()
    assert sorted(states) == ["done", "done"]
    assert (sweep.state, sweep.finished_at is not None) == ("done", True)
    assert [(e["sweep_id"], e["points_done"]) for e in events] == [(str(sweep_id), 2)]


def test_the_stale_check_settles_a_sweep_whose_points_were_cancelled_one_by_one(
    db: Database, tenant_a: Tenant, test_settings: Settings
) -> None:
    from app.jobs.celery_app import make_celery
    from app.jobs.stale_check import check_stale_runs
    from app.services.planning import runs
    from tests.celery_workers import require_redis, unique_broker

    require_redis()
    broker = unique_broker()
    settings = test_settings.model_copy(update=broker.settings())
    sweep_id, points = _sweep_of_two(db, tenant_a)
    principal = Principal(organisation_id=tenant_a.organisation_id,
                          organisation_name=tenant_a.name, role=Role.planner, actor="test")
    with db.transaction() as session:  # each point on its own: no worker writes their end
        for run_id in points:
            runs.cancel_run(session, principal, run_id)
    try:
        check_stale_runs(db, settings, make_celery(settings))
    finally:
        broker.forget()

    with db.read_transaction() as session:
        state = session.scalar(select(Sweep.state).where(Sweep.id == sweep_id))
        events = session.scalars(select(WebhookEvent.data).where(
            WebhookEvent.type == "sweep.finished")).all()
    assert state == "done"
    assert [(e["sweep_id"], e["points_done"]) for e in events] == [(str(sweep_id), 0)]
