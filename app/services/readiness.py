"""Use case: is this process ready to serve (database reachable, schema current)?"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.exc import SQLAlchemyError

from app.core.db import Database
from app.core.errors import NotReady
from app.core.migrations import current_revisions, head_revisions


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    return frozenset(head_revisions())


def check_ready(database: Database) -> str:
    """The schema revision; `NotReady` when the database cannot be reached or is not current."""
    try:
        current = current_revisions(database.engine)
    except SQLAlchemyError:
        raise NotReady("the database cannot be reached") from None
    heads = _heads()
    if current != heads:
        have = ", ".join(sorted(current)) or "no schema"
        raise NotReady(
            f"the database is at {have} but this version needs {', '.join(sorted(heads))}: "
            "run `onderbouwd db upgrade`"
        )
    return ",".join(sorted(current))
