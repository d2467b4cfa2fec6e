"""Tenants and the API keys that act for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TenantMixin, utcnow

ROLES = ("viewer", "planner", "admin")


class Organisation(IdMixin, Base):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # How the web pages write numbers: `nl` (€ 1.250.000, 0,15), anything else English.
    locale: Mapped[str] = mapped_column(String(10), default="en", server_default="en")


class ApiKey(TenantMixin, Base):
    """Stored as a lookup prefix and the SHA-256 of the whole key; the key itself is never kept."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("role IN ('viewer', 'planner', 'admin')", name="role"),)

    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
