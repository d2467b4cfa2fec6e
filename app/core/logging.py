"""Structured logs (structlog): JSON lines in production, readable lines in development.

Every line carries `request_id`, `organisation_id` and `run_id` (null where there is none): the
API binds the first two per request, the job runners the last two per run, through structlog's
context variables. Lines of the standard library's loggers (ours, uvicorn's, Celery's) go through
the same processors, so one format covers the whole process.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

CONTEXT_KEYS = ("request_id", "organisation_id", "run_id")
_HANDLER_NAME = "onderbouwd"


def _with_context_keys(_logger: Any, _method: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in CONTEXT_KEYS:
        event.setdefault(key, None)
    return event


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of each line (it may be replaced)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(environment: str, level: int = logging.INFO) -> None:
    """Route every log line of this process through structlog; JSON when `environment` is
    `production`. Calling it again replaces the handler it installed."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _with_context_keys,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if environment == "production"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(),
                           structlog.processors.format_exc_info],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = _StandardError(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces each of its plugins on every start: noise beside the migrations it runs.
    logging.getLogger("alembic.runtime.plugins").setLevel(max(level, logging.WARNING))
