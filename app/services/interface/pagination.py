"""Opaque cursors for keyset pagination: the last row's sort key, base64url-encoded."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any, Literal

from app.core.errors import ValidationFailed


def encode_cursor(last: str | uuid.UUID) -> str:
    value = str(last)
    raw = json.dumps({"after": value}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, kind: Literal["str", "uuid"] = "str") -> Any:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["after"]
        if not isinstance(value, str):
            raise ValueError(value)
        return uuid.UUID(value) if kind == "uuid" else value
    except (ValueError, KeyError, TypeError, UnicodeError) as error:
        raise _not_a_cursor() from error


def encode_time_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    """A cursor for a list ordered by creation time, newest first: the last row's time and id
    (two rows made in the same microsecond are told apart by their ids)."""
    return encode_cursor(f"{created_at.isoformat()} {row_id}")


def decode_time_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    value = decode_cursor(cursor)
    if value is None:
        return None
    try:
        created_at, row_id = value.split(" ")
        at = datetime.fromisoformat(created_at)
        if at.tzinfo is None:
            raise ValueError(created_at)
        return at, uuid.UUID(row_id)
    except ValueError as error:
        raise _not_a_cursor() from error


def _not_a_cursor() -> ValidationFailed:
    return ValidationFailed(
        "cursor: not a cursor this API gave out",
        errors=[{"path": "cursor", "message": "not a cursor this API gave out"}],
    )
