"""Operability: Prometheus metrics at /metrics counted from real requests and runs, and
structured log lines carrying the request, organisation and run they belong to."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator

import pytest
import structlog
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.core.config import Settings
from app.core.db import Database
from app.core.logging import configure_logging
from app.jobs.single_run import solve_run
from tests.conftest import ClientFactory
from tests.jobs.queue_helpers import queue_runs
from tests.tenants import Tenant


def _samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
           **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


class TestMetrics:
    def test_requests_are_counted_by_route_template_and_status(
        self, client_factory: ClientFactory
    ) -> None:
        client = client_factory("viewer")
        before = _samples(client)
        for _ in range(3):
            assert client.get("/health").status_code == 200
        for _ in range(2):
            assert client.get(f"/api/v1/runs/{uuid.uuid4()}").status_code == 404
        after = _samples(client)

        def grew(name: str, **labels: str) -> float:
            return _value(after, name, **labels) - _value(before, name, **labels)

        assert grew("onderbouwd_http_requests_total", method="GET", route="/health",
                    status="200") == 3
        assert grew("onderbouwd_http_requests_total", method="GET",
                    route="/api/v1/runs/{run_id}", status="404") == 2
        assert grew("onderbouwd_http_request_duration_seconds_count", method="GET",
                    route="/health") == 3
        # The first /metrics scrape itself is counted by the second.
        assert grew("onderbouwd_http_requests_total", method="GET", route="/metrics",
                    status="200") == 1

    def test_queued_and_running_runs_are_read_from_the_database(
        self, client_factory: ClientFactory, db: Database, tenant_a: Tenant
    ) -> None:
        queue_runs(db, tenant_a, 3)
        samples = _samples(client_factory(None))
        assert _value(samples, "onderbouwd_runs", state="queued") == 3
        assert _value(samples, "onderbouwd_runs", state="running") == 0

    def test_a_finished_solve_is_counted_with_its_seconds_and_gap(
        self, client_factory: ClientFactory, db: Database, tenant_a: Tenant,
        test_settings: Settings
    ) -> None:
        client = client_factory(None)
        [run_id] = queue_runs(db, tenant_a, 1)
        before = _samples(client)
        assert solve_run(db, test_settings, run_id, "metrics-test") == "done"
        after = _samples(client)
        recommendation = client_factory("viewer").get(f"/api/v1/runs/{run_id}").json()[
            "recommendation"]

        def grew(name: str, **labels: str) -> float:
            return _value(after, name, **labels) - _value(before, name, **labels)

        assert grew("onderbouwd_runs_finished_total", state="done") == 1
        assert grew("onderbouwd_solve_seconds_count", status="optimal") == 1
        assert grew("onderbouwd_solve_seconds_sum", status="optimal") == pytest.approx(
            recommendation["solver"]["timings"]["solve_s"])
        assert grew("onderbouwd_solve_gap_count") == 1
        assert grew("onderbouwd_solve_gap_sum") == pytest.approx(recommendation["gap"])


@pytest.fixture
def production_logs(capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """JSON logs to the captured stderr (configured once capturing has begun)."""
    configure_logging("production")
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "onderbouwd"]:
        root.removeHandler(handler)
    structlog.reset_defaults()


def _json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


class TestLogs:
    def test_a_request_line_names_its_request_and_organisation(
        self, client_factory: ClientFactory, tenant_a: Tenant, production_logs: None,
        capfd: pytest.CaptureFixture[str]
    ) -> None:
        client = client_factory("viewer")
        response = client.get("/api/v1/runs", headers={"X-Request-ID": "workshop-42"})
        assert response.headers["x-request-id"] == "workshop-42"
        lines = _json_lines(capfd.readouterr().err)
        mine = [line for line in lines if line.get("request_id") == "workshop-42"]
        assert mine, lines
        assert all(line["organisation_id"] == str(tenant_a.organisation_id) for line in mine)
        assert all("run_id" in line and line["level"] for line in mine)
        assert mine[-1]["route"] == "/api/v1/runs"
        assert mine[-1]["status"] == 200

    def test_a_request_without_an_id_is_given_one(
        self, client_factory: ClientFactory, production_logs: None,
        capfd: pytest.CaptureFixture[str]
    ) -> None:
        first = client_factory(None).get("/health").headers["x-request-id"]
        second = client_factory(None).get("/health").headers["x-request-id"]
        assert first != second
        ids = {line["request_id"] for line in _json_lines(capfd.readouterr().err)}
        assert {first, second} <= ids

    def test_a_run_s_lines_name_the_run_and_its_organisation(
        self, db: Database, tenant_a: Tenant, test_settings: Settings, production_logs: None,
        capfd: pytest.CaptureFixture[str]
    ) -> None:
        [run_id] = queue_runs(db, tenant_a, 1)
        assert solve_run(db, test_settings, run_id, "log-test") == "done"
        lines = [line for line in _json_lines(capfd.readouterr().err)
                 if line.get("logger") == "onderbouwd.worker"]
        assert len(lines) >= 2
        assert all(line["run_id"] == str(run_id) for line in lines)
        assert all(line["organisation_id"] == str(tenant_a.organisation_id) for line in lines)

    def test_development_lines_are_readable_not_json(
        self, client_factory: ClientFactory, capfd: pytest.CaptureFixture[str]
    ) -> None:
        configure_logging("development")
        try:
            client_factory(None).get("/health", headers={"X-Request-ID": "dev-7"})
        finally:
            root = logging.getLogger()
            for handler in [h for h in root.handlers if h.get_name() == "onderbouwd"]:
                root.removeHandler(handler)
            structlog.reset_defaults()
        line = next(line for line in capfd.readouterr().err.splitlines() if "dev-7" in line)
        assert not line.startswith("{")
        assert "request_id=dev-7" in line
