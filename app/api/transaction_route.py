"""Routes whose request transaction ends in the endpoint's own thread, when it returns.

FastAPI ends a `yield` dependency only after the response is serialised, and for a plain
(`def`) endpoint it serialises in a worker thread of the same pool the endpoints run in. A
request would then keep its database connection while it waits for a thread. Under load (one
PostgreSQL API process, 200 clients: `benchmarks/load.py`) every thread was soon an endpoint
waiting for a connection, every connection belonged to a request waiting for a thread, and
nothing moved until the pool's 30 s timeout: 10 requests/s, each answered after 31 s.

Here the transaction of each session the endpoint was given is committed as the endpoint
returns, in its thread, so its connection goes back to the pool before anything else waits; a
connection is only ever held by a thread that is running. A commit that fails fails the
request, as before. When the endpoint raises, the dependency rolls back as before.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session


class TransactionRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _ending_transactions(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _ending_transactions(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the parameters through `__wrapped__`
    def run(*args: Any, **kwargs: Any) -> Any:
        answer = endpoint(*args, **kwargs)
        for value in kwargs.values():
            if isinstance(value, Session) and value.in_transaction():
                value.commit()  # read-only ones too: nothing to write, and nothing expires
        return answer

    return run
