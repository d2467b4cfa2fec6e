"""Bulk import of catalogue entities and units from CSV, XLSX or JSON lines, all or nothing.

One module per concern: `reading` (rows of a file, lazily), `kinds` (the row models, built on
the catalogue's write schemas), `cells` (a row → its document; errors → problems), `writers`
(references and bulk upserts per kind), `report`, `transaction` (the use case), `templates`,
`events` (the hook announcing an import's end).
"""

from app.services.imports.kinds import ImportKind
from app.services.imports.templates import TemplateFormat, template
from app.services.imports.transaction import get_import, list_imports, run_import

__all__ = ["ImportKind", "TemplateFormat", "get_import", "list_imports", "run_import",
           "template"]
