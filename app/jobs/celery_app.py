"""The Celery job backend: runs are tasks on a Redis broker, solved by `onderbouwd worker`.

Settings that make a task survive its worker:
- late acknowledgement (`task_acks_late`): a message is acknowledged when its task ends, so a
  worker lost mid-solve leaves it unacknowledged, and Redis hands it out again once the
  visibility timeout has passed; a pool process lost mid-task rejects it back at once
  (`task_reject_on_worker_lost`);
- the visibility timeout is above the longest a task can take (the largest time limit the
  server grants, plus explaining, grace and a lease), so a task still at work is never handed to
  a second worker;
- one message reserved per worker thread (`worker_prefetch_multiplier = 1`), so a long solve
  never holds back messages another worker could take.
The task itself is idempotent (`app.jobs.single_run`), and the database, not the broker, is the
record: the stale-run check sends again what the broker lost (`app.jobs.stale_check`).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import Celery

from app.core.config import Settings
from app.jobs.solver_process import deadline_s

log = logging.getLogger("onderbouwd.worker")

SOLVE_RUN = "onderbouwd.solve_run"
# Sending a task gives up quickly: the run is in the database already, and the stale-run check
# sends it once the broker answers again; an API request must not hang on a broker that is down.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
BROKER_TIMEOUT_S = 3.0
# How long /ready waits for workers to answer a ping.
PING_TIMEOUT_S = 0.5


def visibility_timeout_s(settings: Settings) -> float:
    """Above the longest a task may hold its message: the deadline of the largest time limit,
    plus a lease and a minute of margin."""
    return deadline_s(settings.max_time_limit_s) + settings.runner_lease_s + 60


def make_celery(settings: Settings) -> Celery:
    if not settings.broker_url:
        raise ValueError("ONDERBOUWD_BROKER_URL is not set")
    app = Celery("onderbouwd", broker=settings.broker_url, set_as_current=False)
    transport: dict[str, Any] = {
        "visibility_timeout": visibility_timeout_s(settings),
        "socket_connect_timeout": BROKER_TIMEOUT_S,
        "socket_timeout": BROKER_TIMEOUT_S + 7,
    }
    if settings.broker_key_prefix:
        transport["global_keyprefix"] = settings.broker_key_prefix
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.broker_queue,
        task_ignore_result=True,
        task_publish_retry_policy=PUBLISH_RETRY,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=BROKER_TIMEOUT_S,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        task_serializer="json",
        accept_content=["json"],
    )
    return app


def send_run(app: Celery, settings: Settings, run_id: uuid.UUID, countdown_s: float = 0) -> None:
    app.send_task(SOLVE_RUN, args=[str(run_id)], queue=settings.broker_queue,
                  countdown=countdown_s or None)


def queue_length(app: Celery, settings: Settings) -> int:
    """Messages waiting in the run queue (not counting those workers hold). Redis keeps a
    queue as a list under its name (the key prefix is added by the transport's client)."""
    with app.connection_for_read() as connection:
        return int(connection.default_channel.client.llen(settings.broker_queue))


def broker_answers(app: Celery) -> bool:
    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_S)
            return True
    except Exception:
        return False


def answering_workers(app: Celery) -> list[str]:
    """Names of the workers that answered a ping within `PING_TIMEOUT_S`."""
    replies = app.control.ping(timeout=PING_TIMEOUT_S) or []
    return sorted(name for reply in replies for name in reply)
