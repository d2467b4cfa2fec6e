"""Server-rendered workshop pages under `/`: Jinja2 templates, htmx, and Vega-Lite charts, with
every asset served from the package (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from app.core.config import Settings
from app.web.routes import auth, compare, runs, scenarios, sweeps, whatif
from app.web.session import SESSION_COOKIE

STATIC = Path(__file__).parent / "static"
ROUTERS = (auth.router, scenarios.router, runs.router, compare.router, whatif.router,
           sweeps.router)


def install_web(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.env == "production",
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
