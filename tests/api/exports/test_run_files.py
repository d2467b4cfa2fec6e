"""Run files: the CSV and XLSX read back (csv, openpyxl) to the run's JSON; a run without a
recommendation is a 409, an unknown one a 404."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.api.stored import RUNS, start, store, wait_until
from tests.conftest import ClientFactory
from tests.tenants import Tenant

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def done_run(db: Database, tenant_a: Tenant, test_settings: Settings, design_example: dict
             ) -> tuple[TestClient, dict[str, Any]]:
    """A viewer's client and a solved run of the DESIGN example (partners, cost lists, a
    candidate left out: every sheet has rows)."""
    settings = test_settings.model_copy(update={"runner_enabled": True, "runner_poll_s": 0.05})
    with TestClient(create_app(settings, database=db), headers=tenant_a.headers()) as planner:
        run = wait_until(planner, start(planner, store(planner, design_example)["id"])["id"])
    assert run["state"] == "done"
    viewer = TestClient(create_app(test_settings, database=db), headers=tenant_a.headers("viewer"))
    return viewer, run


def _number_or_none(text: str) -> float | None:
    return None if text == "" else float(text)


def _allocations_from_rows(header: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    """The allocations as the JSON has them, rebuilt from a table's rows."""
    out = []
    for values in rows:
        row = dict(zip(header, values, strict=True))
        out.append({
            "intervention": row["intervention"], "neighbourhood": row["neighbourhood"],
            "neighbourhood_name": row["neighbourhood_name"] or None,
            "start_year": int(row["start_year"]),
            "run_years": [int(y) for y in str(row["run_years"]).split()],
            "effect_years": [int(y) for y in str(row["effect_years"]).split()],
            "total_cost": float(row["total_cost"]),
            "corporation_cost": float(row["corporation_cost"]),
            "partner_contributions": {
                column.split(".", 1)[1]: float(value) for column, value in row.items()
                if column.startswith("partner_contributions.") and value not in ("", None)},
            "primary_domain": row["primary_domain"], "value": float(row["value"]),
            "value_per_corporation_euro": (None if row["value_per_corporation_euro"] in ("", None)
                                           else float(row["value_per_corporation_euro"])),
        })
    return out


class TestCsv:
    @pytest.mark.parametrize("path", ["/allocations.csv", "/export?format=csv"])
    def test_reads_back_to_the_runs_allocations(
        self, done_run: tuple[TestClient, dict[str, Any]], path: str
    ) -> None:
        client, run = done_run
        response = client.get(f"{RUNS}/{run['id']}{path}")

        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert "attachment" in response.headers["content-disposition"]
        header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
        allocations = run["recommendation"]["allocations"]
        assert len(rows) == len(allocations) == 3
        assert _allocations_from_rows(header, rows) == allocations


class TestXlsx:
    @pytest.mark.parametrize("path", ["/allocations.xlsx", "/export?format=xlsx"])
    def test_every_sheet_reads_back_to_the_runs_json(
        self, done_run: tuple[TestClient, dict[str, Any]], path: str
    ) -> None:
        client, run = done_run
        response = client.get(f"{RUNS}/{run['id']}{path}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == XLSX
        book = load_workbook(io.BytesIO(response.content))
        recommendation = run["recommendation"]

        assert book.sheetnames == ["run", "allocations", "spend", "improvements", "why not"]
        summary = {row[0]: row[1] for row in book["run"].iter_rows(min_row=2, values_only=True)}
        assert (summary["run_id"], summary["status"], summary["objective"]) == (
            run["id"], recommendation["status"], recommendation["objective"])

        sheet = book["allocations"]
        header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert _allocations_from_rows(header, rows) == recommendation["allocations"]
        cost = sheet.cell(row=2, column=header.index("total_cost") + 1)
        assert isinstance(cost.value, float | int)
        assert "€" in cost.number_format

        assert _spend_from_sheet(book["spend"]) == _spend_lines(recommendation["spend"])

        header, *rows = [list(r) for r in book["improvements"].iter_rows(values_only=True)]
        assert [dict(zip(header, r, strict=True)) for r in rows] == recommendation["improvements"]

        header, *rows = [list(r) for r in book["why not"].iter_rows(values_only=True)]
        candidates = recommendation["explanation"]["candidates"]
        assert rows
        assert len(rows) == len(candidates)
        assert [(r[0], r[1], r[3], r[4]) for r in rows] == [
            (c["intervention"], c["neighbourhood"], c["reason"], c["message"])
            for c in candidates]


def _spend_lines(spend: dict[str, Any]) -> set[tuple[Any, ...]]:
    """Every figure of the JSON `spend` as (line, key, year, amount, limit)."""
    lines = {("corporation_total", None, None, spend["corporation_total"],
              spend["corporation_limit"]),
             ("partners_total", None, None, spend["partners_total"], None),
             ("cost_total", None, None, spend["cost_total"], None)}
    lines |= {("year", None, y["year"], y["corporation"], y["limit"]) for y in spend["per_year"]}
    for kind, items, key, amount, limit in [
        ("domain", spend["per_domain"], "domain", "corporation", "budget_total"),
        ("partner", spend["per_partner"], "partner", "total", "limit_total"),
        ("neighbourhood", spend["per_neighbourhood"], "neighbourhood", "corporation", None),
    ]:
        for item in items:
            lines.add((kind, item[key], None, item[amount], item[limit] if limit else None))
            lines |= {(kind, item[key], y["year"], y["corporation"], y["limit"])
                      for y in item["per_year"]}
    for area in spend["per_area"]:
        key = f"{area['municipality'] or ''}/{area['district'] or ''}"
        lines.add(("area", key, None, area["corporation"], area["limit_total"]))
        lines |= {("area", key, y["year"], y["corporation"], y["limit"]) for y in area["per_year"]}
    lines |= {("resource", r["resource"], r["year"], r["used"], r["limit"])
              for r in spend["per_resource"]}
    return lines


def _spend_from_sheet(sheet: Any) -> set[tuple[Any, ...]]:
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == ["line", "key", "year", "unit", "amount", "limit"]
    return {(r[0], r[1] or None, r[2], r[4], r[5]) for r in rows}


class TestWithoutARecommendation:
    def test_a_queued_run_is_409(self, client_factory: ClientFactory,
                                 design_example: dict) -> None:
        planner = client_factory(role="planner")  # no runner: the run stays queued
        run = start(planner, store(planner, design_example)["id"])
        for path in ["/allocations.csv", "/allocations.xlsx", "/export?format=vera"]:
            response = planner.get(f"{RUNS}/{run['id']}{path}")
            assert response.status_code == 409, path
            assert response.headers["content-type"] == "application/problem+json"
            assert "queued" in response.json()["detail"]

    def test_an_unknown_run_is_404_and_an_unknown_format_422(
        self, client_factory: ClientFactory
    ) -> None:
        client = client_factory()
        unknown = "0190a1b2-0000-7000-8000-000000000000"
        assert client.get(f"{RUNS}/{unknown}/allocations.csv").status_code == 404
        response = client.get(f"{RUNS}/{unknown}/export?format=pdf")
        assert response.status_code == 422
        assert [e["path"] for e in response.json()["errors"]] == ["query.format"]
