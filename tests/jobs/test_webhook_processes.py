"""A server killed after a run's commit and before its webhook went out: the event is in the
outbox, and after a restart (here two servers at once) it is delivered exactly once."""

from __future__ import annotations

import os
import signal
import time

import httpx
from standardwebhooks import Webhook as Verifier

from app.core.db import Database
from tests.api.stored import wait_until
from tests.jobs.test_processes import _environment, _free_port, _process, _until_up
from tests.receiver import receiver
from tests.tenants import Tenant


def test_an_event_committed_before_a_kill_is_delivered_once_after_restart(
    db: Database, tenant_a: Tenant, design_example: dict
) -> None:
    common = {"ONDERBOUWD_WEBHOOK_ALLOW_PRIVATE": "true", "ONDERBOUWD_WEBHOOK_POLL_S": "0.1"}
    # The first server commits the run and its event but never gets to deliver it.
    silent = _environment(db, ONDERBOUWD_WEBHOOK_DISPATCHER_ENABLED="false", **common)
    delivering = _environment(db, **common)
    ports = [_free_port() for _ in range(3)]

    with receiver() as hook:
        with _process(["serve", "--port", str(ports[0])], silent) as first:
            base = f"http://127.0.0.1:{ports[0]}"
            _until_up(base)
            admin = httpx.Client(base_url=base, headers=tenant_a.headers("admin"), timeout=30)
            created = admin.post("/api/v1/webhooks",
                                 json={"url": hook.url, "events": ["run.finished"]}).json()
            scenario = admin.post("/api/v1/scenarios", json={"document": design_example}).json()
            run = admin.post(f"/api/v1/scenarios/{scenario['id']}/runs").json()
            wait_until(admin, run["id"])  # type: ignore[arg-type]
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        assert hook.received == []

        with _process(["serve", "--port", str(ports[1])], delivering), \
                _process(["serve", "--port", str(ports[2])], delivering):
            _until_up(f"http://127.0.0.1:{ports[1]}")
            _until_up(f"http://127.0.0.1:{ports[2]}")
            [request] = hook.wait_for(1)
            time.sleep(1.5)  # room for a duplicate to show up, were there one
            received = list(hook.received)
            admin = httpx.Client(base_url=f"http://127.0.0.1:{ports[1]}",
                                 headers=tenant_a.headers("admin"), timeout=30)
            [delivery] = admin.get(f"/api/v1/webhooks/{created['id']}/deliveries").json()["items"]

    assert received == [request]
    payload = Verifier(created["secret"]).verify(request.body, request.headers)
    assert payload["data"]["run_id"] == run["id"]
    assert delivery["state"] == "delivered"
    assert [(a["number"], a["outcome"]) for a in delivery["attempts"]] == [(1, "delivered")]
