"""Bulk import: a CSV, XLSX or JSON-lines file of one kind, dry run or all or nothing."""

from __future__ import annotations

import tempfile
import uuid
from typing import IO, Annotated, Literal

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from app.api.deps import Cursor, Limit, PlannerKey, SessionDep, SettingsDep, ViewerKey
from app.api.problems import Problem, problem_response, problem_responses
from app.api.transaction_route import TransactionRoute
from app.core.errors import PayloadTooLarge, ValidationFailed
from app.schemas.common import Page
from app.schemas.imports import ImportOut
from app.services import imports
from app.services.imports.reading import XLSX_MEDIA_TYPE

IMPORTS_PATH = "/api/v1/imports"
SPOOL_IN_MEMORY_BYTES = 1024 * 1024  # as Starlette spools multipart files: beyond, to disk

router = APIRouter(
    route_class=TransactionRoute, prefix=IMPORTS_PATH, tags=["imports"],
    responses=problem_responses(401, 403)
)


class ImportRejectedProblem(Problem):
    report: ImportOut = Field(description="The import's record: every problem with its row "
                              "and column; nothing was written.")


_BODY = {
    "requestBody": {
        "content": {
            "application/x-ndjson": {
                "schema": {"type": "string", "format": "binary"},
                "example": '{"code": "BU03440831", "homes": 3675}\n',
            },
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
        }
    }
}


@router.post(
    "",
    status_code=201,
    response_model=ImportOut,
    responses={
        200: {"model": ImportOut, "description": "Dry run: what the import would do, and "
              "every problem; nothing written."},
        **problem_responses(413),
        422: {"model": ImportRejectedProblem, "description": "Problems in the file: nothing "
              "was written; `report` lists each with its row and column "
              "(`application/problem+json`)."},
    },
    summary="Import a CSV, XLSX or JSON-lines file of one kind",
    description="Send the file as the multipart field `file` (its name or media type tells "
    "CSV, XLSX or JSON lines apart), or as the request body with `Content-Type: "
    "application/x-ndjson` or `text/csv`. Rows are upserted by external id (`code`, `key`, "
    "`vhe`, or (buurt or unit, indicator, year)); the same file twice changes nothing the "
    "second time. All or nothing: with any problem nothing is written and the answer is 422 "
    "with the report. `dry_run=true` writes nothing and answers the report (200). Templates: "
    "`GET /api/v1/imports/templates/{kind}.csv` or `.xlsx`.",
    openapi_extra=_BODY,
)
async def create_import(
    request: Request,
    kind: Annotated[imports.ImportKind, Query(description="What the rows are.")],
    principal: PlannerKey,
    session: SessionDep,
    settings: SettingsDep,
    dry_run: Annotated[bool, Query(description="Check and report only; write nothing.")] = False,
    file: Annotated[UploadFile | None, File(description="The CSV, XLSX or JSON-lines file.")
                    ] = None,
) -> Response:
    if file is not None:
        upload: IO[bytes] = file.file
        filename, media_type = file.filename, file.content_type
    elif _is_form(request.headers.get("content-type")):
        # The form was read (and its stream consumed) looking for `file`, which it lacks.
        raise ValidationFailed("file: a multipart body must hold the file as the field `file`",
                               errors=[{"path": "file", "message": "no file sent"}])
    else:
        upload = await _spool(request, settings.import_max_bytes)
        filename, media_type = None, request.headers.get("content-type")
    try:
        out = await run_in_threadpool(
            imports.run_import, session, principal, kind, upload,
            filename=filename, media_type=media_type, dry_run=dry_run,
        )
    finally:
        upload.close()
    body = out.model_dump(mode="json")
    if out.state == "dry_run":
        return JSONResponse(body, status_code=200)
    if out.state == "rejected":
        rejected = ValidationFailed(
            f"the file has {out.problem_count} problem{'s' if out.problem_count > 1 else ''}; "
            "nothing was written (see `report.problems`)",
            errors=[{"path": f"row {p.row}" + (f", column {p.column}" if p.column else ""),
                     "message": p.message} for p in out.problems],
        )
        rejected.members = {"report": body}
        return problem_response(rejected, request.url.path)
    return JSONResponse(body, status_code=201, headers={"Location": f"{IMPORTS_PATH}/{out.id}"})


def _is_form(content_type: str | None) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type in ("multipart/form-data", "application/x-www-form-urlencoded")


async def _spool(request: Request, limit: int) -> IO[bytes]:
    """The request body in a temporary file (in memory up to 1 MiB, on disk beyond)."""
    if not request.headers.get("content-type"):
        raise ValidationFailed("file: send the file as the multipart field `file`, or as the "
                               "body with a Content-Type (application/x-ndjson, text/csv)",
                               errors=[{"path": "file", "message": "no file sent"}])
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            spool.close()
            raise PayloadTooLarge(limit)
        spool.write(chunk)
    if size == 0:
        spool.close()
        raise ValidationFailed("file: the body is empty",
                               errors=[{"path": "file", "message": "no file sent"}])
    spool.seek(0)
    return spool


@router.get(
    "/templates/{kind}.{format}",
    response_class=Response,
    responses={200: {"description": "The template: header row and one example row.",
                     "content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}}}},
    summary="A template file for one kind (CSV or XLSX)",
)
def get_import_template(
    kind: Annotated[imports.ImportKind, Path()],
    format: Annotated[Literal["csv", "xlsx"], Path()],
    principal: ViewerKey,
) -> Response:
    media_type = "text/csv; charset=utf-8" if format == "csv" else XLSX_MEDIA_TYPE
    return Response(
        imports.template(kind, format),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{kind.value}.{format}"'},
    )


@router.get(
    "/{import_id}",
    response_model=ImportOut,
    responses=problem_responses(404),
    summary="An import: its counts, problems, who and when",
)
def get_import(import_id: uuid.UUID, principal: ViewerKey, session: SessionDep) -> ImportOut:
    return imports.get_import(session, principal, import_id)


@router.get("", response_model=Page[ImportOut], summary="List imports (oldest first)")
def list_imports(
    principal: ViewerKey, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[ImportOut]:
    return imports.list_imports(session, principal, limit=limit, cursor=cursor)
