"""API shapes of API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.security import Role
from app.schemas.common import Text


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=200, description="What the key is for.")
    role: Role = Field(description="viewer: read and solve; planner: also write; admin: keys.")


class KeyOut(BaseModel):
    id: uuid.UUID
    name: str
    role: Role
    prefix: str = Field(description="The first part of the key, to recognise it by.")
    created_at: datetime
    revoked_at: datetime | None = None


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself. Shown once: only its hash is stored.")
