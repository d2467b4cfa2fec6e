"""API shapes shared by every resource: pages of a list, audit entries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


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
