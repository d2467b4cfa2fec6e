"""The lease-based queue: atomic claims, stale leases taken over, writes only with the lease."""

from __future__ import annotations

import threading
import time
import uuid

from app.core.db import Database
from app.models import Run
from app.repositories.runs import RunQueue
from tests.jobs.queue_helpers import queue_runs, run_rows
from tests.tenants import Tenant


def _claim(database: Database, owner: str, lease_s: float = 30):  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        return RunQueue(session).claim(owner, lease_s)


class TestClaim:
    def test_racing_claimers_each_get_different_runs(self, db: Database,
                                                     tenant_a: Tenant) -> None:
        ids = queue_runs(db, tenant_a, 12)
        claimed: list[tuple[str, uuid.UUID]] = []
        lock = threading.Lock()

        def claimer(owner: str) -> None:
            while (run := _claim(db, owner)) is not None:
                with lock:
                    claimed.append((owner, run.id))

        threads = [threading.Thread(target=claimer, args=(f"runner-{i}",)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(run_id for _, run_id in claimed) == sorted(ids)
        rows = run_rows(db, ids)
        assert all(row.attempts == 1 and row.state == "running" for row in rows.values())
        assert {rows[run_id].lease_owner for _, run_id in claimed} <= {
            f"runner-{i}" for i in range(4)}
        assert all(rows[run_id].lease_owner == owner for owner, run_id in claimed)

    def test_a_live_lease_is_not_taken(self, db: Database, tenant_a: Tenant) -> None:
        queue_runs(db, tenant_a, 1)
        assert _claim(db, "first") is not None
        assert _claim(db, "second") is None

    def test_a_stale_lease_is_taken_over_and_the_old_owner_can_write_nothing(
        self, db: Database, tenant_a: Tenant
    ) -> None:
        [run_id] = queue_runs(db, tenant_a, 1)
        assert _claim(db, "crashed", lease_s=0.2) is not None
        time.sleep(0.4)

        taken = _claim(db, "successor")

        assert taken is not None
        assert (taken.id, taken.attempts) == (run_id, 2)
        with db.transaction() as session:
            queue = RunQueue(session)
            assert not queue.heartbeat(run_id, "crashed", 30)
            assert not queue.finish(run_id, "crashed", "failed", error="late")
            assert queue.finish(run_id, "successor", "done", result_status="optimal",
                                recommendation={"status": "optimal"})
        row = run_rows(db, [run_id])[run_id]
        assert (row.state, row.lease_owner, row.error) == ("done", None, None)

    def test_a_cancelled_run_is_never_claimed(self, db: Database, tenant_a: Tenant) -> None:
        [run_id] = queue_runs(db, tenant_a, 1)
        assert _claim(db, "a", lease_s=0.1) is not None
        with db.transaction() as session:
            session.get_one(Run, run_id).cancel_requested = True
        time.sleep(0.2)
        assert _claim(db, "b") is None
        with db.transaction() as session:
            assert RunQueue(session).cancel_abandoned() == 1
        assert run_rows(db, [run_id])[run_id].state == "cancelled"


class TestRelease:
    def test_a_clean_stop_does_not_count_an_attempt(self, db: Database,
                                                    tenant_a: Tenant) -> None:
        [run_id] = queue_runs(db, tenant_a, 1)
        _claim(db, "stopping")
        with db.transaction() as session:
            assert RunQueue(session).release(run_id, "stopping", count_attempt=False)
        again = _claim(db, "next")
        assert again is not None
        assert again.attempts == 1
