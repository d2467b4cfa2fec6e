"""Use case: one bulk import, all or nothing.

The file is read row by row; each row is checked against its kind's row model, duplicates of
an external id earlier in the file are refused, and every batch of valid rows is checked for
its references and upserted in bulk. The writes run inside a savepoint: when any problem was
found, the savepoint is rolled back (nothing is written) and the import is recorded as
`rejected` with its problems; otherwise it is recorded as `succeeded`. A dry run writes nothing
and records nothing. An unexpected error propagates, and the request's transaction (the edge)
rolls everything back.

Memory is bounded by the batch, plus one entry per external id seen (to find duplicates).
"""

from __future__ import annotations

import uuid
from typing import IO, Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.core.errors import NotFound, ValidationFailed
from app.core.security import Principal
from app.models import ImportRecord, utcnow, uuid7
from app.repositories.imports import ImportRepository
from app.schemas.common import Page
from app.schemas.imports import ImportOut, ImportProblem
from app.services.access import audit
from app.services.imports import events
from app.services.imports.cells import (
    Problem,
    header_problems,
    table_document,
    validation_problems,
)
from app.services.imports.kinds import KINDS, ImportKind, Kind
from app.services.imports.reading import Format, RowProblem, RowSource, Unreadable, detect_format
from app.services.imports.report import Report
from app.services.imports.writers import Numbered, References, write_batch
from app.services.interface.pagination import decode_cursor, encode_cursor

# Rows per bulk read-and-write. benchmarks/import_rows.py, 50,000 buurten on SQLite: batches of
# 200 / 1,000 / 5,000 take 7.2 / 6.2 / 5.6 s and peak at 9.8 / 11.2 / 18.9 MiB; 1,000 keeps most
# of the speed at little memory.
BATCH_ROWS = 1000


def run_import(
    session: Session,
    principal: Principal,
    kind: ImportKind,
    file: IO[bytes],
    *,
    filename: str | None,
    media_type: str | None,
    dry_run: bool,
) -> ImportOut:
    head = file.read(8)
    file.seek(0)
    format = detect_format(filename, media_type, head)
    try:
        source = RowSource(file, format)
    except Unreadable as error:
        raise ValidationFailed(f"file: {error}", errors=[{"path": "file", "message": str(error)}]
                               ) from None
    report = Report()
    savepoint = session.begin_nested()
    try:
        _read(session, principal, KINDS[kind], source, report, write=not dry_run)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run or report.problem_count:
        savepoint.rollback()
    else:
        savepoint.commit()
    state = "dry_run" if dry_run else "rejected" if report.problem_count else "succeeded"
    out = ImportOut(
        id=None if dry_run else uuid7(),
        kind=kind.value,
        format=format,
        filename=filename,
        state=state,
        rows=report.rows,
        created=report.counts.created,
        updated=report.counts.updated,
        unchanged=report.counts.unchanged,
        problem_count=report.problem_count,
        problems=[ImportProblem(row=p.row, column=p.column, value=p.value, message=p.message)
                  for p in report.sorted_problems()],
        actor=principal.actor,
        created_at=utcnow(),
    )
    if not dry_run:
        _record(session, principal, out)
    return out


def _read(session: Session, principal: Principal, kind: Kind, source: RowSource,
          report: Report, *, write: bool) -> None:
    references = References(session, principal.organisation_id)
    columns = source.columns
    missing: frozenset[str] = frozenset()
    if columns is not None:
        problems, missing = header_problems(kind, columns)
        report.add(problems)
    first_row: dict[tuple[Any, ...], int] = {}
    batch: Numbered = []
    for row in source:
        if isinstance(row, RowProblem):
            report.rows += 1
            report.add([Problem(row.number, None, None, row.message)])
            continue
        report.rows += 1
        if columns is None:
            document, problems = row.cells, []
        else:
            document, problems = table_document(kind, row.number, row.cells)
        try:
            valid: BaseModel = kind.model.model_validate(document)
        except ValidationError as error:
            problems += validation_problems(error, row.number, row.cells, columns=columns,
                                            reported_missing=missing)
            report.add(problems)
            continue
        if problems:
            report.add(problems)
            continue
        key = tuple(getattr(valid, name) for name in kind.keys)
        first = first_row.setdefault(key, row.number)
        if first != row.number:
            report.add([Problem(row.number, kind.keys[0], getattr(valid, kind.keys[0]),
                                f"the same {' and '.join(kind.keys)} as row {first}")])
            continue
        batch.append((row.number, valid))
        if len(batch) >= BATCH_ROWS:
            _flush(session, references, kind, batch, report, write=write)
            batch = []
    _flush(session, references, kind, batch, report, write=write)


def _flush(session: Session, references: References, kind: Kind, batch: Numbered,
           report: Report, *, write: bool) -> None:
    if not batch:
        return
    counts, problems = write_batch(session, references, kind.name, batch,
                                   write=write and report.problem_count == 0)
    report.counts.add(counts)
    report.add(problems)


def _record(session: Session, principal: Principal, out: ImportOut) -> None:
    assert out.id is not None
    ImportRepository(session, principal.organisation_id).add(ImportRecord(
        id=out.id,
        kind=out.kind,
        format=out.format,
        filename=out.filename,
        state=out.state,
        rows=out.rows,
        created=out.created,
        updated=out.updated,
        unchanged=out.unchanged,
        problem_count=out.problem_count,
        problems=[problem.model_dump(mode="json") for problem in out.problems],
        actor=out.actor,
        created_at=out.created_at,
    ))
    if out.created or out.updated:
        audit.record(session, principal, f"import.{out.kind}", "import", str(out.id),
                     changes={"created": [None, out.created], "updated": [None, out.updated]})
    events.import_finished(session, principal, out)


def import_out(row: ImportRecord) -> ImportOut:
    return ImportOut.model_validate(row, from_attributes=True)


def get_import(session: Session, principal: Principal, import_id: uuid.UUID) -> ImportOut:
    row = ImportRepository(session, principal.organisation_id).get(import_id)
    if row is None:
        raise NotFound(f"no import {import_id}")
    return import_out(row)


def list_imports(
    session: Session, principal: Principal, *, limit: int, cursor: str | None
) -> Page[ImportOut]:
    repository = ImportRepository(session, principal.organisation_id)
    rows, more = repository.page(ImportRecord.id, limit, decode_cursor(cursor, "uuid"))
    return Page[ImportOut](
        items=[import_out(row) for row in rows],
        next_cursor=encode_cursor(rows[-1].id) if more else None,
    )


__all__ = ["Format", "get_import", "list_imports", "run_import"]
