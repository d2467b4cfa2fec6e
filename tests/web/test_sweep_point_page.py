"""A plan-only budget-sweep point's run page says why it has no explanation; an ordinary run
without one does not claim to be a sweep point."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.stored import start, store, wait_until
from tests.conftest import ClientFactory
from tests.tenants import Tenant
from tests.web.signing_in import sign_in

V1 = "/api/v1"
SWEEP_POINT = "Not explained: a budget-sweep point"


def _page(client: TestClient, run_id: str) -> str:
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200, page.text
    return page.text


def test_a_plan_only_sweep_point_says_it_is_one(
    client_factory: ClientFactory, tenant_a: Tenant, design_example: dict[str, Any]
) -> None:
    with client_factory("planner", runner_enabled=True, runner_poll_s=0.05) as client:
        scenario = store(client, design_example)
        sweep = client.post(f"{V1}/scenarios/{scenario['id']}/sweeps",
                            json={"budget": {"values": [500000]}}).json()
        point = wait_until(client, sweep["points"][0]["run_id"])
        ordinary = wait_until(client, start(client, scenario["id"])["id"])
    assert (point["state"], point["explanation_state"]) == ("done", "skipped")
    assert ordinary["explanation_state"] == "ready"
    browser = client_factory(role=None)
    sign_in(browser, tenant_a.keys["viewer"])

    assert SWEEP_POINT in " ".join(_page(browser, point["id"]).split())
    assert SWEEP_POINT not in " ".join(_page(browser, ordinary["id"]).split())
