"""The application factory: settings, database, problem handlers, middleware, routers, and the
embedded job runner (started with the application, stopped with it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import Depends, FastAPI

from app.api.authentication import KeyCheck
from app.api.body_limit import BodySizeLimit
from app.api.input_guard import refuse_control_characters
from app.api.observability import RequestObservability
from app.api.openapi import install_openapi, operation_id
from app.api.problems import register_problem_handlers
from app.api.routers.catalogue import catalogue, neighbourhoods
from app.api.routers.catalogue import imports as imports_router
from app.api.routers.catalogue import units as units_router
from app.api.routers.catalogue.imports import IMPORTS_PATH
from app.api.routers.exports import run_files
from app.api.routers.exports import webhooks as webhook_routes
from app.api.routers.planning import runs, scenarios, solve
from app.api.routers.service import audit, health, keys, metrics
from app.api.routers.workshop import comparison, sweeps, whatif
from app.core.config import VERSION, Settings, get_settings
from app.core.db import API_THREADS, Database
from app.jobs.backend import job_backend
from app.jobs.webhook_dispatcher import WebhookDispatcher
from app.web import install_web

DESCRIPTION = """\
Onderbouwd chooses which liveability interventions a housing corporation funds, in which
neighbourhood and in which year, under its budget, its partners' co-funding and the spending
rules, and proves the plan optimal.

Send a scenario (neighbourhoods with their domain scores, candidate interventions, partners,
budgets and rules) to `POST /api/v1/solve` and get back the recommendation: the funded runs,
spend per year, domain, partner and neighbourhood, and the improvement per neighbourhood and
domain. Every error is an RFC 9457 `application/problem+json` document; validation errors name
each offending field by its JSON path.

Every endpoint under `/api/v1` needs an API key of your organisation, sent as
`Authorization: Bearer <key>`. Roles: `viewer` reads and solves, `planner` also writes the
catalogue and scenarios and starts runs, `admin` also manages keys.
"""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    database = database or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = API_THREADS
        jobs = job_backend(database, settings)  # the embedded runner, or Celery
        app.state.jobs = jobs
        jobs.start()
        dispatcher = (WebhookDispatcher(database, settings)
                      if settings.webhook_dispatcher_enabled else None)
        if dispatcher is not None:
            dispatcher.start()
        try:
            yield
        finally:
            await asyncio.to_thread(jobs.stop)
            if dispatcher is not None:
                await asyncio.to_thread(dispatcher.stop)

    app = FastAPI(
        title="Onderbouwd",
        version=VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(refuse_control_characters)],
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.database = database
    register_problem_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_body_bytes=settings.max_body_bytes,
        path_limits={IMPORTS_PATH: settings.import_max_bytes},
    )
    app.add_middleware(KeyCheck, database=database)
    app.add_middleware(RequestObservability)  # added last: runs first (request id, metrics)
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(solve.router)
    app.include_router(scenarios.router)
    app.include_router(runs.router)
    app.include_router(run_files.router)
    app.include_router(neighbourhoods.router)
    app.include_router(catalogue.router)
    app.include_router(audit.router)
    app.include_router(keys.router)
    app.include_router(webhook_routes.router)
    app.include_router(units_router.router)
    app.include_router(imports_router.router)
    app.include_router(comparison.router)
    app.include_router(whatif.router)
    app.include_router(sweeps.router)
    install_web(app, settings)
    install_openapi(app)
    return app


app = create_app()
