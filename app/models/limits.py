"""Synchronous solves in progress, counted with the queued and running runs against an
organisation's limit on solves at once: rows in the database, so the limit holds across API
processes and machines. A row past `expires_at` belongs to a process that died mid-solve and no
longer counts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TenantMixin, utcnow


class SolveSlot(TenantMixin, Base):
    __tablename__ = "solve_slots"
    __table_args__ = (Index(None, "organisation_id", "expires_at"),)

    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
