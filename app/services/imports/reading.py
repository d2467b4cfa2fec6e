"""Rows of an uploaded file, read lazily: CSV (comma, semicolon or tab; UTF-8, with or without a
byte-order mark), XLSX (the first sheet, streamed by openpyxl's read-only mode) or JSON lines.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2
(CSV and XLSX alike); in JSON lines, the line number. A CSV or XLSX cell is what the file holds
(text from CSV; text, numbers, booleans or dates from XLSX); a JSON line is an object whose
members may nest.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any, Literal

Format = Literal["csv", "xlsx", "jsonl"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx", "jsonl")

_EXTENSIONS: dict[str, Format] = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
_MEDIA_TYPES: dict[str, Format] = {
    "text/csv": "csv",
    "text/tab-separated-values": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
}
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Unreadable(Exception):
    """The file cannot be read as its format at all (not one row)."""


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, Any]


class RowProblem(Exception):
    """One row cannot be read (bad encoding, more cells than columns, not a JSON object)."""

    def __init__(self, number: int, message: str) -> None:
        super().__init__(message)
        self.number = number
        self.message = message


def detect_format(filename: str | None, media_type: str | None, head: bytes) -> Format:
    """By the file name's extension, else the media type, else the first bytes."""
    if filename:
        for extension, found in _EXTENSIONS.items():
            if filename.lower().endswith(extension):
                return found
    if media_type:
        found_type = _MEDIA_TYPES.get(media_type.split(";")[0].strip().lower())
        if found_type is not None:
            return found_type
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.lstrip(codecs.BOM_UTF8 + b" \t\r\n").startswith(b"{"):
        return "jsonl"
    return "csv"


class RowSource:
    """The header (`columns`, None for JSON lines) and the data rows of a file; reading a row
    that is broken raises `RowProblem` from the iterator and reading goes on."""

    def __init__(self, file: IO[bytes], format: Format) -> None:
        self.file = file
        self.format = format
        self.columns: list[str] | None = None
        self._rows: Iterator[Row | RowProblem]
        if format == "csv":
            self._rows = self._csv()
        elif format == "xlsx":
            self._rows = self._xlsx()
        else:
            self._rows = self._jsonl()

    def __iter__(self) -> Iterator[Row | RowProblem]:
        return self._rows

    # -- CSV --------------------------------------------------------------------------------

    def _csv(self) -> Iterator[Row | RowProblem]:
        text = io.TextIOWrapper(self.file, encoding="utf-8-sig", newline="")
        try:
            first = text.readline()
        except UnicodeDecodeError as error:
            raise Unreadable(f"the file is not UTF-8 text ({error.reason})") from None
        if not first.strip():
            raise Unreadable("the file is empty: the first row must name the columns")
        delimiter = max((";", ",", "\t"), key=first.count)
        header = next(csv.reader([first], delimiter=delimiter))
        self.columns = [name.strip().lower() for name in header]
        return self._csv_rows(text, delimiter)

    def _csv_rows(self, text: io.TextIOWrapper, delimiter: str) -> Iterator[Row | RowProblem]:
        assert self.columns is not None
        reader = csv.reader(text, delimiter=delimiter)
        number = 1
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as error:
                yield RowProblem(number, f"the file is not UTF-8 text from here on "
                                         f"({error.reason}); save it as UTF-8")
                return
            except csv.Error as error:
                yield RowProblem(number, f"not a readable CSV row: {error}")
                continue
            row = self._named(number, cells)
            if row is not None:
                yield row

    def _named(self, number: int, cells: list[Any] | tuple[Any, ...]) -> Row | RowProblem | None:
        assert self.columns is not None
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            return None
        extra = [cell for cell in cells[len(self.columns):]
                 if cell is not None and str(cell).strip()]
        if extra:
            return RowProblem(number, f"the row has {len(cells)} cells, the header names "
                                      f"{len(self.columns)} columns")
        return Row(number, {name: cell for name, cell in zip(self.columns, cells, strict=False)
                            if name})

    # -- XLSX -------------------------------------------------------------------------------

    def _xlsx(self) -> Iterator[Row | RowProblem]:
        from openpyxl import load_workbook  # imported when needed: it is slow to import

        try:
            workbook = load_workbook(self.file, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise Unreadable(f"the file is not an XLSX workbook ({error})") from None
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(cell is None for cell in header):
            workbook.close()
            raise Unreadable("the first sheet is empty: its first row must name the columns")
        self.columns = ["" if cell is None else str(cell).strip().lower() for cell in header]
        return self._xlsx_rows(workbook, rows)

    def _xlsx_rows(self, workbook: Any, rows: Iterator[tuple[Any, ...]]
                   ) -> Iterator[Row | RowProblem]:
        try:
            for number, cells in enumerate(rows, start=2):
                row = self._named(number, [_xlsx_cell(cell) for cell in cells])
                if row is not None:
                    yield row
        finally:
            workbook.close()

    # -- JSON lines -------------------------------------------------------------------------

    def _jsonl(self) -> Iterator[Row | RowProblem]:
        for number, line in enumerate(self.file, start=1):
            try:
                text = line.decode("utf-8-sig" if number == 1 else "utf-8").strip()
            except UnicodeDecodeError as error:
                yield RowProblem(number, f"the line is not UTF-8 text ({error.reason})")
                continue
            if not text:
                continue
            try:
                document = json.loads(text)
            except json.JSONDecodeError as error:
                yield RowProblem(number, f"not valid JSON: {error.msg} at column {error.colno}")
                continue
            if not isinstance(document, dict):
                yield RowProblem(number, "each line must be one JSON object")
                continue
            yield Row(number, document)


def _xlsx_cell(cell: Any) -> Any:
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return cell
