"""One organisation never sees another's data, and every role gets exactly its rights.

The route tables below are checked against the app itself, so a new endpoint with an id, or a
new write endpoint, fails these tests until it is added here.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.web import ROUTERS as WEB_ROUTERS
from app.web.routing import WebRoute
from tests.api.stored import start, store, wait_until
from tests.conftest import ClientFactory
from tests.tenants import Tenant
from tests.web.signing_in import sign_in

V1 = "/api/v1"

# Every route with an id; "{…}" placeholders are filled with the other organisation's ids.
BY_ID: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/scenarios/{scenario}", None),
    ("PUT", "/scenarios/{scenario}", {"document": "{document}"}),
    ("GET", "/scenarios/{scenario}/versions/1", None),
    ("POST", "/scenarios/{scenario}/runs", None),
    ("GET", "/runs/{run}", None),
    ("POST", "/runs/{run}/cancel", None),
    ("GET", "/neighbourhoods/BU01", None),
    ("GET", "/neighbourhoods/BU01/scores", None),
    ("PUT", "/neighbourhoods/BU01/adjustments/safety", {"delta": 1, "rationale": "x"}),
    ("DELETE", "/neighbourhoods/BU01/adjustments/safety", None),
    ("GET", "/domains/safety", None),
    ("GET", "/indicators/nuisance_reports", None),
    ("GET", "/interventions/caretaker", None),
    ("GET", "/partners/gemeente", None),
    ("POST", "/keys/{key}/revoke", None),
    ("GET", "/runs/{run}/export?format=vera", None),
    ("GET", "/runs/{run}/export?format=csv", None),
    ("GET", "/runs/{run}/export?format=xlsx", None),
    ("GET", "/runs/{run}/allocations.csv", None),
    ("GET", "/runs/{run}/allocations.xlsx", None),
    ("DELETE", "/webhooks/{webhook}", None),
    ("GET", "/webhooks/{webhook}/deliveries", None),
    ("GET", "/units/100231", None),
    ("GET", "/imports/{import}", None),
    ("POST", "/runs/{run}/whatif", {"budget": {"total": 1000}}),
    ("POST", "/scenarios/{scenario}/sweeps", {"budget": {"values": [1000, 2000]}}),
    ("GET", "/scenarios/{scenario}/sweeps", None),
    ("GET", "/sweeps/{sweep}", None),
    ("POST", "/sweeps/{sweep}/cancel", None),
    ("GET", "/sweeps/{sweep}/frontier.csv", None),
    ("GET", "/sweeps/{sweep}/frontier.xlsx", None),
]
# Routes that name runs in their query: another organisation's run is a 404 there too.
QUERIED = ["/compare", "/compare.xlsx"]
# Routes with a path parameter that hold no organisation's data.
SHARED = [("GET", "/imports/templates/units.csv"), ("GET", "/imports/templates/units.xlsx")]
# Upserts by external id: the other organisation's key is a name in one's own namespace.
UPSERTS = ["/neighbourhoods/{id}", "/domains/{id}", "/indicators/{id}", "/interventions/{id}",
           "/partners/{id}", "/units/{id}"]
LISTS = ["/scenarios", "/runs", "/neighbourhoods", "/domains", "/indicators", "/interventions",
         "/partners", "/audit", "/keys", "/units", "/units/aggregates", "/imports",
         "/webhooks"]
ADMIN_ONLY = ["/keys", "/webhooks"]


def _routes() -> list[tuple[str, str]]:
    """(method, path under /api/v1) of every operation the app documents."""
    paths = create_app().openapi()["paths"]
    return [(method.upper(), path[len(V1):]) for path, operations in sorted(paths.items())
            if path.startswith(V1) for method in sorted(operations)]


def _shape(path: str) -> str:
    """`/scenarios/{scenario}/versions/1` → `/scenarios/{}/versions/{}` (ids and keys alike)."""
    parts = path.split("?")[0].strip("/").split("/")
    fixed = {"scenarios", "versions", "runs", "cancel", "neighbourhoods", "scores",
             "adjustments", "domains", "indicators", "interventions", "partners", "keys",
             "revoke", "audit", "solve", "units", "imports", "templates", "aggregates",
             "export", "allocations.csv", "allocations.xlsx", "webhooks", "deliveries",
             "whatif", "sweeps", "frontier.csv", "frontier.xlsx"}
    return "/" + "/".join(p if p in fixed else "{}" for p in parts)


def test_the_tables_cover_every_route() -> None:
    routes = _routes()
    with_ids = {(m, _shape(p)) for m, p in routes if "{" in p}
    assert with_ids == {(m, _shape(p)) for m, p, _ in BY_ID} | {("PUT", _shape(p))
                                                                 for p in UPSERTS} | {
        (m, _shape(p)) for m, p in SHARED}
    assert {p for m, p in routes if m == "GET" and "{" not in p} == set(LISTS) | set(QUERIED)


@pytest.fixture
def theirs(client_factory: ClientFactory, tenant_b: Tenant, design_example: dict
           ) -> dict[str, str]:
    """One of everything, owned by organisation B."""
    client = TestClient(client_factory(role=None).app, headers=tenant_b.headers("admin"))
    scenario = store(client, design_example)
    run = start(client, scenario["id"])
    for path, body in [
        ("/domains/safety", {"label": "Veiligheid"}),
        ("/indicators/nuisance_reports", {"domain": "safety", "direction": "higher_is_worse"}),
        ("/partners/gemeente", {"budget": {"total": 1000}}),
        ("/interventions/caretaker", {"domain": "safety", "effects": {"safety": 0.1}}),
        ("/neighbourhoods/BU01", {"homes": 100, "indicator_values": [
            {"indicator": "nuisance_reports", "year": 2024, "value": 3}]}),
        ("/neighbourhoods/BU01/adjustments/safety", {"delta": -0.2, "rationale": "known"}),
        ("/neighbourhoods/BU00000001", {"homes": 10}),
        ("/indicators/arrears", {"direction": "higher_is_worse", "unit_aggregation": "share"}),
        ("/units/100231", {"neighbourhood": "BU00000001", "regulated": True}),
    ]:
        assert client.put(V1 + path, json=body).status_code == 201, path
    measured = client.post(f"{V1}/units/measurements", json={"measurements": [
        {"unit": "100231", "indicator": "arrears", "year": 2025, "value": 120.0}]})
    assert measured.status_code == 200, measured.text
    imported = client.post(f"{V1}/imports", params={"kind": "units"}, files={
        "file": ("units.csv", b"vhe,neighbourhood,regulated\n100232,BU00000001,false\n")})
    assert imported.status_code == 201, imported.text
    key = client.get(f"{V1}/keys").json()[0]["id"]
    webhook = client.post(f"{V1}/webhooks", json={"url": "http://127.0.0.1:9/theirs",
                                                  "events": ["run.finished"]}).json()["id"]
    sweep = client.post(f"{V1}/scenarios/{scenario['id']}/sweeps",
                        json={"budget": {"values": [1000, 2000]}})
    assert sweep.status_code == 202, sweep.text
    return {"scenario": scenario["id"], "run": run["id"], "key": key,
            "import": imported.json()["id"], "webhook": webhook, "sweep": sweep.json()["id"]}


class TestIsolation:
    @pytest.mark.parametrize(("method", "path", "body"), BY_ID,
                             ids=[f"{m} {p}" for m, p, _ in BY_ID])
    def test_another_organisations_object_is_404(
        self, client_factory: ClientFactory, theirs: dict[str, str], design_example: dict,
        method: str, path: str, body: dict[str, Any] | None
    ) -> None:
        ours = client_factory(role="admin")
        if body is not None and body.get("document") == "{document}":
            body = {"document": design_example}

        response = ours.request(method, V1 + path.format(**theirs), json=body)

        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"

    @pytest.mark.parametrize("path", QUERIED)
    def test_a_comparison_naming_another_organisations_run_is_404(
        self, client_factory: ClientFactory, theirs: dict[str, str], design_example: dict,
        path: str
    ) -> None:
        ours = client_factory(role="planner")
        mine = start(ours, store(ours, design_example)["id"])["id"]
        for runs in (f"{mine},{theirs['run']}", f"{theirs['run']},{mine}"):
            response = ours.get(V1 + path, params={"runs": runs})
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert theirs["run"] in response.json()["detail"]

    def test_lists_never_show_another_organisations_rows(
        self, client_factory: ClientFactory, theirs: dict[str, str], tenant_b: Tenant
    ) -> None:
        ours = client_factory(role="admin")
        their_client = TestClient(ours.app, headers=tenant_b.headers("admin"))
        for path in LISTS:
            mine, other = ours.get(V1 + path).json(), their_client.get(V1 + path).json()
            mine_items = mine if isinstance(mine, list) else mine["items"]
            other_items = other if isinstance(other, list) else other["items"]
            assert other_items, path
            assert not {_identity(i) for i in mine_items} & {_identity(i) for i in other_items}

    @pytest.mark.parametrize("path", UPSERTS)
    def test_an_upsert_on_another_organisations_key_makes_ones_own(
        self, client_factory: ClientFactory, theirs: dict[str, str], tenant_b: Tenant,
        path: str
    ) -> None:
        key = {"/neighbourhoods/{id}": "BU01", "/domains/{id}": "safety",
               "/indicators/{id}": "nuisance_reports", "/interventions/{id}": "caretaker",
               "/partners/{id}": "gemeente", "/units/{id}": "100231"}[path]
        body = {"/neighbourhoods/{id}": {"homes": 5}, "/domains/{id}": {"label": "Ours"},
                "/indicators/{id}": {"direction": "higher_is_better"},
                "/interventions/{id}": {"domain": "ours"}, "/partners/{id}": {"name": "Ours"},
                "/units/{id}": {"neighbourhood": "BU00000001", "regulated": False},
                }[path]
        ours = client_factory(role="planner")
        if path == "/units/{id}":
            assert ours.put(f"{V1}/neighbourhoods/BU00000001", json={"homes": 1}
                            ).status_code == 201
        their_client = TestClient(ours.app, headers=tenant_b.headers())
        before = their_client.get(V1 + path.format(id=key)).json()

        assert ours.put(V1 + path.format(id=key), json=body).status_code == 201
        assert their_client.get(V1 + path.format(id=key)).json() == before


class TestErpWritesNamingTheirs:
    """Bulk writes name other objects inside their body (a unit, a buurt): another
    organisation's are unknown, the write is refused and theirs stay as they were."""

    @pytest.mark.parametrize(("method", "path", "body"), [
        ("POST", "/units/measurements", {"measurements": [
            {"unit": "100231", "indicator": "arrears", "year": 2025, "value": 1.0}]}),
        ("POST", "/units/derive-homes", {"neighbourhoods": ["BU00000001"]}),
    ], ids=["measurements", "derive-homes"])
    def test_their_units_and_buurten_are_unknown(
        self, client_factory: ClientFactory, theirs: dict[str, str], tenant_b: Tenant,
        method: str, path: str, body: dict[str, Any]
    ) -> None:
        ours = client_factory(role="planner")
        assert ours.put(f"{V1}/indicators/arrears", json={
            "direction": "higher_is_worse", "unit_aggregation": "share"}).status_code == 201
        their_client = TestClient(ours.app, headers=tenant_b.headers())
        before = [their_client.get(f"{V1}{p}").json()
                  for p in ("/units/100231", "/neighbourhoods/BU00000001", "/units/aggregates")]

        response = ours.request(method, V1 + path, json=body)

        assert response.status_code == 422, response.text
        assert before == [their_client.get(f"{V1}{p}").json()
                          for p in ("/units/100231", "/neighbourhoods/BU00000001",
                                    "/units/aggregates")]

    @pytest.mark.parametrize(("kind", "content"), [
        ("units", b"vhe,neighbourhood,regulated\n100233,BU00000001,true\n"),
        ("unit_measurements", b"unit,indicator,year,value\n100231,arrears,2025,7\n"),
        ("measurements", b"neighbourhood,indicator,year,value\nBU01,nuisance_reports,2024,9\n"),
    ])
    def test_an_import_cannot_reach_their_units_or_buurten(
        self, client_factory: ClientFactory, theirs: dict[str, str], tenant_b: Tenant,
        kind: str, content: bytes
    ) -> None:
        ours = client_factory(role="planner")
        for path, body in [("/indicators/arrears", {"direction": "higher_is_worse",
                                                    "unit_aggregation": "share"}),
                           ("/indicators/nuisance_reports", {"direction": "higher_is_worse"})]:
            assert ours.put(V1 + path, json=body).status_code == 201
        their_client = TestClient(ours.app, headers=tenant_b.headers())
        paths = ("/units", "/units/100231", "/neighbourhoods/BU01", "/units/aggregates")
        before = [their_client.get(V1 + p).json() for p in paths]

        response = ours.post(f"{V1}/imports", params={"kind": kind},
                             files={"file": (f"{kind}.csv", content, "text/csv")})

        assert response.status_code == 422, response.text
        columns = {p["column"] for p in response.json()["report"]["problems"]}
        assert columns == {"unit" if kind == "unit_measurements" else "neighbourhood"}
        assert before == [their_client.get(V1 + p).json() for p in paths]


def _identity(item: dict[str, Any]) -> str:
    return str(item.get("id") or item.get("key") or item.get("code") or item.get("vhe")
               or (item.get("neighbourhood"), item.get("indicator"), item.get("year")))


class TestRoles:
    WRITES = [(m, p) for m, p in _routes() if m in ("POST", "PUT", "DELETE") and p != "/solve"]

    @pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
    def test_every_write_refuses_a_viewer(self, client_factory: ClientFactory, method: str,
                                          path: str) -> None:
        client = client_factory(role="viewer")
        concrete = path.replace("{scenario_id}", str(uuid.uuid4())).replace(
            "{run_id}", str(uuid.uuid4())).replace("{key_id}", str(uuid.uuid4())).replace(
            "{webhook_id}", str(uuid.uuid4()))
        concrete = concrete.replace("{import_id}", str(uuid.uuid4())).replace(
            "{sweep_id}", str(uuid.uuid4()))
        for name in ("{key}", "{code}", "{domain}", "{number}", "{vhe}"):
            concrete = concrete.replace(name, "x")
        response = client.request(method, V1 + concrete, json={})
        assert response.status_code == 403, response.text

    @pytest.mark.parametrize(("method", "path"), [
        ("GET", "/keys"), ("POST", "/keys"), ("POST", "/keys/{id}/revoke"), ("GET", "/webhooks"),
        ("POST", "/webhooks"), ("DELETE", "/webhooks/{id}"), ("GET", "/webhooks/{id}/deliveries")])
    def test_key_management_refuses_a_planner(self, client_factory: ClientFactory, method: str,
                                              path: str) -> None:
        client = client_factory(role="planner")
        response = client.request(method, V1 + path.format(id=uuid.uuid4()),
                                  json={"name": "x", "role": "admin"})
        assert response.status_code == 403

    def test_a_viewer_reads_each_erp_object_and_file(
        self, client_factory: ClientFactory, tenant_a: Tenant, theirs: dict[str, str],
        design_example: dict
    ) -> None:
        admin = client_factory(role="admin")
        with client_factory(role="admin", runner_enabled=True, runner_poll_s=0.05) as solver:
            run = wait_until(solver, start(solver, store(solver, design_example)["id"])["id"])
        assert run["state"] == "done"
        assert admin.put(f"{V1}/neighbourhoods/BU00000001", json={"homes": 1}).status_code == 201
        imported = admin.post(f"{V1}/imports", params={"kind": "units"}, files={
            "file": ("units.csv", b"vhe,neighbourhood,regulated\n7,BU00000001,true\n")})
        assert imported.status_code == 201, imported.text
        viewer = client_factory(role="viewer")
        for path in ["/units/7", f"/imports/{imported.json()['id']}",
                     f"/runs/{run['id']}/export?format=csv",
                     f"/runs/{run['id']}/export?format=xlsx",
                     f"/runs/{run['id']}/export?format=vera",
                     f"/runs/{run['id']}/allocations.csv", f"/runs/{run['id']}/allocations.xlsx",
                     "/imports/templates/units.csv", "/imports/templates/units.xlsx"]:
            assert viewer.get(V1 + path).status_code == 200, path

    @pytest.mark.parametrize("role", ["viewer", "planner"])
    def test_webhook_deliveries_are_for_admins_only(
        self, client_factory: ClientFactory, tenant_a: Tenant, role: str
    ) -> None:
        admin = client_factory(role="admin")
        webhook = admin.post(f"{V1}/webhooks", json={"url": "http://127.0.0.1:9/ours",
                                                     "events": ["run.finished"]})
        assert webhook.status_code == 201, webhook.text
        path = f"{V1}/webhooks/{webhook.json()['id']}/deliveries"
        assert admin.get(path).status_code == 200
        client = client_factory(role=role)
        assert client.get(path).status_code == 403
        assert client.delete(f"{V1}/webhooks/{webhook.json()['id']}").status_code == 403
        assert [w["id"] for w in admin.get(f"{V1}/webhooks").json()] == [webhook.json()["id"]]

    def test_a_viewer_reads_everything(self, client_factory: ClientFactory,
                                       theirs: dict[str, str]) -> None:
        client = client_factory(role="viewer")
        for path in LISTS:
            expected = 403 if path in ADMIN_ONLY else 200
            assert client.get(V1 + path).status_code == expected, path
        for method, path in SHARED:
            assert client.request(method, V1 + path).status_code == 200, path


# The web pages with an id (`app.web`); "{…}" as above. Posts carry the session's CSRF token.
WEB_BY_ID: list[tuple[str, str]] = [
    ("GET", "/scenarios/{scenario}"),
    ("POST", "/scenarios/{scenario}/runs"),
    ("GET", "/runs/{run}"),
    ("GET", "/runs/{run}/presenter"),
    ("GET", "/runs/{run}/progress"),
    ("GET", "/runs/{run}/allocations.csv"),
    ("GET", "/runs/{run}/allocations.xlsx"),
    ("GET", "/compare?runs={run},{run}"),
    ("POST", "/runs/{run}/whatif"),
    ("GET", "/runs/{run}/whatif-answer"),
    ("POST", "/scenarios/{scenario}/sweeps"),
    ("GET", "/sweeps/{sweep}"),
    ("GET", "/sweeps/{sweep}/progress"),
    ("POST", "/sweeps/{sweep}/cancel"),
    ("GET", "/sweeps/{sweep}/frontier.csv"),
    ("GET", "/sweeps/{sweep}/frontier.xlsx"),
]
# What the pages' forms send besides the CSRF token (the sweep form's fields).
WEB_FORM = {"budget_from": "1000", "budget_to": "2000", "steps": "2"}
WEB_WRITES = [path for method, path in WEB_BY_ID if method == "POST"]


def _web_routes() -> set[tuple[str, str]]:
    return {(method, route.path) for router in WEB_ROUTERS for route in router.routes
            if isinstance(route, WebRoute) for method in route.methods or ()}


class TestWebPages:
    def test_the_table_covers_every_web_page_with_an_id(self) -> None:
        with_ids = {(m, p) for m, p in _web_routes() if "{" in p}
        assert {(m, _shape(p)) for m, p in with_ids} == {
            (m, _shape(p)) for m, p in WEB_BY_ID if "{" in p.split("?")[0]}

    @pytest.mark.parametrize(("method", "path"), WEB_BY_ID, ids=[f"{m} {p}" for m, p in WEB_BY_ID])
    def test_another_organisations_object_is_a_404_page(
        self, client_factory: ClientFactory, tenant_a: Tenant, tenant_b: Tenant,
        theirs: dict[str, str], method: str, path: str
    ) -> None:
        ours = client_factory(role=None)
        if "{sweep}" in path:
            their_client = TestClient(ours.app, headers=tenant_b.headers("planner"))
            swept = their_client.post(f"{V1}/scenarios/{theirs['scenario']}/sweeps",
                                      json={"budget": {"values": [1000, 2000]}})
            assert swept.status_code == 202, swept.text
            theirs = {**theirs, "sweep": swept.json()["id"]}
        token = sign_in(ours, tenant_a.keys["admin"])
        target = path.replace("{run},{run}", "{run}," + str(uuid.uuid4())).format(**theirs)

        response = ours.request(method, target, data={"csrf_token": token, **WEB_FORM} if
                                method == "POST" else None, follow_redirects=False)

        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("text/html")
        assert "Tarwewijk" not in response.text  # nothing of their scenario shows

    @pytest.mark.parametrize("path", WEB_WRITES)
    def test_a_viewer_cannot_start_anything_from_a_page(
        self, client_factory: ClientFactory, tenant_a: Tenant, design_example: dict, path: str
    ) -> None:
        planner = client_factory(role="planner")
        scenario = store(planner, design_example)
        viewer = client_factory(role=None)
        token = sign_in(viewer, tenant_a.keys["viewer"])

        response = viewer.post(path.format(scenario=scenario["id"], run=uuid.uuid4(),
                                           sweep=uuid.uuid4()),
                               data={"csrf_token": token, **WEB_FORM}, follow_redirects=False)

        assert response.status_code == 403, response.text
        assert planner.get(f"{V1}/runs").json()["items"] == []
