"""The workshop side end to end through the API, on the Utrecht demo scenario.

    python -m benchmarks.workshop [--repeat 10] [--points 12] [--workers 2]
    python -m benchmarks.workshop --backend celery [--broker-url redis://127.0.0.1:6379/0]
                                  [--database-url postgresql+psycopg://postgres@127.0.0.1/test]

1. What-if, warm: a solved demo run, then `--repeat` what-ifs through `POST /runs/{id}/whatif`
   (half toggle a lock on a funded run, half raise one year's budget by 10 %), each timed from
   request to the answer with the plan and the comparison; the median against the 2 s target.
2. Sweep: a `--points`-point budget sweep on `--workers` runner workers, against the same
   points solved one after the other in one process (`solve_inline`, plan only); the ratio
   against the 0.6 target.
`--backend embedded` (the default): a fresh SQLite file in a temporary folder, the embedded
runner with `--workers` solver processes. `--backend celery`: `--workers` `onderbouwd worker`
processes (one solve at once each) on a PostgreSQL schema of their own in `--database-url` and a
queue and key prefix of their own on the Redis at `--broker-url`; all removed at the end.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.core.config import Settings
    from app.core.db import Database


def main() -> None:
    from app.schemas.scenario import parse_scenario
    from app.services.planning.solving import solve_inline
    from app.services.workshop.sweeps import document_at

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--points", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=("embedded", "celery"), default="embedded")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--database-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    with _backend(args) as (database, settings):
        document, sweep, sweep_s = _measure(args, database, settings)
    # One after the other in this process, once the workers are gone (Celery workers may still
    # be explaining the last points).
    started = time.perf_counter()
    for point in sweep["points"]:
        solve_inline(parse_scenario(document_at(document, point["budget"], "proportional")),
                     settings, explain=False)
    serial_s = time.perf_counter() - started
    print(f"sweep of {args.points} points on {args.workers} {args.backend} workers: "
          f"{sweep_s:.1f} s; "
          f"{args.points} single solves one after the other: {serial_s:.1f} s; "
          f"ratio {sweep_s / serial_s:.2f} (target < 0.6)")


@contextmanager
def _backend(args: argparse.Namespace) -> Iterator[tuple[Database, Settings]]:
    """The database and the app's settings of the chosen job backend."""
    from app.core.config import Settings
    from app.core.db import Database
    from app.core.migrations import upgrade

    if args.backend == "celery":
        from benchmarks.celery_cluster import celery_cluster

        with celery_cluster(args.database_url, args.broker_url, args.workers) as cluster:
            database = Database(cluster.database_url)
            settings = Settings(database_url=cluster.database_url, demo=False,
                                webhook_dispatcher_enabled=False,
                                broker_url=cluster.broker_url, broker_queue=cluster.queue,
                                broker_key_prefix=cluster.prefix)
            try:
                yield database, settings
            finally:
                database.dispose()
        return
    folder = Path(tempfile.mkdtemp(prefix="onderbouwd-workshop-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    database = Database(url)
    upgrade(database.engine)
    yield database, Settings(database_url=url, demo=False, runner_workers=args.workers,
                             webhook_dispatcher_enabled=False)


def _measure(args: argparse.Namespace, database: Database, settings: Settings
             ) -> tuple[dict[str, Any], dict[str, Any], float]:
    """The what-ifs (printed), then the sweep: the scenario's document, the finished sweep
    and its seconds."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.services.catalogue.demo import ensure_demo, fresh_demo_key

    with database.transaction() as session:
        ensure_demo(session, "Demo")
        key = fresh_demo_key(session, "Demo", "benchmark")
    api = "/api/v1"
    with TestClient(create_app(settings, database=database),
                    headers={"Authorization": f"Bearer {key}"}) as client:
        scenario = client.get(f"{api}/scenarios").json()["items"][0]["id"]
        run = client.post(f"{api}/scenarios/{scenario}/runs").json()
        parent = _wait(client, f"{api}/runs/{run['id']}")
        document: dict[str, Any] = parent["recommendation"] and client.get(
            f"{api}/scenarios/{scenario}/versions/1").json()["document"]
        funded = parent["recommendation"]["allocations"][0]
        seconds, solving = [], []
        for n in range(args.repeat):
            if n % 2 == 0:
                locks = copy.deepcopy(document["rules"].get("locks") or [])
                locks.append({"intervention": funded["intervention"],
                              "neighbourhood": funded["neighbourhood"], "fund": False})
                patch: Any = {"rules": {"locks": locks}}
            else:
                years = list(document["budget"]["per_year"])
                years[1] = round(years[1] * 1.1, 2)
                patch = {"budget": {"per_year": years}}
            started = time.perf_counter()
            answer = client.post(f"{api}/runs/{parent['id']}/whatif", json=patch,
                                 params={"wait": 60},
                                 headers={"Content-Type": "application/merge-patch+json"})
            seconds.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
            # The solve's own seconds (building, stages; no explanation: it follows the plan).
            solving.append(answer.json()["run"]["recommendation"]["solver"]["timings"]["total_s"])
            _wait(client, f"{api}/runs/{answer.json()['run']['id']}", explained=True)
        print(f"what-if, median of {args.repeat}: {statistics.median(seconds):.2f} s "
              f"(min {min(seconds):.2f}, max {max(seconds):.2f}; target < 2 s)")
        rest = [whole - solve for whole, solve in zip(seconds, solving, strict=True)]
        print(f"  of which the solve (median) {statistics.median(solving):.2f} s, the rest (the "
              f"job, the database, the comparison) {statistics.median(rest):.2f} s")

        total = float(document["budget"]["total"])
        body = {"budget": {"from": round(0.4 * total, 2), "to": round(1.5 * total, 2),
                           "steps": args.points}}
        started = time.perf_counter()
        created = client.post(f"{api}/scenarios/{scenario}/sweeps", json=body)
        sweep = _wait_sweep(client, created.headers["location"])
        sweep_s = time.perf_counter() - started
    return document, sweep, sweep_s


def _wait(client: Any, path: str, explained: bool = False) -> dict[str, Any]:
    while True:
        run: dict[str, Any] = client.get(path).json()
        pending = run["state"] == "done" and run["explanation_state"] == "pending"
        if run["state"] in ("done", "failed", "cancelled") and not (explained and pending):
            return run
        time.sleep(0.05)


def _wait_sweep(client: Any, path: str) -> dict[str, Any]:
    while True:
        sweep: dict[str, Any] = client.get(path).json()
        if sweep["state"] != "running":
            return sweep
        # As a client would (the frontier page asks every second): the answer carries every
        # point's plan differences, and asking 20 times a second took a core from the workers.
        time.sleep(0.5)


if __name__ == "__main__":
    main()
