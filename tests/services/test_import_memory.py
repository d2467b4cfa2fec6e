"""A file of 100,000 rows imports in bounded memory: rows are streamed from the file and
written in batches, never all held at once."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.db import Database
from app.models import Neighbourhood
from app.services.imports import ImportKind, run_import
from app.services.keys import cli_principal, ensure_organisation

ROWS = 100_000
# Holding every row at once would take several hundred MB (a validated row model and its
# dict of cells are each ~1 kB); streamed, the import needs its batch, the duplicate check's
# one key per row (~10 MB) and the database driver's buffers: 22 MiB measured on SQLite.
PEAK_BOUND_BYTES = 60 * 1024 * 1024


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_100000_rows_import_in_bounded_memory(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "buurten.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("code,name,municipality,homes,regulated_homes\n")
        for number in range(ROWS):
            file.write(f"BU{number:08d},Buurt {number},Gemeente {number % 300},"
                       f"{100 + number % 900},{number % 100}\n")

    with db.transaction() as session:
        organisation, _ = ensure_organisation(session, "Woonstichting Groot")
        principal = cli_principal(organisation)
    tracemalloc.start()
    try:
        with db.transaction() as session, path.open("rb") as file:
            out = run_import(session, principal, ImportKind.neighbourhoods, file,
                             filename=path.name, media_type="text/csv", dry_run=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (out.state, out.rows, out.created, out.problem_count) == ("succeeded", ROWS, ROWS, 0)
    with db.sessions() as session:
        stored = session.scalar(select(func.count()).select_from(Neighbourhood).where(
            Neighbourhood.organisation_id == organisation.id))
        homes = session.scalar(select(func.sum(Neighbourhood.homes)).where(
            Neighbourhood.organisation_id == organisation.id))
    assert stored == ROWS
    assert homes == sum(100 + number % 900 for number in range(ROWS))
    assert peak < PEAK_BOUND_BYTES, f"peak {peak / 2**20:.1f} MiB"
