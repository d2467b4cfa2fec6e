"""A small typed repository base: every query is scoped to one organisation.

Subclasses name their model; `scoped()` is the only way they start a query, so a new query
cannot forget the tenant filter. Repositories flush but never commit: the edge does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.models.base import TenantMixin

M = TypeVar("M", bound=TenantMixin)


class RepositoryBase(Generic[M]):
    model: ClassVar[type[Any]]

    def __init__(self, session: Session, organisation_id: uuid.UUID) -> None:
        self.session = session
        self.organisation_id = organisation_id

    def scoped(self) -> Select[M]:
        return select(self.model).where(self.model.organisation_id == self.organisation_id)

    def get(self, id: uuid.UUID) -> M | None:
        row: M | None = self.session.scalars(self.scoped().where(self.model.id == id)).one_or_none()
        return row

    def one_where(self, *criteria: ColumnElement[bool]) -> M | None:
        row: M | None = self.session.scalars(self.scoped().where(*criteria)).one_or_none()
        return row

    def all_where(self, *criteria: ColumnElement[bool], order_by: Any = None) -> list[M]:
        statement = self.scoped().where(*criteria)
        statement = statement.order_by(order_by if order_by is not None else self.model.id)
        return list(self.session.scalars(statement))

    def add(self, row: M) -> M:
        row.organisation_id = self.organisation_id
        self.session.add(row)
        self.session.flush()
        return row

    def delete(self, row: M) -> None:
        self.session.delete(row)
        self.session.flush()

    def page(
        self,
        order: InstrumentedAttribute[Any],
        limit: int,
        after: Any = None,
        filters: Sequence[ColumnElement[bool]] = (),
    ) -> tuple[list[M], bool]:
        """Keyset pagination on a column unique within the organisation: the rows after `after`
        in ascending order, and whether more follow. Stable under inserts and deletes."""
        statement = self.scoped().where(*filters)
        if after is not None:
            statement = statement.where(order > after)
        rows = list(self.session.scalars(statement.order_by(order).limit(limit + 1)))
        return rows[:limit], len(rows) > limit


class KeyedRepository(RepositoryBase[M]):
    """Catalogue entities addressed by an external id unique within the organisation."""

    key_column: ClassVar[str] = "key"

    @property
    def key_attribute(self) -> InstrumentedAttribute[Any]:
        attribute: InstrumentedAttribute[Any] = getattr(self.model, self.key_column)
        return attribute

    def by_key(self, key: str) -> M | None:
        return self.one_where(self.key_attribute == key)

    def by_keys(self, keys: Sequence[str]) -> dict[str, M]:
        rows = self.all_where(self.key_attribute.in_(list(keys)), order_by=self.key_attribute)
        return {getattr(row, self.key_column): row for row in rows}

    def everything(self) -> list[M]:
        return self.all_where(order_by=self.key_attribute)
