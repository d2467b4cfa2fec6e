"""The CSV (allocations) and XLSX (run, allocations, spend, improvements, why-not) files.

The XLSX is written by openpyxl: numbers stay numbers, euro columns carry a euro format, the
header row is frozen and filterable, so the sheets sort and sum in any spreadsheet program.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.schemas.recommendation import Recommendation
from app.services.run_files import tables
from app.services.run_files.tables import Table

EURO_FORMAT = '"€" #,##0.00'
_WIDEST = 60


def allocations_csv(recommendation: Recommendation) -> bytes:
    """RFC 4180 CSV, UTF-8, a header row; floats written in full (they read back exactly)."""
    return table_csv(tables.allocations(recommendation))


def workbook_xlsx(run: dict[str, Any], recommendation: Recommendation) -> bytes:
    return tables_xlsx([tables.summary(run, recommendation), tables.allocations(recommendation),
                        tables.spend(recommendation), tables.improvements(recommendation),
                        tables.why_not(recommendation)])


def tables_xlsx(sheets: list[Table]) -> bytes:
    """One sheet per table, in order."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in sheets:
        _sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_csv(table: Table) -> bytes:
    """RFC 4180 CSV, UTF-8, a header row; floats written in full (they read back exactly)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(["" if value is None else value for value in row] for row in table.rows)
    return out.getvalue().encode("utf-8")


def _sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(table.name)
    sheet.append(table.columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(row)
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        width = max([len(column)] + [len(str(row[index - 1])) for row in table.rows[:200]])
        sheet.column_dimensions[letter].width = min(width + 2, _WIDEST)
        if column not in table.euro_columns:
            continue
        units = ([row[table.columns.index(table.unit_column)] for row in table.rows]
                 if table.unit_column else ["EUR"] * len(table.rows))
        for (cell,), unit in zip(sheet.iter_rows(min_row=2, min_col=index, max_col=index),
                                 units, strict=True):
            if unit == "EUR":
                cell.number_format = EURO_FORMAT
    sheet.freeze_panes = "A2"
    if table.rows:
        sheet.auto_filter.ref = sheet.dimensions
