"""The exported OpenAPI document must match the app (DESIGN §5)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.api.openapi import openapi_json
from app.main import create_app

EXPORTED = Path(__file__).resolve().parents[3] / "openapi" / "openapi.json"


def test_the_exported_document_matches_the_app() -> None:
    current = openapi_json(create_app())
    exported = EXPORTED.read_text(encoding="utf-8") if EXPORTED.exists() else ""
    assert current == exported, (
        "openapi/openapi.json is out of date with the app: run `make openapi` and commit it"
    )


def test_solve_documents_the_contract_and_its_problems() -> None:
    document = json.loads(openapi_json(create_app()))
    operation = document["paths"]["/api/v1/solve"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Scenario"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/Recommendation"}
    for status in ("400", "413", "422"):
        content = operation["responses"][status]["content"]
        assert content == {"application/problem+json":
                           {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "/health" in document["paths"]


def test_operation_ids_are_the_readable_unique_function_names() -> None:
    app = create_app()
    paths = app.openapi()["paths"]
    ids = [op["operationId"] for operations in paths.values() for op in operations.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", i) for i in ids), ids
    assert {"create_scenario", "start_run", "export_run", "create_webhook"} <= set(ids)
