"""API keys: 401 without a valid key, 403 for a role that may not, health checks open to all."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.conftest import ClientFactory
from tests.tenants import Tenant

KEYS = "/api/v1/keys"
PROBLEMS = "https://onderbouwd.nl/problems/"


def _problem(response, status: int, kind: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict = response.json()
    assert body["type"] == PROBLEMS + kind
    assert body["status"] == status
    return body


class TestWithoutAValidKey:
    @pytest.mark.parametrize("header", [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer nonsense",
                                        "Bearer obd_AAAAAAAA_" + "A" * 40])
    def test_is_401_with_a_bearer_challenge(
        self, client_factory: ClientFactory, design_example: dict, header: str | None
    ) -> None:
        client = client_factory(role=None)
        headers = {} if header is None else {"Authorization": header}
        response = client.post("/api/v1/solve", json=design_example, headers=headers)
        _problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"

    def test_the_right_prefix_with_a_wrong_secret(
        self, client_factory: ClientFactory, tenant_a: Tenant
    ) -> None:
        key = tenant_a.keys["admin"]
        forged = key[:-1] + ("A" if key[-1] != "A" else "B")
        client = client_factory(role=None)
        response = client.get(KEYS, headers={"Authorization": f"Bearer {forged}"})
        _problem(response, 401, "unauthorized")

    def test_a_revoked_key(self, client_factory: ClientFactory, tenant_a: Tenant) -> None:
        admin = client_factory(role="admin")
        created = admin.post(KEYS, json={"name": "integration", "role": "planner"}).json()
        assert admin.post(f"{KEYS}/{created['id']}/revoke").status_code == 200

        response = admin.get(KEYS, headers={"Authorization": f"Bearer {created['key']}"})
        assert "revoked" in _problem(response, 401, "unauthorized")["detail"]


class TestOpenEndpoints:
    def test_health_and_ready_need_no_key(self, client_factory: ClientFactory) -> None:
        client = client_factory(role=None)
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["status"] == "ready"

    def test_ready_is_503_on_a_database_without_the_schema(self, tmp_path: Path) -> None:
        empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        client = TestClient(create_app(Settings(database_url=str(empty.url)), database=empty))
        body = _problem(client.get("/ready"), 503, "not-ready")
        assert "onderbouwd db upgrade" in body["detail"]

    def test_ready_is_503_when_the_database_cannot_be_reached(self) -> None:
        url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
        client = TestClient(create_app(Settings(database_url=url)))
        _problem(client.get("/ready"), 503, "not-ready")


class TestRoles:
    @pytest.mark.parametrize("role", ["viewer", "planner"])
    def test_keys_need_admin(self, client_factory: ClientFactory, role: str) -> None:
        client = client_factory(role=role)
        body = _problem(client.get(KEYS), 403, "forbidden")
        assert "admin" in body["detail"]
        _problem(client.post(KEYS, json={"name": "x", "role": "viewer"}), 403, "forbidden")

    @pytest.mark.parametrize("role", ["viewer", "planner", "admin"])
    def test_every_role_may_solve(
        self, client_factory: ClientFactory, design_example: dict, role: str
    ) -> None:
        response = client_factory(role=role).post("/api/v1/solve", json=design_example)
        assert response.status_code == 200, response.text


class TestKeys:
    def test_the_key_is_shown_once_and_works(self, client_factory: ClientFactory) -> None:
        admin = client_factory(role="admin")
        created = admin.post(KEYS, json={"name": "ERP koppeling", "role": "planner"})

        assert created.status_code == 201, created.text
        body = created.json()
        assert body["key"].startswith(body["prefix"] + "_")
        listed = admin.get(KEYS).json()
        assert body["prefix"] in [row["prefix"] for row in listed]
        assert all("key" not in row for row in listed)
        assert body["key"] not in admin.get(KEYS).text
        as_new = admin.get("/ready", headers={"Authorization": f"Bearer {body['key']}"})
        assert as_new.status_code == 200

    def test_only_the_hash_is_stored(self, client_factory: ClientFactory, db: Database) -> None:
        key = client_factory(role="admin").post(KEYS, json={"name": "x", "role": "viewer"}
                                                ).json()["key"]
        with db.engine.connect() as connection:
            dump = "\n".join(str(row) for row in connection.exec_driver_sql(
                "SELECT * FROM api_keys"))
        assert key not in dump
        assert key.rsplit("_", 1)[1] not in dump

    def test_another_organisations_key_cannot_be_revoked(
        self, client_factory: ClientFactory, tenant_b: Tenant
    ) -> None:
        theirs = TestClient(client_factory(role=None).app,
                            headers=tenant_b.headers("admin")).get(KEYS).json()[0]
        admin = client_factory(role="admin")
        _problem(admin.post(f"{KEYS}/{theirs['id']}/revoke"), 404, "not-found")
        assert theirs["prefix"] not in admin.get(KEYS).text
