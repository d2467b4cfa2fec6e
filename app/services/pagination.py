"""Opaque cursors for keyset pagination: the last row's sort key, base64url-encoded."""

from __future__ import annotations

import base64
import json
import uuid
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
        raise ValidationFailed(
            "cursor: not a cursor this API gave out",
            errors=[{"path": "cursor", "message": "not a cursor this API gave out"}],
        ) from error
