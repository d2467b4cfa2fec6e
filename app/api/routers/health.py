from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.api.deps import DatabaseDep
from app.api.problems import problem_responses
from app.core.config import VERSION
from app.services.readiness import check_ready

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str


class Ready(BaseModel):
    status: str
    schema_revision: str


@router.get("/health", response_model=Health, summary="Liveness check (no key needed)")
async def health() -> Health:
    return Health(status="ok", version=VERSION)


@router.get(
    "/ready",
    response_model=Ready,
    responses=problem_responses(503),
    summary="Readiness check: database reachable, migrations current (no key needed)",
)
def ready(database: DatabaseDep) -> Ready:
    return Ready(status="ready", schema_revision=check_ready(database))
