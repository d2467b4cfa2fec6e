"""API servers, a private redis-server and the runs' rows, for tests across processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import select

from app.core.db import Database
from app.models import Run, WebhookEvent
from tests.celery_workers import ROOT, WORKER_ENVIRONMENT, Broker

FINISHED = ("done", "failed", "cancelled")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def api_server(database: Database, broker: Broker, **environment: str) -> Iterator[str]:
    """`onderbouwd serve` on a free port with the Celery backend; its base URL."""
    port = free_port()
    env = {**os.environ, **WORKER_ENVIRONMENT, **broker.environment(),
           "ONDERBOUWD_DATABASE_URL": database.url.render_as_string(hide_password=False),
           "ONDERBOUWD_WEBHOOK_DISPATCHER_ENABLED": "false", **environment}
    log = Path(tempfile.mkstemp(prefix="onderbouwd-api-", suffix=".log")[1])
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "serve", "--port", str(port)], cwd=ROOT,
            env=env, start_new_session=True, stdout=sink, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the API did not come up"
            time.sleep(0.1)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        log.unlink(missing_ok=True)


def require_redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        reason = "redis-server is not installed (the broker restart test starts its own)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: it is required)", pytrace=False)
        pytest.skip(reason)
    return path


class PrivateRedis:
    """A redis-server of the test's own on a free port, without persistence: a restart loses
    every message, as a broker restart at its worst does."""

    def __init__(self) -> None:
        self.binary = require_redis_server()
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", tempfile.gettempdir()],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                assert time.monotonic() < deadline, "the private redis-server did not start"
                time.sleep(0.1)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def rows(database: Database, ids: list[uuid.UUID]) -> dict[uuid.UUID, Run]:
    with database.sessions() as session:
        return {run_id: session.get_one(Run, run_id) for run_id in ids}


def wait_for_states(database: Database, ids: list[uuid.UUID], states: tuple[str, ...] = FINISHED,
                    timeout_s: float = 120, count: int | None = None) -> dict[uuid.UUID, Run]:
    """Wait until `count` (default: all) of the runs are in one of `states`."""
    needed = len(ids) if count is None else count
    deadline = time.monotonic() + timeout_s
    while True:
        found = rows(database, ids)
        if sum(row.state in states for row in found.values()) >= needed:
            return found
        assert time.monotonic() < deadline, {str(k): v.state for k, v in found.items()}
        time.sleep(0.2)


def finish_events(database: Database, run_id: uuid.UUID) -> list[dict[str, Any]]:
    """The run.finished / run.failed events written for the run: one per final write."""
    with database.sessions() as session:
        events = session.scalars(select(WebhookEvent)).all()
        return [event.data for event in events if event.data.get("run_id") == str(run_id)]
