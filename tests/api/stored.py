"""Helpers for tests of stored scenarios and runs over HTTP."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

SCENARIOS = "/api/v1/scenarios"
RUNS = "/api/v1/runs"
FINISHED = ("done", "failed", "cancelled")


def store(client: TestClient, document: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = client.post(SCENARIOS, json={"document": document}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def start(client: TestClient, scenario_id: str, body: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    response = client.post(f"{SCENARIOS}/{scenario_id}/runs", json=body)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"{RUNS}/{response.json()['id']}"
    run: dict[str, Any] = response.json()
    return run


def wait_until(client: TestClient, run_id: str, states: tuple[str, ...] = FINISHED,
               timeout_s: float = 60, explained: bool = True) -> dict[str, Any]:
    """The run once in one of `states` and, with `explained`, once its explanation is no
    longer pending (the plan of a done run comes first, its explanation after)."""
    deadline = time.monotonic() + timeout_s
    while True:
        run: dict[str, Any] = client.get(f"{RUNS}/{run_id}").json()
        explaining = run["state"] == "done" and run["explanation_state"] == "pending"
        if run["state"] in states and not (explained and explaining):
            return run
        assert time.monotonic() < deadline, f"run still {run['state']} after {timeout_s} s"
        time.sleep(0.05)


def without_timings(recommendation: dict[str, Any]) -> dict[str, Any]:
    """The answer without what measures the run rather than the plan (time, memory)."""
    copy = dict(recommendation)
    measured = {"timings", "peak_memory_mib"}
    solver = {k: v for k, v in copy["solver"].items() if k not in measured}
    # A stage's seconds (taken and given) measure the run; its name, plan value and bound are
    # the plan's. A run writes its plan (with its warnings) before explaining it, a synchronous
    # solve explains first: the same stages, in another order.
    measures = ("seconds", "allotted_s")
    solver["stages"] = sorted(({k: v for k, v in stage.items() if k not in measures}
                               for stage in solver.get("stages") or []), key=repr)
    copy["solver"] = solver
    return copy
