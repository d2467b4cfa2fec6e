"""The organisation's catalogue: domains, indicators, neighbourhoods with their measurements and
staff adjustments, interventions and partners. Each is addressed by its external id (`key`, or
`code` for neighbourhoods), unique within the organisation."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, Double, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TenantMixin, TimestampMixin


class Domain(TenantMixin, TimestampMixin, Base):
    __tablename__ = "domains"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    key: Mapped[str] = mapped_column(String(200))
    label: Mapped[str | None] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Double)
    target: Mapped[float] = mapped_column(Double)


class Indicator(TenantMixin, TimestampMixin, Base):
    """A measured metric. With a `domain` it is normalised into that domain's score; without
    one it is kept as history only."""

    __tablename__ = "indicators"
    __table_args__ = (
        UniqueConstraint("organisation_id", "key"),
        CheckConstraint("direction IN ('higher_is_better', 'higher_is_worse')", name="direction"),
        CheckConstraint("unit_aggregation IN ('mean', 'share', 'count')", name="unit_aggregation"),
    )

    key: Mapped[str] = mapped_column(String(200))
    label: Mapped[str | None] = mapped_column(String(200))
    domain: Mapped[str | None] = mapped_column(String(200))
    direction: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(500))
    reference_value: Mapped[float | None] = mapped_column(Double)
    reference_spread: Mapped[float | None] = mapped_column(Double)
    unit_aggregation: Mapped[str | None] = mapped_column(String(10))


class Neighbourhood(TenantMixin, TimestampMixin, Base):
    __tablename__ = "neighbourhoods"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    code: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    municipality: Mapped[str | None] = mapped_column(String(200))
    homes: Mapped[float] = mapped_column(Double)
    regulated_homes: Mapped[float] = mapped_column(Double)

    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="neighbourhood",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="(IndicatorValue.indicator, IndicatorValue.year)",
    )
    adjustments: Mapped[list[Adjustment]] = relationship(
        back_populates="neighbourhood",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Adjustment.domain",
    )


class IndicatorValue(TenantMixin, Base):
    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("neighbourhood_id", "indicator", "year"),)

    neighbourhood_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="CASCADE"), index=True
    )
    indicator: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    value: Mapped[float] = mapped_column(Double)

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="values")


class Adjustment(TenantMixin, TimestampMixin, Base):
    """Staff knowledge: a change to one domain score of one neighbourhood, with its reason."""

    __tablename__ = "adjustments"
    __table_args__ = (UniqueConstraint("neighbourhood_id", "domain"),)

    neighbourhood_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(200))
    delta: Mapped[float] = mapped_column(Double)
    rationale: Mapped[str] = mapped_column(Text)

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="adjustments")


class Intervention(TenantMixin, TimestampMixin, Base):
    """`definition` is the intervention as contract v1 describes it (without `key`)."""

    __tablename__ = "interventions"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    domain: Mapped[str] = mapped_column(String(200))
    evidence_level: Mapped[str | None] = mapped_column(String(100))
    definition: Mapped[dict[str, Any]]


class Partner(TenantMixin, TimestampMixin, Base):
    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    key: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    budget: Mapped[dict[str, Any]]
