"""Many clients at once against a real server: requests/s, p50/p99 per route, errors.

    python -m benchmarks.load [--clients 50 200] [--seconds 60] [--processes 1 2]
                              [--databases sqlite postgresql] [--postgres-url URL]
                              [--backend embedded|celery] [--celery-workers 2]
                              [--broker-url redis://127.0.0.1:6379/0]

Per database, API processes and clients it starts `uvicorn app.main:app --workers N` on a free
port of 127.0.0.1 (each process with its embedded runner, one solver at a time), on a fresh
database: a SQLite file, or a schema of its own in PostgreSQL (dropped afterwards). With
`--backend celery` (PostgreSQL only) the API processes start no runner: the runs go to
`--celery-workers` `onderbouwd worker` processes on Redis, on a queue of their own
(`benchmarks/celery_cluster.py`), as in production. Two
organisations each get a planner key and a stored scenario (the DESIGN §3 example). Then the
clients, half of them per organisation, each send one request after another for the duration:

    reads   70 %  GET scenarios (list), a scenario, its version 1, the domains, runs (list)
    writes  25 %  PUT a domain (a new label), POST a scenario (the DESIGN §3 example)
    runs     5 %  POST a run of the organisation's scenario (solved by the runner)

An error is an answer outside 2xx (the organisations' active-run limit is raised for the load,
so a 429 is an error here as well) or no answer within 30 s. It prints one table per setup,
then a summary line each, in Markdown (docs/operations.md, "Capacity and limits").

`tests/api/service/test_concurrency.py` runs the same load, 50 clients for 10 s on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
DESIGN_EXAMPLE = json.loads((ROOT / "examples" / "design_example.json").read_text("utf-8"))
POSTGRES_URL = os.environ.get(
    "ONDERBOUWD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUEST_TIMEOUT_S = 30.0
ORGANISATIONS = ("Woonstichting Noord", "Woonstichting Zuid")


@dataclass
class Organisation:
    name: str
    key: str
    scenario_id: str = ""


@dataclass
class LoadResult:
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[tuple[str, str], dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def count(self, organisation: str, route: str, status: int) -> int:
        return self.statuses[(organisation, route)].get(status, 0)

    def table(self) -> str:
        lines = ["| route | requests | p50 ms | p99 ms |", "| --- | ---: | ---: | ---: |"]
        for route in sorted(self.latencies):
            values = self.latencies[route]
            lines.append(f"| {route} | {len(values):,} | {_percentile(values, 50) * 1000:,.0f} "
                         f"| {_percentile(values, 99) * 1000:,.0f} |")
        return "\n".join(lines)


def _percentile(values: list[float], percent: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(percent) - 1]


# --- the database and the server ---------------------------------------------------------


@contextmanager
def fresh_database(kind: str, folder: Path, postgres_url: str = POSTGRES_URL) -> Iterator[str]:
    """The URL of a new, migrated database: a SQLite file in `folder`, or a PostgreSQL schema
    of its own (dropped at the end)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.core.db import Database
    from app.core.migrations import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{folder / 'load.db'}"
        database = Database(url)
        upgrade(database.engine)
        database.dispose()
        yield url
        return
    schema = f"onderbouwd_load_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres_url).update_query_dict(
            {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
        database = Database(url)
        upgrade(database.engine)
        database.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def make_organisations(url: str) -> list[Organisation]:
    """Two organisations, each with a planner key (made as the command line makes them)."""
    from app.core.db import Database
    from app.core.security import Role
    from app.services.access.keys import cli_principal, create_key, ensure_organisation

    database = Database(url)
    made = []
    try:
        with database.transaction() as session:
            for name in ORGANISATIONS:
                organisation, _ = ensure_organisation(session, name)
                key = create_key(session, cli_principal(organisation), "load", Role.planner).key
                made.append(Organisation(name, key))
    finally:
        database.dispose()
    return made


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(url: str, processes: int = 1, log: Path | None = None,
           extra: dict[str, str] | None = None) -> Iterator[str]:
    """`uvicorn app.main:app` on a free port in processes of its own (with the settings in
    `extra` besides); yields its base URL."""
    port = _free_port()
    environment = {
        **os.environ,
        **(extra or {}),
        "ONDERBOUWD_DATABASE_URL": url,
        "ONDERBOUWD_DEMO": "false",
        "ONDERBOUWD_RUNNER_WORKERS": "1",
        "ONDERBOUWD_WEBHOOK_DISPATCHER_ENABLED": "false",
        "ONDERBOUWD_ORG_MAX_ACTIVE_RUNS": "10000",
    }
    output = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(processes), "--log-level", "warning"],
        cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start (exit {process.returncode})")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /health within 120 s")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            output.close()  # type: ignore[union-attr]


# --- the clients -------------------------------------------------------------------------


def _scenario_body(organisation: Organisation, number: int) -> dict[str, Any]:
    return {"name": f"{organisation.name} {number}", "document": DESIGN_EXAMPLE}


async def _prepare(client: httpx.AsyncClient, organisations: list[Organisation]) -> None:
    for organisation in organisations:
        response = await client.post("/api/v1/scenarios", json=_scenario_body(organisation, 0),
                                     headers=_headers(organisation))
        response.raise_for_status()
        organisation.scenario_id = response.json()["id"]


def _headers(organisation: Organisation) -> dict[str, str]:
    return {"Authorization": f"Bearer {organisation.key}"}


def _request(organisation: Organisation, rng: random.Random,
             number: int) -> tuple[str, str, str, Any]:
    """(route, method, path, JSON body or None) of one request drawn from the mix."""
    scenario = organisation.scenario_id
    draw = rng.random()
    if draw < 0.70:
        route, path = rng.choice([
            ("GET /scenarios", "/api/v1/scenarios"),
            ("GET /scenarios/{id}", f"/api/v1/scenarios/{scenario}"),
            ("GET /scenarios/{id}/versions/1", f"/api/v1/scenarios/{scenario}/versions/1"),
            ("GET /domains", "/api/v1/domains"),
            ("GET /runs", "/api/v1/runs"),
        ])
        return route, "GET", path, None
    if draw < 0.85:
        key = rng.choice(["amenities", "nuisance_safety", "social_cohesion"])
        return ("PUT /domains/{key}", "PUT", f"/api/v1/domains/{key}",
                {"label": f"label {number}"})
    if draw < 0.95:
        return "POST /scenarios", "POST", "/api/v1/scenarios", _scenario_body(organisation,
                                                                               number)
    return "POST /scenarios/{id}/runs", "POST", f"/api/v1/scenarios/{scenario}/runs", {}


async def _client(base: str, organisation: Organisation, seed: int, until: float,
                  result: LoadResult) -> None:
    rng = random.Random(seed)
    number = 0
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S,
                                 headers=_headers(organisation)) as client:
        while time.monotonic() < until:
            number += 1
            route, method, path, body = _request(organisation, rng, seed * 1_000_000 + number)
            started = time.monotonic()
            try:
                response = await client.request(method, path, json=body)
                status = response.status_code
                detail = response.text[:200]
            except httpx.HTTPError as error:
                status, detail = 0, f"{type(error).__name__}: {error}"
            result.latencies[route].append(time.monotonic() - started)
            result.statuses[(organisation.name, route)][status] += 1
            if not 200 <= status < 300:
                result.errors.append(f"{route} [{organisation.name}]: {status} {detail}")


async def _load(base: str, organisations: list[Organisation], clients: int,
                seconds: float) -> LoadResult:
    async with httpx.AsyncClient(base_url=base, timeout=REQUEST_TIMEOUT_S) as client:
        await _prepare(client, organisations)
    result = LoadResult(seconds=seconds)
    until = time.monotonic() + seconds
    await asyncio.gather(*(
        _client(base, organisations[index % len(organisations)], index, until, result)
        for index in range(clients)
    ))
    return result


def run_load(base: str, organisations: list[Organisation], clients: int,
             seconds: float) -> LoadResult:
    """`clients` clients for `seconds` against the server at `base`."""
    return asyncio.run(_load(base, organisations, clients, seconds))


# --- the benchmark -----------------------------------------------------------------------


@contextmanager
def _backend(kind: str, folder: Path, arguments: argparse.Namespace
             ) -> Iterator[tuple[str, dict[str, str]]]:
    """The database URL and the server's extra settings: a fresh database for the embedded
    runner, or a Celery cluster (its own schema, workers, queue) and the settings to reach it."""
    if arguments.backend == "embedded":
        with fresh_database(kind, folder, arguments.postgres_url) as url:
            yield url, {}
        return
    from benchmarks.celery_cluster import celery_cluster

    with celery_cluster(arguments.postgres_url, arguments.broker_url,
                        arguments.celery_workers) as cluster:
        yield cluster.database_url, {
            "ONDERBOUWD_BROKER_URL": cluster.broker_url,
            "ONDERBOUWD_BROKER_QUEUE": cluster.queue,
            "ONDERBOUWD_BROKER_KEY_PREFIX": cluster.prefix,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--backend", choices=["embedded", "celery"], default="embedded")
    parser.add_argument("--celery-workers", type=int, default=2)
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/0")
    arguments = parser.parse_args()
    if arguments.backend == "celery" and arguments.databases != ["postgresql"]:
        parser.error("--backend celery runs on PostgreSQL: add --databases postgresql")

    summary = ["| database | API processes | clients | requests/s | read p50 ms | read p99 ms "
               "| write p99 ms | errors |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: "
               "| ---: |"]
    for kind in arguments.databases:
        for processes in arguments.processes:
            for clients in arguments.clients:
                with tempfile.TemporaryDirectory(prefix="onderbouwd-load-") as folder, \
                        _backend(kind, Path(folder), arguments) as (url, extra):
                    organisations = make_organisations(url)
                    with server(url, processes, Path(folder) / "server.log", extra) as base:
                        result = run_load(base, organisations, clients, arguments.seconds)
                    log = (Path(folder) / "server.log").read_text(errors="replace")
                reads = [v for route, values in result.latencies.items()
                         if route.startswith("GET") for v in values]
                writes = [v for route, values in result.latencies.items()
                          if not route.startswith("GET") for v in values]
                label = kind if arguments.backend == "embedded" else \
                    f"{kind} + {arguments.celery_workers} Celery workers"
                print(f"\n### {label}, {processes} API process{'es' * (processes > 1)}, "
                      f"{clients} clients, {arguments.seconds:.0f} s\n")
                print(result.table())
                if result.errors:
                    print(f"\n{len(result.errors)} errors, e.g. {result.errors[:3]}")
                    print("server log (end):", log[-2000:])
                rate = result.requests / result.seconds
                read_p50, read_p99 = _percentile(reads, 50) * 1000, _percentile(reads, 99) * 1000
                summary.append(
                    f"| {label} | {processes} | {clients} | {rate:,.1f} | {read_p50:,.0f} "
                    f"| {read_p99:,.0f} | {_percentile(writes, 99) * 1000:,.0f} "
                    f"| {len(result.errors)} |")
                sys.stdout.flush()
    print("\n" + "\n".join(summary))


if __name__ == "__main__":
    main()
