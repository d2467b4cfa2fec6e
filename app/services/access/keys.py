"""Use cases: organisations, API keys, and authenticating a request's key."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.core.errors import NotFound, Unauthorized
from app.core.security import Principal, Role, generate_key, key_prefix, matches
from app.models import ApiKey, Organisation, utcnow
from app.repositories.organisations import (
    ApiKeyRepository,
    OrganisationRepository,
    find_key_by_prefix,
)
from app.schemas.keys import KeyCreated, KeyOut
from app.services.access import audit

CLI_ACTOR = "cli"


def organisation_principal(session: Session, name: str) -> Principal:
    """Full rights on the named organisation, for the command line; `NotFound` when missing."""
    organisation = OrganisationRepository(session).by_name(name)
    if organisation is None:
        raise NotFound(f"no organisation named {name!r}")
    return cli_principal(organisation)


def ensure_organisation(session: Session, name: str) -> tuple[Organisation, bool]:
    """The organisation of that name, created when missing (and whether it was)."""
    repository = OrganisationRepository(session)
    organisation = repository.by_name(name)
    if organisation is not None:
        return organisation, False
    return repository.add(Organisation(name=name)), True


def cli_principal(organisation: Organisation) -> Principal:
    """The command line acts with full rights on the organisation it names."""
    return Principal(
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        role=Role.admin,
        actor=CLI_ACTOR,
    )


def create_key(session: Session, principal: Principal, name: str, role: Role) -> KeyCreated:
    new = generate_key()
    row = ApiKeyRepository(session, principal.organisation_id).add(
        ApiKey(
            name=name,
            role=role.value,
            prefix=new.prefix,
            secret_sha256=new.secret_sha256,
        )
    )
    # Who (the actor), when (the entry's time) and which key (its id; the prefix, which is not
    # secret, to recognise it) — never the key itself, which is shown once to its creator.
    audit.record(
        session,
        principal,
        "key.create",
        "api_key",
        str(row.id),
        changes={"name": [None, name], "role": [None, role.value],
                 "prefix": [None, row.prefix]},
    )
    return KeyCreated(**_out(row).model_dump(), key=new.key)


def list_keys(session: Session, principal: Principal) -> list[KeyOut]:
    rows = ApiKeyRepository(session, principal.organisation_id).all_where(
        order_by=ApiKey.created_at
    )
    return [_out(row) for row in rows]


def revoke_key(session: Session, principal: Principal, key_id: uuid.UUID) -> KeyOut:
    row = ApiKeyRepository(session, principal.organisation_id).get(key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
        _audit_revoked(session, principal, row)
    return _out(row)


def revoke_keys_named(session: Session, principal: Principal, name: str) -> int:
    rows = ApiKeyRepository(session, principal.organisation_id).all_where(
        ApiKey.name == name, ApiKey.revoked_at.is_(None)
    )
    for row in rows:
        row.revoked_at = utcnow()
    session.flush()
    for row in rows:
        _audit_revoked(session, principal, row)
    return len(rows)


def _audit_revoked(session: Session, principal: Principal, row: ApiKey) -> None:
    audit.record(session, principal, "key.revoke", "api_key", str(row.id),
                 changes={"revoked_at": [None, row.revoked_at.isoformat()
                                         if row.revoked_at else None]})


def authenticate(session: Session, key: str) -> Principal:
    """The caller behind a key; `Unauthorized` for a key that is unknown, wrong or revoked."""
    prefix = key_prefix(key)
    found = find_key_by_prefix(session, prefix) if prefix else None
    if found is None or not matches(key, found[0].secret_sha256):
        raise Unauthorized("the API key is not valid")
    row, organisation = found
    if row.revoked_at is not None:
        raise Unauthorized("the API key has been revoked")
    return Principal(
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        role=Role(row.role),
        actor=f"{row.prefix} ({row.name})",
        key_id=row.id,
    )


def _out(row: ApiKey) -> KeyOut:
    return KeyOut(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )
