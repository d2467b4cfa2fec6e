"""API shapes shared by every resource: pages of a list, audit entries; and the constrained
types every request field is built from, so that whatever a client sends either fits the
database or is refused with a 422 naming the field.

- Integers never exceed what a PostgreSQL `integer` (and SQLite's 64-bit one) holds.
- Numbers are strict: `true` is not 1, `"3"` is not 3.
- Identifiers hold no control character at all; free text holds none but tab and newline
  (PostgreSQL refuses NUL in text and JSON, and the others are never meant).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, Field

T = TypeVar("T")

INT32_MAX = 2**31 - 1

# Characters refused in identifiers (everything below U+0020, and DEL), and in free text
# (the same except tab, newline and carriage return). The patterns document it in the OpenAPI;
# the validators refuse with a message that says which character and where.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"
NO_TEXT_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_FREE_TEXT_ALLOWED = frozenset("\t\n\r")


def control_character(value: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """A description of the first control character in `value`, or None when it has none."""
    for position, character in enumerate(value):
        if (character < " " or character == "\x7f") and character not in allowed:
            return f"U+{ord(character):04X} at position {position}"
    return None


def _identifier(value: str) -> str:
    found = control_character(value)
    if found:
        raise ValueError(f"must not contain control characters (found {found})")
    return value


def _text(value: str) -> str:
    found = control_character(value, _FREE_TEXT_ALLOWED)
    if found:
        raise ValueError(
            f"must not contain control characters other than tab and newline (found {found})"
        )
    return value


Count = Annotated[int, Field(strict=True, ge=0, le=INT32_MAX)]
PositiveInt = Annotated[int, Field(strict=True, ge=1, le=INT32_MAX)]
VersionNumber = Annotated[int, Field(strict=True, ge=1, le=INT32_MAX)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Identifier = Annotated[
    str,
    Field(min_length=1, max_length=200, json_schema_extra={"pattern": NO_CONTROL_CHARACTERS}),
    AfterValidator(_identifier),
]
Text = Annotated[
    str,
    Field(max_length=10_000, json_schema_extra={"pattern": NO_TEXT_CONTROL_CHARACTERS}),
    AfterValidator(_text),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


class AuditEntryOut(BaseModel):
    id: uuid.UUID
    actor: str = Field(description="The API key (prefix and name) or `cli`.")
    action: str
    entity_type: str
    entity_key: str
    rationale: str | None = None
    changes: dict[str, Any] | None = None
    created_at: datetime
