"""Stored scenarios: a name and a list of immutable versions (the documents)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JsonDocument, TenantMixin, TimestampMixin, utcnow


class Scenario(TenantMixin, TimestampMixin, Base):
    __tablename__ = "scenarios"

    name: Mapped[str] = mapped_column(String(500))
    current_version: Mapped[int]


class ScenarioVersion(TenantMixin, Base):
    """Never updated once written: a run refers to it and copies its document."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "number"),)

    scenario_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("scenarios.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    document: Mapped[dict[str, Any]]
    scenario_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20))
    selection: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
    # A what-if version: the run whose document was patched, and the patch (RFC 7396 or 6902).
    # (no foreign key: runs refer to versions already, and the cycle would order no deletes)
    parent_run_id: Mapped[uuid.UUID | None]
    patch: Mapped[Any | None] = mapped_column(JsonDocument)
    patch_format: Mapped[str | None] = mapped_column(String(20))
