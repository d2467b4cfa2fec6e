"""Imports a neighbourhoods CSV into a fresh organisation in a process of its own and prints,
as JSON, how far the import raised the process's peak resident memory. A process of its own,
because a test worker's peak is that of every test it ran before; measured by the operating
system, because tracing every allocation (tracemalloc) makes the import four times slower."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from app.core.db import Database
from app.services.access.keys import cli_principal, ensure_organisation
from app.services.imports import ImportKind, run_import

# ru_maxrss is in kilobytes on Linux and in bytes on macOS.
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _RSS_UNIT


def main(database_url: str, organisation_name: str, csv_path: str) -> None:
    database = Database(database_url)
    with database.transaction() as session:
        organisation, _ = ensure_organisation(session, organisation_name)
        principal = cli_principal(organisation)
    before = _peak_bytes()
    path = Path(csv_path)
    with database.transaction() as session, path.open("rb") as file:
        out = run_import(session, principal, ImportKind.neighbourhoods, file,
                         filename=path.name, media_type="text/csv", dry_run=False)
    database.dispose()
    print(json.dumps({"state": out.state, "rows": out.rows, "created": out.created,
                      "problems": out.problem_count, "peak_growth": _peak_bytes() - before}))


if __name__ == "__main__":
    main(*sys.argv[1:])
