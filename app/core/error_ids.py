"""Error ids: what a client is told about an internal failure is a stable message and an id;
the details (exception, traceback, paths, SQL) go to the server log under that id."""

from __future__ import annotations

import logging
import secrets


def new_error_id() -> str:
    return f"err_{secrets.token_hex(8)}"


def log_failure(log: logging.Logger, error_id: str, what: str, error: BaseException) -> None:
    log.error(
        "%s [error id %s]", what, error_id, exc_info=(type(error), error, error.__traceback__)
    )
