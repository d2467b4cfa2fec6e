"""The catalogue, one repository per entity, each scoped to the organisation."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import selectinload

from app.models import (
    Adjustment,
    Domain,
    Indicator,
    IndicatorValue,
    Intervention,
    Neighbourhood,
    Partner,
)
from app.repositories.base import KeyedRepository, RepositoryBase


class DomainRepository(KeyedRepository[Domain]):
    model = Domain


class IndicatorRepository(KeyedRepository[Indicator]):
    model = Indicator


class InterventionRepository(KeyedRepository[Intervention]):
    model = Intervention


class PartnerRepository(KeyedRepository[Partner]):
    model = Partner


class NeighbourhoodRepository(KeyedRepository[Neighbourhood]):
    model = Neighbourhood
    key_column = "code"

    def with_details(self, codes: list[str] | None = None) -> list[Neighbourhood]:
        """Neighbourhoods with their measurements and adjustments loaded, by code."""
        statement = self.scoped().options(
            selectinload(Neighbourhood.values), selectinload(Neighbourhood.adjustments)
        )
        if codes is not None:
            statement = statement.where(Neighbourhood.code.in_(codes))
        return list(self.session.scalars(statement.order_by(Neighbourhood.code)))


class IndicatorValueRepository(RepositoryBase[IndicatorValue]):
    model = IndicatorValue

    def for_indicators(self, keys: list[str]) -> list[IndicatorValue]:
        return self.all_where(IndicatorValue.indicator.in_(keys))


class AdjustmentRepository(RepositoryBase[Adjustment]):
    model = Adjustment

    def for_domain(self, neighbourhood_id: uuid.UUID, domain: str) -> Adjustment | None:
        return self.one_where(
            Adjustment.neighbourhood_id == neighbourhood_id, Adjustment.domain == domain
        )
