from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.api.deps import DatabaseDep
from app.api.problems import problem_responses
from app.core.config import VERSION
from app.core.errors import NotReady
from app.jobs.backend import JobBackend, job_backend
from app.services.readiness import check_ready

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str


class JobsStatus(BaseModel):
    backend: str = Field(description="`embedded` (the runner beside the API) or `celery`.")
    broker: str = Field(description="`ok`, or `none` for the embedded runner.")
    workers: int = Field(
        description="Celery: workers that answered a ping within half a second (0: runs wait "
        "in the queue until one starts). Embedded: runs this process solves at once (0: its "
        "runner is off)."
    )


class Ready(BaseModel):
    status: str
    schema_revision: str
    jobs: JobsStatus


@router.get("/health", response_model=Health, summary="Liveness check (no key needed)")
async def health() -> Health:
    return Health(status="ok", version=VERSION)


@router.get(
    "/ready",
    response_model=Ready,
    responses=problem_responses(503),
    summary="Readiness check: database reachable, migrations current, broker reachable, "
    "workers answering (no key needed)",
)
def ready(request: Request, database: DatabaseDep) -> Ready:
    revision = check_ready(database)
    jobs: JobBackend | None = getattr(request.app.state, "jobs", None)
    if jobs is None:  # the application was not started (a test client without its lifespan)
        jobs = job_backend(database, request.app.state.settings)
    status = jobs.readiness()
    if status.broker == "unreachable":
        raise NotReady("the broker (ONDERBOUWD_BROKER_URL) cannot be reached")
    return Ready(
        status="ready",
        schema_revision=revision,
        jobs=JobsStatus(backend=status.backend, broker=status.broker, workers=status.workers),
    )
