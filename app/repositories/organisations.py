"""Organisations and their API keys."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiKey, Organisation
from app.repositories.base import RepositoryBase


class OrganisationRepository:
    """Organisations are the tenants themselves, so this one is not scoped."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def by_name(self, name: str) -> Organisation | None:
        return self.session.scalars(
            select(Organisation).where(Organisation.name == name)
        ).one_or_none()

    def add(self, organisation: Organisation) -> Organisation:
        self.session.add(organisation)
        self.session.flush()
        return organisation

    def all(self) -> list[Organisation]:
        return list(self.session.scalars(select(Organisation).order_by(Organisation.name)))


class ApiKeyRepository(RepositoryBase[ApiKey]):
    model = ApiKey

    def by_prefix(self, prefix: str) -> ApiKey | None:
        return self.one_where(ApiKey.prefix == prefix)


def find_key_by_prefix(session: Session, prefix: str) -> tuple[ApiKey, Organisation] | None:
    """The one lookup that precedes knowing the organisation: authentication."""
    row = session.execute(
        select(ApiKey, Organisation)
        .join(Organisation, Organisation.id == ApiKey.organisation_id)
        .where(ApiKey.prefix == prefix)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def find_key_by_id(session: Session, key_id: uuid.UUID) -> tuple[ApiKey, Organisation] | None:
    """A web session names the key it signed in with; this finds it and its organisation."""
    row = session.execute(
        select(ApiKey, Organisation)
        .join(Organisation, Organisation.id == ApiKey.organisation_id)
        .where(ApiKey.id == key_id)
    ).one_or_none()
    return None if row is None else (row[0], row[1])
