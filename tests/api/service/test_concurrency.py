"""50 clients at once for 10 s against a real server on a SQLite file: reads, writes by two
organisations and small runs, and not one error; everything answered as written is there.

The server is `uvicorn app.main:app` in a process of its own (its embedded runner solves the
runs); the clients are those of `benchmarks/load.py`, which measures the same load longer.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from benchmarks.load import fresh_database, make_organisations, run_load, server

CLIENTS = 50
SECONDS = 10.0


def test_fifty_clients_on_sqlite_get_no_error(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as url:
        organisations = make_organisations(url)
        with server(url, processes=1, log=tmp_path / "server.log") as base:
            result = run_load(base, organisations, CLIENTS, SECONDS)
            stored = {
                organisation.name: httpx.get(
                    f"{base}/api/v1/scenarios", params={"limit": 500}, timeout=30,
                    headers={"Authorization": f"Bearer {organisation.key}"},
                ).json()["items"]
                for organisation in organisations
            }

    log = (tmp_path / "server.log").read_text(errors="replace")
    assert result.errors == [], f"{result.errors[:5]}\nserver log:\n{log[-3000:]}"
    names = [organisation.name for organisation in organisations]
    # The load really mixed reads, writes and runs of both organisations (on a busy machine
    # a 10 s load is short, so the kinds are counted over both).
    assert sum(result.count(name, "GET /scenarios/{id}", 200) for name in names) > 0
    assert sum(result.count(name, "PUT /domains/{key}", status)
               for name in names for status in (200, 201)) > 0
    assert sum(result.count(name, "POST /scenarios/{id}/runs", 202) for name in names) > 0
    assert sum(result.count(name, "POST /scenarios", 201) for name in names) > 0
    for name in names:
        # Every scenario answered 201 is stored, each with its organisation only (+1: the one
        # made before the load).
        created = result.count(name, "POST /scenarios", 201)
        assert len(stored[name]) == created + 1
        assert all(item["name"].startswith(name) for item in stored[name])
