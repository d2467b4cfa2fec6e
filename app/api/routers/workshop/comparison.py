from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.api.deps import SessionDep, ViewerKey
from app.api.problems import problem_responses
from app.api.transaction_route import TransactionRoute
from app.schemas.workshop import Comparison
from app.services.run_files.workshop import XLSX_MEDIA_TYPE, comparison_xlsx
from app.services.workshop import comparison

router = APIRouter(route_class=TransactionRoute, prefix="/api/v1", tags=["workshops"],
                   responses=problem_responses(401, 403, 404, 409, 422))

RunList = Annotated[str, Query(
    max_length=200,
    description="2 to 4 run ids separated by commas; the first is the base.",
    examples=["0193a1b2-0000-7000-8000-000000000001,0193a1b2-0000-7000-8000-000000000002"],
)]


@router.get(
    "/compare",
    response_model=Comparison,
    summary="Compare 2–4 runs side by side (the first is the base)",
    description="Per run its status, objective, bound, gap and spend against the limits; the "
    "allocations every run funds, those only one funds, and those that moved to another start "
    "year; the gap closed per neighbourhood × domain; and every field of the scenario "
    "documents that differs, as a JSON path with each run's value. A run without a plan yet "
    "is a 409 problem.",
)
def compare_runs(runs: RunList, principal: ViewerKey, session: SessionDep) -> Comparison:
    return comparison.compare_runs(session, principal, comparison.parse_run_ids(runs))


@router.get(
    "/compare.xlsx",
    response_class=Response,
    responses={200: {"description": "The workbook.", "content": {
        XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}}},
    summary="The comparison of 2–4 runs as an XLSX workbook",
    description="Sheets runs, spend, allocations, improvements and differences: numbers as "
    "numbers, euros formatted.",
)
def download_comparison_xlsx(runs: RunList, principal: ViewerKey,
                             session: SessionDep) -> Response:
    answer = comparison.compare_runs(session, principal, comparison.parse_run_ids(runs))
    return Response(comparison_xlsx(answer), media_type=XLSX_MEDIA_TYPE, headers={
        "Content-Disposition": 'attachment; filename="onderbouwd-comparison.xlsx"'})
