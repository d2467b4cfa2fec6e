"""Upserts of many rows of one table at once, by their external key, scoped to an organisation.

One query reads the stored rows of a batch, one INSERT and one UPDATE (by primary key) write
what is new or changed. Rows go through no ORM identity map, so memory stays bounded by the
batch, whatever the number of batches in the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session

from app.models.base import TenantMixin, utcnow, uuid7


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def upsert(
    session: Session,
    model: type[TenantMixin],
    organisation_id: uuid.UUID,
    keys: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    write: bool,
    stamped: bool,
) -> Counts:
    """Bring each row (columns → values, `keys` among them, unique in `rows`) into the table:
    created, updated or left as it is. With `write=False` only count what would happen.
    `stamped` tables get `created_at` / `updated_at`."""
    if not rows:
        return Counts()
    state_columns = [column for column in rows[0] if column not in keys]
    key_of = (lambda row: row[keys[0]]) if len(keys) == 1 else (
        lambda row: tuple(row[key] for key in keys))
    key_columns = [getattr(model, key) for key in keys]
    key_expression = key_columns[0] if len(keys) == 1 else tuple_(*key_columns)
    statement = select(model.id, *key_columns, *(getattr(model, c) for c in state_columns)).where(
        model.organisation_id == organisation_id,
        key_expression.in_([key_of(row) for row in rows]),
    )
    stored: dict[Any, tuple[uuid.UUID, dict[str, Any]]] = {}
    for found in session.execute(statement):
        key = found[1] if len(keys) == 1 else tuple(found[1 : 1 + len(keys)])
        stored[key] = (found[0], dict(zip(state_columns, found[1 + len(keys) :], strict=True)))
    now = utcnow()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    counts = Counts()
    for row in rows:
        existing = stored.get(key_of(row))
        if existing is None:
            stamps = {"created_at": now, "updated_at": now} if stamped else {}
            new.append({"id": uuid7(), "organisation_id": organisation_id, **row, **stamps})
        elif any(existing[1][column] != row[column] for column in state_columns):
            stamps = {"updated_at": now} if stamped else {}
            changed.append({"id": existing[0], **{c: row[c] for c in state_columns}, **stamps})
        else:
            counts.unchanged += 1
    counts.created, counts.updated = len(new), len(changed)
    if write and new:
        session.execute(insert(model), new)
    if write and changed:
        session.execute(update(model), changed)
    return counts
