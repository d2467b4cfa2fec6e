"""A scenario stored for an organisation, for the `run` and `sweep` commands' tests (their
fixtures are in conftest.py)."""

from __future__ import annotations

import uuid
from typing import Any

from app.core.db import Database
from app.core.security import Principal, Role
from app.schemas.stored import ScenarioWrite
from app.services.planning import scenarios
from tests.jobs.queue_helpers import design_example
from tests.tenants import Tenant


def stored(db: Database, tenant: Tenant, document: dict[str, Any] | None = None) -> str:
    principal = Principal(organisation_id=tenant.organisation_id, organisation_name=tenant.name,
                          role=Role.planner, actor="test")
    with db.transaction() as session:
        answer = scenarios.create_scenario(
            session, principal,
            ScenarioWrite.model_validate({"document": document or design_example()}), None)
    return str(uuid.UUID(str(answer.body["id"])))
