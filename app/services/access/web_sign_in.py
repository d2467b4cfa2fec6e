"""Use cases of the web pages' sign-in: a key is checked once, and the session then names the
key (never the key itself), so revoking the key ends every web session made with it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.errors import Unauthorized
from app.core.security import Principal, Role
from app.repositories.organisations import find_key_by_id
from app.services.access.keys import authenticate


@dataclass(frozen=True)
class WebUser:
    principal: Principal
    locale: str  # the organisation's: how its pages write numbers


def sign_in(session: Session, key: str) -> WebUser:
    """The user behind a key typed into the sign-in form; `Unauthorized` for a bad key."""
    principal = authenticate(session, key.strip())
    assert principal.key_id is not None
    return signed_in(session, principal.key_id)


def signed_in(session: Session, key_id: uuid.UUID) -> WebUser:
    """The user of a session that signed in with `key_id`; `Unauthorized` once it is revoked."""
    found = find_key_by_id(session, key_id)
    if found is None:
        raise Unauthorized("the key this session signed in with is gone")
    row, organisation = found
    if row.revoked_at is not None:
        raise Unauthorized("the key this session signed in with has been revoked")
    principal = Principal(
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        role=Role(row.role),
        actor=f"{row.prefix} ({row.name}, web)",
        key_id=row.id,
    )
    return WebUser(principal=principal, locale=organisation.locale)
