"""The application factory: settings, problem handlers, middleware and routers."""

from __future__ import annotations

from fastapi import FastAPI

from app.api.body_limit import BodySizeLimit
from app.api.openapi import install_openapi
from app.api.problems import register_problem_handlers
from app.api.routers import health, solve
from app.core.config import VERSION, Settings, get_settings

DESCRIPTION = """\
Onderbouwd chooses which liveability interventions a housing corporation funds, in which
neighbourhood and in which year, under its budget, its partners' co-funding and the spending
rules, and proves the plan optimal.

Send a scenario (neighbourhoods with their domain scores, candidate interventions, partners,
budgets and rules) to `POST /api/v1/solve` and get back the recommendation: the funded runs,
spend per year, domain, partner and neighbourhood, and the improvement per neighbourhood and
domain. Every error is an RFC 9457 `application/problem+json` document; validation errors name
each offending field by its JSON path.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="Onderbouwd", version=VERSION, description=DESCRIPTION)
    app.state.settings = settings
    register_problem_handlers(app)
    app.add_middleware(BodySizeLimit, max_body_bytes=settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(solve.router)
    install_openapi(app)
    return app


app = create_app()
