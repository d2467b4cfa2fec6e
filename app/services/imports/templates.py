"""Template files for each kind: the header row and one example row, as CSV or XLSX."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from app.services.imports.kinds import KINDS, ImportKind

TemplateFormat = Literal["csv", "xlsx"]


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def template(kind: ImportKind, format: TemplateFormat) -> bytes:
    spec = KINDS[kind]
    example = [_cell(spec.example.get(column)) for column in spec.columns]
    if format == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(spec.columns)
        writer.writerow(["" if cell is None else cell for cell in example])
        return text.getvalue().encode("utf-8")
    from openpyxl import Workbook  # imported when needed: it is slow to import

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.value)
    sheet.append(list(spec.columns))
    sheet.append(example)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
