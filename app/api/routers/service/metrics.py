from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import DatabaseDep
from app.core.metrics import RUNS
from app.services.planning.run_watch import unfinished_counts

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
def metrics(database: DatabaseDep) -> Response:
    """Prometheus metrics of this process (no key needed; keep it off the public network)."""
    with database.read_transaction() as session:
        for state, count in unfinished_counts(session).items():
            RUNS.labels(state=state).set(count)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
