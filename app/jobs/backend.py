"""One job interface, two implementations: where queued runs go to be solved.

- `EmbeddedBackend` (the default, `make run`): the embedded runner, solver processes beside the
  API that claim queued runs from the database themselves.
- `CeleryBackend` (`ONDERBOUWD_BROKER_URL=redis://…`): each run queued in a transaction is sent
  to the broker as a Celery task once that transaction commits; `onderbouwd worker` processes
  solve them (`app.jobs.celery_worker`).

Services only write runs as `queued`; whichever backend is started picks them up, so runs, sweep
points and what-if runs need nothing of their own.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.db import Database
from app.models import Run

log = logging.getLogger("onderbouwd.jobs")

_TO_SEND = "onderbouwd_runs_to_send"


@dataclass(frozen=True)
class JobsReadiness:
    backend: str  # embedded, celery
    broker: str  # none (embedded), ok, unreachable
    workers: int  # embedded: solver processes it may run; celery: workers that answered a ping


class JobBackend(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...

    def readiness(self) -> JobsReadiness: ...


class EmbeddedBackend:
    def __init__(self, database: Database, settings: Settings) -> None:
        from app.jobs.runner import EmbeddedRunner

        self.settings = settings
        self.runner = EmbeddedRunner(database, settings) if settings.runner_enabled else None

    def start(self) -> None:
        if self.runner is not None:
            self.runner.start()

    def stop(self) -> None:
        if self.runner is not None:
            self.runner.stop()

    def readiness(self) -> JobsReadiness:
        workers = self.settings.runner_workers if self.runner is not None else 0
        return JobsReadiness(backend="embedded", broker="none", workers=workers)


class CeleryBackend:
    def __init__(self, database: Database, settings: Settings) -> None:
        from app.jobs.celery_app import make_celery

        self.database = database
        self.settings = settings
        self.app = make_celery(settings)
        self._listening = False

    def start(self) -> None:
        if not self._listening:
            event.listen(self.database.sessions, "after_flush", _note_new_runs)
            event.listen(self.database.sessions, "after_commit", self._send_noted)
            event.listen(self.database.sessions, "after_rollback", _forget_noted)
            self._listening = True

    def stop(self) -> None:
        if self._listening:
            event.remove(self.database.sessions, "after_flush", _note_new_runs)
            event.remove(self.database.sessions, "after_commit", self._send_noted)
            event.remove(self.database.sessions, "after_rollback", _forget_noted)
            self._listening = False

    def send(self, run_ids: list[uuid.UUID]) -> None:
        """Send the runs' tasks; a broker that does not answer is logged, not raised: the runs
        are written, and the workers' stale-run check sends them once it answers again."""
        from app.jobs.celery_app import send_run

        for run_id in run_ids:
            try:
                send_run(self.app, self.settings, run_id)
            except Exception:
                log.exception("run %s: the broker did not take its task; the stale-run check "
                              "will send it", run_id)
                return

    def _send_noted(self, session: Session) -> None:
        run_ids = session.info.pop(_TO_SEND, None)
        if run_ids:
            self.send(list(run_ids))

    def readiness(self) -> JobsReadiness:
        from app.jobs.celery_app import answering_workers, broker_answers

        if not broker_answers(self.app):
            return JobsReadiness(backend="celery", broker="unreachable", workers=0)
        try:
            workers = len(answering_workers(self.app))
        except Exception:
            workers = 0
        return JobsReadiness(backend="celery", broker="ok", workers=workers)


def _note_new_runs(session: Session, _context: Any) -> None:
    for instance in session.new:
        if isinstance(instance, Run) and instance.state == "queued":
            session.info.setdefault(_TO_SEND, []).append(instance.id)


def _forget_noted(session: Session) -> None:
    session.info.pop(_TO_SEND, None)


def job_backend(database: Database, settings: Settings) -> JobBackend:
    if settings.broker_url:
        return CeleryBackend(database, settings)
    return EmbeddedBackend(database, settings)
