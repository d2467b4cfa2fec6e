from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query, Response

from app.api.deps import SessionDep, ViewerKey
from app.api.problems import problem_responses
from app.api.transaction_route import TransactionRoute
from app.services.run_files import MEDIA_TYPES, FileFormat, RunFile, run_file

router = APIRouter(route_class=TransactionRoute, prefix="/api/v1/runs", tags=["exports"],
                   responses=problem_responses(401, 403, 404, 409))

# What each file is, for generated clients: CSV is text, XLSX bytes, VERA a JSON object.
_SCHEMAS: dict[str, dict[str, Any]] = {
    "csv": {"type": "string"},
    "xlsx": {"type": "string", "format": "binary"},
    "vera": {"type": "object", "additionalProperties": True},
}


def _content(*formats: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": "The file.", "content": {
        MEDIA_TYPES[f].split(";")[0]: {"schema": _SCHEMAS[f]} for f in formats}}}


def _answer(file: RunFile) -> Response:
    return Response(file.content, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


@router.get(
    "/{run_id}/export",
    response_class=Response,
    responses=_content("csv", "xlsx", "vera"),
    summary="Export a run's recommendation: allocations CSV, an XLSX workbook, or VERA JSON",
    description="`csv`: the allocations. `xlsx`: sheets run, allocations, spend, improvements "
    "and why not (numbers as numbers, euros formatted). `vera`: the plan as Aedes VERA 4.3.0 "
    "Projecten, Projectdoelstellingen and Projectbudgetregels of soort Prognose, for an ERP to "
    "take in as a forecast. A run without a recommendation yet is a 409 problem.",
)
def export_run(
    run_id: uuid.UUID, principal: ViewerKey, session: SessionDep,
    format: FileFormat = Query(description="csv, xlsx or vera."),  # noqa: A002 - the API name
) -> Response:
    return _answer(run_file(session, principal, run_id, format))


@router.get("/{run_id}/allocations.csv", response_class=Response, responses=_content("csv"),
            summary="A run's allocations as CSV")
def download_allocations_csv(run_id: uuid.UUID, principal: ViewerKey,
                             session: SessionDep) -> Response:
    return _answer(run_file(session, principal, run_id, "csv"))


@router.get("/{run_id}/allocations.xlsx", response_class=Response, responses=_content("xlsx"),
            summary="A run's allocations, spend, improvements and why-not reasons as XLSX")
def download_allocations_xlsx(run_id: uuid.UUID, principal: ViewerKey,
                              session: SessionDep) -> Response:
    return _answer(run_file(session, principal, run_id, "xlsx"))
