"""Organisations with one API key per role, made through the services as the CLI does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from app.core.db import Database
from app.core.security import Role
from app.services.access.keys import cli_principal, create_key, ensure_organisation


@dataclass
class Tenant:
    name: str
    organisation_id: uuid.UUID
    keys: dict[str, str] = field(default_factory=dict)  # role -> key

    def headers(self, role: str = "planner") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def make_tenant(database: Database, name: str) -> Tenant:
    with database.transaction() as session:
        organisation, _ = ensure_organisation(session, name)
        principal = cli_principal(organisation)
        tenant = Tenant(name=name, organisation_id=organisation.id)
        for role in Role:
            tenant.keys[role.value] = create_key(session, principal, f"test {role.value}",
                                                 role).key
    return tenant
