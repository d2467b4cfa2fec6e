"""A file of 100,000 rows imports in bounded memory: rows are streamed from the file and
written in batches, never all held at once. The import runs in a process of its own, whose
peak memory the operating system measures (`tests/services/import_in_a_process.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.db import Database
from app.models import Neighbourhood, Organisation

ROWS = 100_000
# Holding every row at once would take several hundred MB (a validated row model and its
# dict of cells are each ~1 kB); streamed, the import needs its batch, the duplicate check's
# one key per row (~10 MB) and the database driver's buffers: the process's peak rose by
# 24 MiB on SQLite (22 MiB of Python objects by tracemalloc).
PEAK_GROWTH_BOUND_BYTES = 80 * 1024 * 1024


@pytest.mark.slow
@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_100000_rows_import_in_bounded_memory(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "buurten.csv"
    with path.open("w", encoding="utf-8") as file:
        file.write("code,name,municipality,homes,regulated_homes\n")
        for number in range(ROWS):
            file.write(f"BU{number:08d},Buurt {number},Gemeente {number % 300},"
                       f"{100 + number % 900},{number % 100}\n")

    child = subprocess.run(
        [sys.executable, "-m", "tests.services.import_in_a_process",
         db.url.render_as_string(False), "Woonstichting Groot", str(path)],
        cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=600, check=False)
    assert child.returncode == 0, child.stderr[-3000:]
    out = json.loads(child.stdout.splitlines()[-1])

    assert (out["state"], out["rows"], out["created"], out["problems"]) == (
        "succeeded", ROWS, ROWS, 0)
    with db.sessions() as session:
        organisation = session.scalars(select(Organisation).where(
            Organisation.name == "Woonstichting Groot")).one()
        stored = session.scalar(select(func.count()).select_from(Neighbourhood).where(
            Neighbourhood.organisation_id == organisation.id))
        homes = session.scalar(select(func.sum(Neighbourhood.homes)).where(
            Neighbourhood.organisation_id == organisation.id))
    assert stored == ROWS
    assert homes == sum(100 + number % 900 for number in range(ROWS))
    growth = out["peak_growth"]
    assert growth < PEAK_GROWTH_BOUND_BYTES, f"peak rose by {growth / 2**20:.1f} MiB"
