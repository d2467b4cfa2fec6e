"""The audit log and the stored answers of idempotent requests."""

from __future__ import annotations

from app.models import AuditEntry, IdempotencyRecord
from app.repositories.base import RepositoryBase


class AuditRepository(RepositoryBase[AuditEntry]):
    model = AuditEntry


class IdempotencyRepository(RepositoryBase[IdempotencyRecord]):
    model = IdempotencyRecord

    def find(self, scope: str, key: str) -> IdempotencyRecord | None:
        return self.one_where(IdempotencyRecord.scope == scope, IdempotencyRecord.key == key)
