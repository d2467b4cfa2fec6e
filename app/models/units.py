"""Rentable units (*verhuurbare eenheden*, VHE) as a corporation's ERP holds them, with their
per-unit measurements, and the record of each bulk import."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Double, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TenantMixin, TimestampMixin, utcnow


class Unit(TenantMixin, TimestampMixin, Base):
    """A unit in a buurt (by CBS code), regulated (DAEB) or not, optionally in a complex."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("organisation_id", "vhe"),
        Index("ix_units_organisation_id_neighbourhood", "organisation_id", "neighbourhood"),
    )

    vhe: Mapped[str] = mapped_column(String(200))
    neighbourhood: Mapped[str] = mapped_column(String(10))
    regulated: Mapped[bool] = mapped_column(Boolean)
    complex_id: Mapped[str | None] = mapped_column(String(200))

    measurements: Mapped[list[UnitMeasurement]] = relationship(
        back_populates="unit",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(UnitMeasurement.indicator, UnitMeasurement.year)",
    )


class UnitMeasurement(TenantMixin, Base):
    __tablename__ = "unit_measurements"
    __table_args__ = (UniqueConstraint("unit_id", "indicator", "year"),)

    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    value: Mapped[float] = mapped_column(Double)

    unit: Mapped[Unit] = relationship(back_populates="measurements")


class ImportRecord(TenantMixin, Base):
    """One bulk import that was carried out (`succeeded`) or refused for its problems
    (`rejected`, nothing written); dry runs are not recorded."""

    __tablename__ = "imports"

    kind: Mapped[str] = mapped_column(String(50))
    format: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20))
    rows: Mapped[int]
    created: Mapped[int]
    updated: Mapped[int]
    unchanged: Mapped[int]
    problem_count: Mapped[int]
    problems: Mapped[list[Any]]
    actor: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
