"""Where the API serves each resource (for `Location` headers)."""

from __future__ import annotations

import uuid

API = "/api/v1"


def scenario_path(scenario_id: uuid.UUID) -> str:
    return f"{API}/scenarios/{scenario_id}"


def run_path(run_id: uuid.UUID) -> str:
    return f"{API}/runs/{run_id}"
