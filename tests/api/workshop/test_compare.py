"""Comparisons of runs whose plans are made by hand, so every answer is known beforehand: a run
funded by one only, a moved start year, a changed budget path; and the XLSX reads back."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.core.db import Database
from app.services.run_files.workshop import cell
from tests.api.constructed_runs import (
    allocation,
    improvement,
    insert_run,
    recommendation,
    spend,
)
from tests.api.stored import store
from tests.conftest import ClientFactory
from tests.tenants import Tenant

COMPARE = "/api/v1/compare"
TARWE, CARNISSE = "BU05991571", "BU05991488"


@pytest.fixture
def two_runs(client_factory: ClientFactory, db: Database, tenant_a: Tenant,
             design_example: dict[str, Any]) -> tuple[TestClient, str, str]:
    client = client_factory("planner")
    scenario = store(client, design_example)
    changed = copy.deepcopy(design_example)
    changed["budget"]["per_year"][1] = 150000
    base = insert_run(db, tenant_a.organisation_id, scenario["id"], design_example,
                      recommendation(100.0, [
                          allocation("caretaker", TARWE, 2027),
                          allocation("caretaker", CARNISSE, 2027),
                          allocation("neighbourhood_coach", CARNISSE, 2027)],
                          spend([(2027, 500.0, 200000.0), (2028, 300.0, 200000.0)]),
                          [improvement(TARWE, "nuisance_safety", 2027, 0.4, 0.15),
                           improvement(TARWE, "nuisance_safety", 2028, 0.3, 0.15)]))
    other = insert_run(db, tenant_a.organisation_id, scenario["id"], changed,
                       recommendation(90.0, [
                           allocation("caretaker", TARWE, 2027),
                           allocation("neighbourhood_coach", CARNISSE, 2028),
                           allocation("neighbourhood_coach", TARWE, 2027)],
                           spend([(2027, 400.0, 200000.0), (2028, 150.0, 150000.0)]),
                           [improvement(TARWE, "nuisance_safety", 2027, 0.4, 0.1)]))
    return client, base, other


def _funded(items: list[dict[str, Any]]) -> set[tuple[str, str, int]]:
    return {(a["intervention"], a["neighbourhood"], a["start_year"]) for a in items}


class TestKnownAnswers:
    def test_allocations_in_all_only_in_and_moved(self, two_runs: tuple[TestClient, str, str]
                                                  ) -> None:
        client, base, other = two_runs
        response = client.get(COMPARE, params={"runs": f"{base},{other}"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["base_run_id"] == base
        allocations = body["allocations"]
        assert _funded(allocations["in_all"]) == {("caretaker", TARWE, 2027)}
        only = {o["run_id"]: _funded(o["allocations"]) for o in allocations["only_in"]}
        assert only == {base: {("caretaker", CARNISSE, 2027)},
                        other: {("neighbourhood_coach", TARWE, 2027)}}
        assert [(m["intervention"], m["neighbourhood"], m["start_years"])
                for m in allocations["moved"]] == [
            ("neighbourhood_coach", CARNISSE, [[2027], [2028]])]
        assert allocations["in_some"] == []

    def test_differences_name_the_changed_budget_path_only(
        self, two_runs: tuple[TestClient, str, str]
    ) -> None:
        client, base, other = two_runs
        body = client.get(COMPARE, params={"runs": f"{base},{other}"}).json()
        assert body["differences"] == [{"path": "budget.per_year[1]",
                                        "values": [200000, 150000]}]

    def test_headline_spend_and_improvements_side_by_side(
        self, two_runs: tuple[TestClient, str, str]
    ) -> None:
        client, base, other = two_runs
        body = client.get(COMPARE, params={"runs": f"{other},{base}"}).json()
        assert [(r["run_id"], r["objective"], r["corporation_spend"]) for r in body["runs"]] == [
            (other, 90.0, 550.0), (base, 100.0, 800.0)]
        year_2028 = next(s for s in body["spend"] if s["line"] == "year" and s["year"] == 2028)
        assert year_2028["runs"] == [{"amount": 150.0, "limit": 150000.0},
                                     {"amount": 300.0, "limit": 200000.0}]
        assert body["improvements"] == [{"neighbourhood": TARWE, "domain": "nuisance_safety",
                                         "gap_closed": [0.1, pytest.approx(0.3)],
                                         "need": [0.4, pytest.approx(0.7)]}]

    def test_three_runs_name_what_two_of_them_fund(
        self, two_runs: tuple[TestClient, str, str], db: Database, tenant_a: Tenant,
        design_example: dict[str, Any]
    ) -> None:
        client, base, other = two_runs
        scenario_id = client.get(f"/api/v1/runs/{base}").json()["scenario_id"]
        third = insert_run(db, tenant_a.organisation_id, scenario_id, design_example,
                           recommendation(80.0, [allocation("caretaker", TARWE, 2027),
                                                 allocation("caretaker", CARNISSE, 2027)]))
        body = client.get(COMPARE, params={"runs": f"{base},{other},{third}"}).json()
        assert [(s["allocation"]["intervention"], s["allocation"]["neighbourhood"], s["run_ids"])
                for s in body["allocations"]["in_some"]] == [
            ("caretaker", CARNISSE, [base, third])]
        # the coach in Carnisse is not funded by the third run: it did not move, it left
        assert body["allocations"]["moved"] == []
        assert body["differences"][0]["values"] == [200000, 150000, 200000]


class TestBadLists:
    @pytest.mark.parametrize("count", [1, 5])
    def test_one_or_five_runs_is_a_422_naming_the_list(
        self, api_client: TestClient, count: int
    ) -> None:
        runs = ",".join(f"0193a1b2-0000-7000-8000-00000000000{n}" for n in range(count))
        response = api_client.get(COMPARE, params={"runs": runs})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["path"] == "query.runs"

    def test_not_an_id_or_twice_the_same_is_a_422(self, two_runs: tuple[TestClient, str, str]
                                                  ) -> None:
        client, base, _ = two_runs
        for runs in (f"{base},nonsense", f"{base},{base}", ""):
            response = client.get(COMPARE, params={"runs": runs})
            assert response.status_code == 422, runs
            assert response.json()["errors"][0]["path"] == "query.runs"

    def test_an_unknown_run_is_a_404_and_one_without_a_plan_a_409(
        self, two_runs: tuple[TestClient, str, str], db: Database, tenant_a: Tenant,
        design_example: dict[str, Any]
    ) -> None:
        client, base, _ = two_runs
        unknown = "0193a1b2-0000-7000-8000-000000000009"
        assert client.get(COMPARE, params={"runs": f"{base},{unknown}"}).status_code == 404
        scenario_id = client.get(f"/api/v1/runs/{base}").json()["scenario_id"]
        queued = insert_run(db, tenant_a.organisation_id, scenario_id, design_example, None,
                            state="queued")
        assert client.get(COMPARE, params={"runs": f"{base},{queued}"}).status_code == 409


class TestWorkbook:
    def test_the_xlsx_reads_back_to_the_json(self, two_runs: tuple[TestClient, str, str]
                                             ) -> None:
        client, base, other = two_runs
        runs = {"runs": f"{base},{other}"}
        body = client.get(COMPARE, params=runs).json()
        response = client.get(f"{COMPARE}.xlsx", params=runs)
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content))
        sheets = {name: [list(r) for r in book[name].iter_rows(values_only=True)]
                  for name in book.sheetnames}
        assert [row[1] for row in sheets["runs"][1:]] == [base, other]
        assert [row[5] for row in sheets["runs"][1:]] == [r["objective"] for r in body["runs"]]
        spend_rows = sheets["spend"][1:]
        assert spend_rows == [[s["line"], s["key"] or None, s["year"],
                               *[c["amount"] for c in s["runs"]],
                               *[c["limit"] for c in s["runs"]]] for s in body["spend"]]
        in_all = [r for r in sheets["allocations"][1:] if r[0] == "in_all"]
        assert {(r[2], r[3], r[5]) for r in in_all} == _funded(body["allocations"]["in_all"])
        only = {(r[1], r[2], r[3], r[5]) for r in sheets["allocations"][1:] if r[0] == "only_in"}
        assert only == {(str(n), *key) for n, o in enumerate(body["allocations"]["only_in"], 1)
                        for key in _funded(o["allocations"])}
        assert sheets["moved"][1:] == [["neighbourhood_coach", CARNISSE,
                                        f"name of {CARNISSE}", "2027", "2028"]]
        assert sheets["differences"][1:] == [[d["path"], *[cell(v) for v in d["values"]]]
                                             for d in body["differences"]]
        euro = book["spend"].cell(row=2, column=4).number_format
        assert "€" in euro
