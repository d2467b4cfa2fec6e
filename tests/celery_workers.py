"""Real Celery workers for tests: `onderbouwd worker` subprocesses on a Redis broker.

Each test process gets a queue and a key prefix of its own in Redis (`unique_broker`), so
parallel test processes, and other installations on the same Redis, never meet. Redis is looked
for at `ONDERBOUWD_TEST_REDIS_URL` (default redis://127.0.0.1:6379/0); when it does not answer
the tests are skipped with the reason, except under `CI=true`, where that fails the run.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from app.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("ONDERBOUWD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Fast enough for tests: a lost worker's run is taken over within seconds.
WORKER_ENVIRONMENT = {
    "ONDERBOUWD_DEMO": "false",
    "ONDERBOUWD_RUNNER_LEASE_S": "15",
    "ONDERBOUWD_STALE_CHECK_S": "1",
    "ONDERBOUWD_REQUEUE_AFTER_S": "4",
    "ONDERBOUWD_WORKER_CONCURRENCY": "1",
}


def require_redis(url: str = REDIS_URL) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        reason = f"Redis is not reachable at {url} ({error}); start it, or set " \
                 "ONDERBOUWD_TEST_REDIS_URL"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: Redis is required)", pytrace=False)
        pytest.skip(reason)


@dataclass(frozen=True)
class Broker:
    url: str
    queue: str
    prefix: str

    def settings(self) -> dict[str, Any]:
        return {"broker_url": self.url, "broker_queue": self.queue,
                "broker_key_prefix": self.prefix}

    def environment(self) -> dict[str, str]:
        return {"ONDERBOUWD_BROKER_URL": self.url, "ONDERBOUWD_BROKER_QUEUE": self.queue,
                "ONDERBOUWD_BROKER_KEY_PREFIX": self.prefix}

    def forget(self) -> None:
        """Delete every key of this broker's prefix."""
        try:
            client = redis.Redis.from_url(self.url, socket_connect_timeout=2)
            keys = list(client.scan_iter(match=f"{self.prefix}*", count=500))
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass


def unique_broker(url: str = REDIS_URL) -> Broker:
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return Broker(url=url, queue=f"onderbouwd-test-{token}", prefix=f"onderbouwd-test-{token}:")


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its solver processes."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@contextmanager
def worker(database_url: str, broker: Broker, **environment: str) -> Iterator[WorkerProcess]:
    """An `onderbouwd worker` subprocess; killed at the end."""
    log = Path(tempfile.mkstemp(prefix="onderbouwd-worker-", suffix=".log")[1])
    env = {**os.environ, **WORKER_ENVIRONMENT, **broker.environment(),
           "ONDERBOUWD_DATABASE_URL": database_url, **environment}
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "app.cli.main", "worker"], cwd=ROOT,
                                   env=env, start_new_session=True, stdout=sink,
                                   stderr=subprocess.STDOUT)
    handle = WorkerProcess(process, log)
    try:
        yield handle
    finally:
        handle.kill()
        if not os.environ.get("ONDERBOUWD_TEST_KEEP_LOGS"):  # for reading after a failure
            log.unlink(missing_ok=True)


def wait_for_workers(settings: Settings, count: int, timeout_s: float = 60) -> list[str]:
    """Wait until `count` workers answer a ping on this broker; their names."""
    from app.jobs.celery_app import answering_workers, make_celery

    app = make_celery(settings)
    deadline = time.monotonic() + timeout_s
    while True:
        names = answering_workers(app)
        if len(names) >= count:
            return names
        assert time.monotonic() < deadline, f"{len(names)} of {count} workers answered"
        time.sleep(0.3)


@pytest.fixture(scope="session")
def celery_cluster(database: Any) -> Iterator[Broker]:
    """Two `onderbouwd worker` processes on a broker of this test process's own, on the
    session's PostgreSQL database (the Celery backend is for production: PostgreSQL)."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the Celery backend is tested on PostgreSQL")
    require_redis()
    broker = unique_broker()
    url = database.url.render_as_string(hide_password=False)
    try:
        # These workers live through the whole test process, on the schema its other tests
        # use: their stale-run check would take over those tests' expired leases and queued
        # runs. It is tested with workers of their own (tests/distributed).
        quiet = {"ONDERBOUWD_STALE_CHECK_S": "3600", "ONDERBOUWD_REQUEUE_AFTER_S": "3600"}
        with worker(url, broker, **quiet) as first, worker(url, broker, **quiet) as second:
            try:
                wait_for_workers(Settings(**broker.settings()), 2)
            except AssertionError:
                raise AssertionError(first.output()[-3000:] + second.output()[-3000:]) from None
            yield broker
    finally:
        broker.forget()
