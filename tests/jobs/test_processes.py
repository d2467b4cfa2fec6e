"""Real processes on one database: a server killed mid-run, and two runners side by side."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.core.db import Database
from tests.api.planning.test_health_during_solve import slow_scenario
from tests.api.stored import wait_until
from tests.jobs.queue_helpers import queue_runs, run_rows
from tests.tenants import Tenant

ROOT = Path(__file__).resolve().parents[2]


def _environment(db: Database, **extra: str) -> dict[str, str]:
    return {**os.environ, "ONDERBOUWD_DATABASE_URL": db.url.render_as_string(False),
            "ONDERBOUWD_DEMO": "false", "ONDERBOUWD_RUNNER_POLL_S": "0.1", **extra}


@contextmanager
def _process(args: list[str], environment: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT,
                               env=environment, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        if process.stderr is not None:
            process.stderr.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _until_up(base: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the server did not come up"
        time.sleep(0.1)


def test_a_run_survives_its_server_being_killed(db: Database, tenant_a: Tenant) -> None:
    document = slow_scenario()
    document["solver"]["time_limit_s"] = 4
    environment = _environment(db, ONDERBOUWD_RUNNER_LEASE_S="2")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    serve = ["serve", "--port", str(port)]

    with _process(serve, environment) as first:
        _until_up(base)
        client = httpx.Client(base_url=base, headers=tenant_a.headers(), timeout=30)
        scenario = client.post("/api/v1/scenarios", json={"document": document}).json()
        run = client.post(f"/api/v1/scenarios/{scenario['id']}/runs").json()
        wait_until(client, run["id"], ("running",))  # type: ignore[arg-type]
        os.kill(first.pid, signal.SIGKILL)  # the server only: its solver must notice
        first.wait(10)

    with _process(serve, environment):
        _until_up(base)
        done = wait_until(client, run["id"], timeout_s=60)  # type: ignore[arg-type]

    assert (done["state"], done["attempts"]) == ("done", 2)
    assert done["status"] in ("optimal", "feasible")


def test_two_runners_never_solve_the_same_run(db: Database, tenant_a: Tenant) -> None:
    ids: list[uuid.UUID] = queue_runs(db, tenant_a, 8)
    environment = _environment(db, ONDERBOUWD_RUNNER_WORKERS="1")

    with _process(["worker"], environment), _process(["worker"], environment):
        deadline = time.monotonic() + 90
        while not all(row.state == "done" for row in run_rows(db, ids).values()):
            assert time.monotonic() < deadline, "the runs were not all solved"
            time.sleep(0.2)

    rows = run_rows(db, ids)
    assert [row.attempts for row in rows.values()] == [1] * len(ids)
    assert len({row.recommendation["objective"] for row in rows.values()  # type: ignore[index]
                }) == 1
