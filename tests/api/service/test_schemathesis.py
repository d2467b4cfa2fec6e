"""Requests generated from the OpenAPI document by schemathesis, valid and invalid, against the
app in-process on SQLite and on PostgreSQL: every operation answers without a 5xx, and every
answer is one the document describes (status, content type, headers, body schema).
(Schemathesis's `negative_data_rejection` is left out: it counts an unknown query parameter as
invalid, and the API ignores those, as HTTP APIs commonly do.)

One test per operation and database. `ONDERBOUWD_FUZZ_EXAMPLES` sets the examples per
operation (50 here; `make fuzz` runs many more).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis import checks as schemathesis_checks

from tests.conftest import ClientFactory
from tests.tenants import Tenant

EXAMPLES = int(os.environ.get("ONDERBOUWD_FUZZ_EXAMPLES", "50"))
OPENAPI = json.loads((Path(__file__).resolve().parents[3] / "openapi" / "openapi.json")
                     .read_text(encoding="utf-8"))
OPERATIONS = [(method.upper(), path) for path, item in OPENAPI["paths"].items()
              for method in item]

CHECKS = [
    schemathesis_checks.not_a_server_error,
    schemathesis_checks.status_code_conformance,
    schemathesis_checks.content_type_conformance,
    schemathesis_checks.response_headers_conformance,
    schemathesis_checks.response_schema_conformance,
]


@functools.cache
def _schema() -> Any:
    """The committed document (tests/api/service/test_openapi.py holds it equal to the app's), read
    once per process: building it from the app for each operation costs seconds."""
    return schemathesis.openapi.from_dict(OPENAPI)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_as_documented(
    client_factory: ClientFactory, tenant_a: Tenant, method: str, path: str
) -> None:
    # The admin's key reaches every operation past its role check; small solver limits, since
    # a generated scenario may ask for anything and the server caps it.
    schema = _schema()
    schema.app = client_factory(None, max_time_limit_s=1.0).app
    operation = schema[path][method]
    key = {"Authorization": f"Bearer {tenant_a.keys['admin']}"}
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                      operation.as_strategy(GenerationMode.NEGATIVE))

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def answers_as_documented(case: Any) -> None:
        case.call_and_validate(headers=key, checks=CHECKS)

    answers_as_documented()
