"""The record of bulk imports, scoped to the organisation."""

from __future__ import annotations

from app.models import ImportRecord
from app.repositories.base import RepositoryBase


class ImportRepository(RepositoryBase[ImportRecord]):
    model = ImportRecord
