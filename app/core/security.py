"""API keys: generation, hashing, and the roles they carry.

A key is `obd_<prefix>_<secret>`: 8 random characters used to find the stored row and 40 more
that make it unguessable (~240 bits in all). Only the prefix and the SHA-256 of the whole key
are stored; a slow password hash adds nothing for a key of that entropy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import uuid
from dataclasses import dataclass
from enum import StrEnum

KEY_SCHEME = "obd"
_ALPHABET = string.ascii_letters + string.digits
_PREFIX_LENGTH = 8
_SECRET_LENGTH = 40


class Role(StrEnum):
    viewer = "viewer"
    planner = "planner"
    admin = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANKS = {Role.viewer: 0, Role.planner: 1, Role.admin: 2}


@dataclass(frozen=True)
class NewKey:
    key: str  # shown once, never stored
    prefix: str
    secret_sha256: str


@dataclass(frozen=True)
class Principal:
    """Who is calling: an organisation, through one of its keys (or the command line)."""

    organisation_id: uuid.UUID
    organisation_name: str
    role: Role
    actor: str  # what the audit log records: the key's prefix and name, or "cli"
    key_id: uuid.UUID | None = None


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def generate_key() -> NewKey:
    prefix = f"{KEY_SCHEME}_{_random(_PREFIX_LENGTH)}"
    key = f"{prefix}_{_random(_SECRET_LENGTH)}"
    return NewKey(key=key, prefix=prefix, secret_sha256=hash_key(key))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str | None:
    """The lookup prefix of a well-formed key, else None."""
    parts = key.split("_")
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        return None
    if len(parts[1]) != _PREFIX_LENGTH or len(parts[2]) != _SECRET_LENGTH:
        return None
    return f"{parts[0]}_{parts[1]}"


def matches(key: str, secret_sha256: str) -> bool:
    return hmac.compare_digest(hash_key(key), secret_sha256)
