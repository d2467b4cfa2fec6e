"""Celery workers for a benchmark: `onderbouwd worker` processes on a PostgreSQL schema and a
broker queue and key prefix of their own, all removed at the end (as the tests' cluster in
tests/celery_workers.py, without pytest)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Cluster:
    database_url: str  # the schema of its own (search_path)
    broker_url: str
    queue: str
    prefix: str


@contextmanager
def own_schema(admin_url: str) -> Iterator[str]:
    """A new schema in the PostgreSQL database at `admin_url`, migrated; its URL. Dropped at
    the end."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.core.db import Database
    from app.core.migrations import upgrade

    schema = f"onderbouwd_bench_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    try:
        database = Database(rendered)
        upgrade(database.engine)
        database.dispose()
        yield rendered
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def celery_cluster(admin_url: str, broker_url: str, workers: int) -> Iterator[Cluster]:
    """`workers` worker processes, one solve at once each, answering on a queue of their own."""
    import redis

    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    queue, prefix = f"onderbouwd-bench-{token}", f"onderbouwd-bench-{token}:"
    with ExitStack() as stack:
        url = stack.enter_context(own_schema(admin_url))
        cluster = Cluster(database_url=url, broker_url=broker_url, queue=queue, prefix=prefix)
        stack.callback(_forget, redis.Redis.from_url(broker_url), prefix)
        for _ in range(workers):
            stack.enter_context(_worker(cluster))
        _wait_for_workers(cluster, workers)
        yield cluster


@contextmanager
def _worker(cluster: Cluster) -> Iterator[None]:
    env = {**os.environ, "ONDERBOUWD_DATABASE_URL": cluster.database_url,
           "ONDERBOUWD_BROKER_URL": cluster.broker_url, "ONDERBOUWD_BROKER_QUEUE": cluster.queue,
           "ONDERBOUWD_BROKER_KEY_PREFIX": cluster.prefix, "ONDERBOUWD_DEMO": "false",
           "ONDERBOUWD_WORKER_CONCURRENCY": "1"}
    log = tempfile.NamedTemporaryFile(prefix="onderbouwd-bench-worker-", suffix=".log",
                                      delete=False)
    process = subprocess.Popen([sys.executable, "-m", "app.cli.main", "worker"], cwd=ROOT,
                               env=env, start_new_session=True, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _wait_for_workers(cluster: Cluster, count: int, timeout_s: float = 90) -> None:
    from app.core.config import Settings
    from app.jobs.celery_app import answering_workers, make_celery

    app = make_celery(Settings(broker_url=cluster.broker_url, broker_queue=cluster.queue,
                               broker_key_prefix=cluster.prefix))
    deadline = time.monotonic() + timeout_s
    while len(answering_workers(app)) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"{count} Celery workers did not answer within {timeout_s:g} s")
        time.sleep(0.3)


def _forget(client: object, prefix: str) -> None:
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))  # type: ignore[attr-defined]
    if keys:
        client.delete(*keys)  # type: ignore[attr-defined]
