"""What a bulk import of many rows costs per batch size: seconds and peak Python memory.

    python -m benchmarks.import_rows [--rows 100000] [--batches 200 1000 5000]

Per batch size, in a fresh process with a fresh SQLite database, it writes a CSV of `rows`
buurten (`kind=neighbourhoods`) and imports it through the use case the API calls
(`app.services.imports.run_import`), once to create every row and once more (every row
unchanged). It prints the seconds of each and the peak traced by tracemalloc during the first
(which slows Python down, so the seconds come from a second, untraced run).

`BATCH_ROWS` (app/services/imports/transaction.py) is the batch size: each batch is one read of
the stored rows and one bulk insert or update, so small batches pay per-query overhead and large
ones hold more rows at once.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any


def _measure(rows: int, batch: int) -> dict[str, Any]:
    from app.core.db import Database
    from app.core.migrations import upgrade
    from app.services.access.keys import cli_principal, ensure_organisation
    from app.services.imports import ImportKind, run_import, transaction

    transaction.BATCH_ROWS = batch
    folder = Path(tempfile.mkdtemp())
    path = folder / "buurten.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("code,name,municipality,homes,regulated_homes\n")
        for number in range(rows):
            file.write(f"BU{number:08d},Buurt {number},Gemeente {number % 300},"
                       f"{100 + number % 900},{number % 100}\n")
    database = Database(f"sqlite:///{folder / 'bench.db'}")
    upgrade(database.engine)
    with database.transaction() as session:
        principal = cli_principal(ensure_organisation(session, f"bench {batch}")[0])

    def once(dry_run: bool) -> float:
        started = time.perf_counter()
        with database.transaction() as session, path.open("rb") as file:
            out = run_import(session, principal, ImportKind.neighbourhoods, file,
                             filename=path.name, media_type="text/csv", dry_run=dry_run)
        assert out.problem_count == 0
        return time.perf_counter() - started

    tracemalloc.start()
    once(dry_run=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    created_s = once(dry_run=False)
    unchanged_s = once(dry_run=False)
    database.dispose()
    return {"batch": batch, "created_s": created_s, "unchanged_s": unchanged_s,
            "dry_run_peak_mib": peak / 2**20}


def _run(rows: int, batch: int, queue: Any) -> None:
    queue.put(_measure(rows, batch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batches", type=int, nargs="+", default=[200, 1000, 5000])
    arguments = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    print(f"{arguments.rows:,} rows, kind=neighbourhoods, SQLite")  # noqa: T201
    print(f"{'batch':>7} {'create s':>9} {'again s':>8} {'peak MiB':>9}")  # noqa: T201
    for batch in arguments.batches:
        queue = context.Queue()
        process = context.Process(target=_run, args=(arguments.rows, batch, queue))
        process.start()
        result = queue.get()
        process.join()
        print(f"{result['batch']:>7,} {result['created_s']:>9.1f} "  # noqa: T201
              f"{result['unchanged_s']:>8.1f} {result['dry_run_peak_mib']:>9.1f}")


if __name__ == "__main__":
    main()
