"""The periodic stale-run check each Celery worker runs beside its tasks.

Every `stale_check_s` it sends again the task of
- a running run whose lease expired: its worker was lost (killed, out of memory, its machine
  gone). The task's claim takes it over, or fails it when its attempts are spent;
- a queued run sent more than `requeue_after_s` ago while the broker's queue is empty: its
  message was lost. (While messages wait, the run may simply be behind them.)
cancels the runs whose cancellation was asked while no one held them, and settles the sweeps
whose points have all ended (a point cancelled on its own ends without a worker writing it).
A run is therefore never left `running` or `queued` for ever, whatever the broker forgot.
"""

from __future__ import annotations

import logging
import threading

from celery import Celery

from app.core.config import Settings
from app.core.db import Database
from app.jobs.celery_app import queue_length, send_run
from app.repositories.run_dispatch import RunDispatch
from app.repositories.runs import RunQueue

log = logging.getLogger("onderbouwd.worker")


def check_stale_runs(database: Database, settings: Settings, app: Celery) -> int:
    """One pass; the number of tasks sent again."""
    with database.transaction() as session:
        abandoned = RunDispatch(session).abandoned(settings.requeue_after_s)
        RunQueue(session).cancel_abandoned()
        RunQueue(session).fail_abandoned_explanations()
        RunQueue(session).settle_sweeps()
    for run_id in abandoned:
        log.warning("run %s: its worker stopped renewing the lease; sent again", run_id)
        send_run(app, settings, run_id)
    lost = []
    if queue_length(app, settings) == 0:
        with database.transaction() as session:
            lost = RunDispatch(session).waiting_too_long(settings.requeue_after_s)
    for run_id in lost:
        log.warning("run %s: queued but its task never came; sent again", run_id)
        send_run(app, settings, run_id)
    return len(abandoned) + len(lost)


class StaleRunCheck:
    def __init__(self, database: Database, settings: Settings, app: Celery) -> None:
        self.database, self.settings, self.app = database, settings, app
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="onderbouwd-stale-runs",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(10)

    def _loop(self) -> None:
        while not self._stopping.wait(self.settings.stale_check_s):
            try:
                check_stale_runs(self.database, self.settings, self.app)
            except Exception:  # a broker or database hiccup must not end the check
                log.exception("stale-run check failed; trying again")
