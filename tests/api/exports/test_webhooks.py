"""Webhooks over HTTP: created by admins with a secret shown once, refused for internal
addresses, delivered signed (Standard Webhooks) from the outbox, retried, and listed with every
attempt."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook as Verifier

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.api.stored import start, store, wait_until
from tests.conftest import ClientFactory
from tests.receiver import Received, receiver
from tests.tenants import Tenant

WEBHOOKS = "/api/v1/webhooks"
PROBLEM_JSON = "application/problem+json"


def _create(client: TestClient, url: str, events: list[str] | None = None) -> dict[str, Any]:
    response = client.post(WEBHOOKS, json={"url": url, "events": events or ["run.finished"]})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def live(db: Database, tenant_a: Tenant, test_settings: Settings) -> Iterator[TestClient]:
    """An admin's client of an app with its runner and webhook dispatcher on, retrying fast."""
    settings = test_settings.model_copy(update={
        "runner_enabled": True, "runner_poll_s": 0.05, "webhook_dispatcher_enabled": True,
        "webhook_poll_s": 0.05, "webhook_first_retry_s": 0.05})
    with TestClient(create_app(settings, database=db), headers=tenant_a.headers("admin")
                    ) as client:
        yield client


def _verified(secret: str, request: Received) -> dict[str, Any]:
    payload: dict[str, Any] = Verifier(secret).verify(request.body, request.headers)
    return payload


class TestSubscriptions:
    def test_the_secret_is_shown_once_in_the_standard_format(
        self, client_factory: ClientFactory
    ) -> None:
        admin = client_factory(role="admin")
        created = _create(admin, "http://127.0.0.1:9/hook", ["run.finished", "run.failed"])

        assert created["secret"].startswith("whsec_")
        assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
        listed = admin.get(WEBHOOKS).json()
        assert [w["id"] for w in listed] == [created["id"]]
        assert "secret" not in listed[0]
        assert listed[0]["events"] == ["run.failed", "run.finished"]

    def test_delete(self, client_factory: ClientFactory) -> None:
        admin = client_factory(role="admin")
        created = _create(admin, "http://127.0.0.1:9/hook")

        assert admin.delete(f"{WEBHOOKS}/{created['id']}").status_code == 204
        assert admin.get(WEBHOOKS).json() == []
        assert admin.delete(f"{WEBHOOKS}/{created['id']}").status_code == 404

    @pytest.mark.parametrize("url", [
        "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/hook",
        "http://192.168.0.10/hook", "http://172.16.5.4/hook", "http://169.254.169.254/latest",
        "http://[::1]/hook", "http://[fe80::1]/hook", "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook"])
    def test_an_internal_address_is_refused_naming_url(
        self, client_factory: ClientFactory, url: str
    ) -> None:
        admin = client_factory(role="admin", webhook_allow_private=False)
        response = admin.post(WEBHOOKS, json={"url": url, "events": ["run.finished"]})

        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM_JSON
        assert [e["path"] for e in response.json()["errors"]] == ["url"]
        assert admin.get(WEBHOOKS).json() == []

    @pytest.mark.parametrize(("body", "path"), [
        ({"url": "ftp://example.org/x", "events": ["run.finished"]}, "url"),
        ({"url": "not a url", "events": ["run.finished"]}, "url"),
        ({"url": "http://127.0.0.1:9/x", "events": ["run.exploded"]}, "events[0]"),
        ({"url": "http://127.0.0.1:9/x", "events": []}, "events"),
        ({"events": ["run.finished"]}, "url"),
    ])
    def test_bad_input_names_its_field(self, client_factory: ClientFactory,
                                       body: dict[str, Any], path: str) -> None:
        response = client_factory(role="admin").post(WEBHOOKS, json=body)
        assert response.status_code == 422, response.text
        assert path in [e["path"] for e in response.json()["errors"]]


class TestDelivery:
    def test_run_finished_arrives_signed(self, live: TestClient, design_example: dict) -> None:
        with receiver() as hook:
            created = _create(live, hook.url)
            run = start(live, store(live, design_example)["id"])
            done = wait_until(live, run["id"])
            [request] = hook.wait_for(1)

        payload = _verified(created["secret"], request)
        assert payload["type"] == "run.finished"
        assert payload["data"]["run_id"] == run["id"]
        assert payload["data"]["status"] == done["status"] == "optimal"
        assert payload["data"]["objective"] == done["objective"]
        assert request.path == "/hooks/onderbouwd"
        tampered = Received(request.path, request.headers, request.body.replace(b"optimal",
                                                                                b"feasible"))
        with pytest.raises(Exception, match="signature"):
            _verified(created["secret"], tampered)

    def test_a_receiver_that_fails_twice_gets_it_on_the_third_try(
        self, live: TestClient, design_example: dict
    ) -> None:
        with receiver(failures=2) as hook:
            created = _create(live, hook.url)
            run = start(live, store(live, design_example)["id"])
            requests = hook.wait_for(3)
            deliveries = _settled(live, created["id"])

        assert len({r.headers["webhook-id"] for r in requests}) == 1
        assert [_verified(created["secret"], r)["data"]["run_id"] for r in requests] == (
            [run["id"]] * 3)
        [delivery] = deliveries
        assert delivery["state"] == "delivered"
        assert delivery["webhook_id_header"] == requests[0].headers["webhook-id"]
        assert [(a["number"], a["outcome"], a["status_code"]) for a in delivery["attempts"]] == [
            (1, "failed", 500), (2, "failed", 500), (3, "delivered", 204)]
        assert "500" in delivery["attempts"][0]["error"]

    def test_failed_after_the_retry_window(self, db: Database, tenant_a: Tenant,
                                           test_settings: Settings, design_example: dict
                                           ) -> None:
        settings = test_settings.model_copy(update={
            "runner_enabled": True, "runner_poll_s": 0.05, "webhook_dispatcher_enabled": True,
            "webhook_poll_s": 0.05, "webhook_first_retry_s": 0.1, "webhook_retry_window_s": 3})
        with receiver(failures=10**6) as hook, TestClient(
                create_app(settings, database=db), headers=tenant_a.headers("admin")) as live:
            created = _create(live, hook.url)
            start(live, store(live, design_example)["id"])
            [delivery] = _settled(live, created["id"])

        assert delivery["state"] == "failed"
        attempts = delivery["attempts"]
        assert len(attempts) >= 2
        assert all(a["outcome"] == "failed" for a in attempts)
        assert len(hook.received) == len(attempts)

    def test_the_address_is_checked_again_before_each_attempt(
        self, client_factory: ClientFactory, db: Database, tenant_a: Tenant,
        test_settings: Settings, design_example: dict
    ) -> None:
        with receiver() as hook:
            created = _create(client_factory(role="admin"), hook.url)  # allowed at creation
            strict = test_settings.model_copy(update={
                "runner_enabled": True, "runner_poll_s": 0.05, "webhook_poll_s": 0.05,
                "webhook_dispatcher_enabled": True, "webhook_allow_private": False})
            with TestClient(create_app(strict, database=db),
                            headers=tenant_a.headers("admin")) as live:
                start(live, store(live, design_example)["id"])
                deliveries = _settled(
                    live, created["id"],
                    # an attempt is written as "sending" before its outcome is known
                    until=lambda d: any(a["outcome"] != "sending" for a in d["attempts"]))

        assert hook.received == []
        first = deliveries[0]["attempts"][0]
        assert first["outcome"] == "failed"
        assert first["status_code"] is None
        assert "127.0.0.1" in first["error"]

    def test_only_subscribed_types_are_delivered(self, live: TestClient,
                                                 design_example: dict) -> None:
        created = _create(live, "http://127.0.0.1:9/never", ["run.failed"])
        wait_until(live, start(live, store(live, design_example)["id"])["id"])
        assert live.get(f"{WEBHOOKS}/{created['id']}/deliveries").json()["items"] == []


def _settled(client: TestClient, webhook_id: str, timeout_s: float = 60,
             until: Any = None) -> list[dict[str, Any]]:
    """The webhook's deliveries once none is pending (or `until` holds for the first)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        items: list[dict[str, Any]] = client.get(
            f"{WEBHOOKS}/{webhook_id}/deliveries").json()["items"]
        if items and (until(items[0]) if until else all(d["state"] != "pending"
                                                         for d in items)):
            return items
        assert time.monotonic() < deadline, f"deliveries still pending: {items}"
        time.sleep(0.05)
