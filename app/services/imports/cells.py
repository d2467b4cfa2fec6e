"""A row as read from the file → the document its kind's row model validates, and the
validation errors → problems `{row, column, value, message}` naming the file's own column."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from app.schemas.scenario import json_path
from app.services.imports.kinds import Kind

_YES_NO = {"ja": True, "j": True, "nee": False, "n": False}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str | None
    value: Any
    message: str


def header_problems(kind: Kind, columns: list[str]) -> tuple[list[Problem], frozenset[str]]:
    """Problems of the header row (unknown and missing columns) and the required columns it
    lacks (reported once here, not again on every row)."""
    fields = kind.model.model_fields
    problems = []
    seen: set[str] = set()
    for name in columns:
        if not name:
            continue
        if name in seen:
            problems.append(Problem(1, name, name, "this column is named twice"))
        seen.add(name)
        if name.split(".")[0] not in fields:
            problems.append(Problem(1, name, name, f"unknown column; the columns of "
                                                   f"{kind.name.value} are: "
                                                   f"{', '.join(kind.columns)}"))
    present = {name.split(".")[0] for name in columns}
    missing = frozenset(name for name in kind.required if name not in present)
    problems.extend(Problem(1, name, None, "missing required column") for name in sorted(missing))
    return problems, missing


def table_document(kind: Kind, number: int, cells: dict[str, Any]
                   ) -> tuple[dict[str, Any], list[Problem]]:
    """A CSV or XLSX row as a (possibly nested) document; cells that cannot be read are
    problems (and left out)."""
    text_columns = kind.text_columns
    fields = kind.model.model_fields
    document: dict[str, Any] = {}
    problems = []
    for column, cell in cells.items():
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        root = column.split(".")[0]
        if root not in fields:
            continue  # reported with the header
        if column in text_columns:
            value: Any = _as_text(cell)
        elif isinstance(cell, str):
            value = cell.strip()
            if value == "null" or value[0] in "[{":
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as error:
                    problems.append(Problem(number, column, cell,
                                            f"not valid JSON: {error.msg} at character "
                                            f"{error.pos + 1}"))
                    continue
            elif fields[root].annotation is bool and value.lower() in _YES_NO:
                value = _YES_NO[value.lower()]
            else:
                value = _as_number(value)
        else:
            value = cell
        _put(document, column.split("."), value)
    return document, problems


def _as_number(text: str) -> Any:
    """A number written in a cell, as the number (the schemas' numbers are strict, so that a
    JSON client's `true` or `"5"` is refused); anything else stays text for validation to name."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _as_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a spreadsheet's 100231 is the VHE "100231", not "100231.0"
    return str(cell).strip()


def _put(document: dict[str, Any], path: list[str], value: Any) -> None:
    for step in path[:-1]:
        child = document.setdefault(step, {})
        if not isinstance(child, dict):
            return
        document = child
    document[path[-1]] = value


def validation_problems(
    error: ValidationError,
    number: int,
    cells: dict[str, Any],
    *,
    columns: list[str] | None,
    reported_missing: frozenset[str] = frozenset(),
) -> list[Problem]:
    """Pydantic's errors as problems; in a table, each names the file's column (the longest
    dotted column that holds the error's location), in JSON lines the member's JSON path."""
    problems = []
    for item in error.errors():
        loc = tuple(item.get("loc", ()))
        message = str(item.get("msg", "invalid value"))
        if item.get("type") == "extra_forbidden":
            message = "unknown field"
        if columns is None:
            problems.append(Problem(number, json_path(loc) or None,
                                    None if item.get("type") == "missing" else item.get("input"),
                                    message))
            continue
        column = _column(loc, columns)
        if item.get("type") == "missing" and column in reported_missing:
            continue
        problems.append(Problem(number, column, cells.get(column) if column else None, message))
    return problems


def _column(loc: tuple[Any, ...], columns: list[str]) -> str | None:
    names = [str(part) for part in loc]
    for end in range(len(names), 0, -1):
        candidate = ".".join(names[:end])
        if candidate in columns:
            return candidate
    return names[0] if names else None
