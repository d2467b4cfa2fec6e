"""A run's recommendation as files: allocations CSV, an XLSX workbook, and VERA JSON."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.core.errors import Conflict, NotFound
from app.core.security import Principal
from app.repositories.runs import RunRepository
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import parse_scenario
from app.services.run_files.spreadsheet import allocations_csv, workbook_xlsx
from app.services.run_files.vera import vera_document

FileFormat = Literal["csv", "xlsx", "vera"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "vera": "application/json",
}
SUFFIXES = {"csv": "allocations.csv", "xlsx": "xlsx", "vera": "vera.json"}


@dataclass(frozen=True)
class RunFile:
    content: bytes
    media_type: str
    filename: str


def run_file(session: Session, principal: Principal, run_id: uuid.UUID,
             file_format: FileFormat) -> RunFile:
    row = RunRepository(session, principal.organisation_id).get(run_id)
    if row is None:
        raise NotFound(f"no run {run_id}")
    if row.recommendation is None:
        raise Conflict(f"run {run_id} has no recommendation to export: it is {row.state}"
                       + (f" ({row.error})" if row.error else ""))
    recommendation = Recommendation.model_validate(row.recommendation)
    if file_format == "csv":
        content = allocations_csv(recommendation)
    elif file_format == "xlsx":
        summary = {"id": row.id, "scenario_id": row.scenario_id,
                   "scenario_version": row.version_number}
        content = workbook_xlsx(summary, recommendation)
    else:
        document = vera_document(row.id, parse_scenario(row.document), recommendation)
        content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return RunFile(content, MEDIA_TYPES[file_format],
                   f"onderbouwd-run-{run_id}-{SUFFIXES[file_format]}")
