"""Settings, read from environment variables with the prefix `ONDERBOUWD_`."""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _version() -> str:
    try:
        return metadata.version("onderbouwd")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


VERSION = _version()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONDERBOUWD_", extra="ignore")

    max_body_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        description="Largest request body accepted; larger bodies are answered with 413.",
    )
    import_max_bytes: int = Field(
        default=100 * 1024 * 1024,
        gt=0,
        description="Largest file `POST /api/v1/imports` accepts (it is spooled to a temporary "
        "file, never held in memory); larger files are answered with 413.",
    )
    max_time_limit_s: float = Field(
        default=300.0,
        gt=0,
        description=(
            "Longest solver time limit the server grants. A scenario asking for more is capped "
            "to this value (not refused), and the recommendation says so in "
            "`solver.time_limit_capped`."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Interface `serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `serve` listens on.")
    database_url: str = Field(
        default="sqlite:///./var/onderbouwd.db",
        description="SQLAlchemy URL of the database (SQLite file by default, PostgreSQL in "
        "production, `postgresql+psycopg://user@host/db`).",
    )
    runner_enabled: bool = Field(
        default=True,
        description="Run the embedded job runner (worker processes beside the API) in `serve`.",
    )
    runner_workers: int = Field(
        default=2, ge=1, le=64, description="Runs the embedded runner solves at the same time."
    )
    runner_lease_s: float = Field(
        default=30.0,
        gt=0,
        description="How long a claimed run stays with its runner without a heartbeat; after "
        "that another runner takes it over (a stopped process's runs are picked up again).",
    )
    runner_poll_s: float = Field(
        default=0.5, gt=0, description="How often the runner looks for queued runs (seconds)."
    )
    runner_max_attempts: int = Field(
        default=3,
        ge=1,
        le=100,
        description="Attempts at one run (a solver process that dies counts) before it fails.",
    )
    demo: bool = Field(
        default=True,
        description="`serve` loads the demo organisation when it is missing and prints a demo "
        "planner key.",
    )
    demo_organisation: str = Field(
        default="Demo Utrecht", min_length=1, description="Name of the demo organisation."
    )
    webhook_allow_private: bool = Field(
        default=False,
        description="Accept webhook URLs that resolve to loopback, private or link-local "
        "addresses (a receiver on the same machine or network). Off by default, so an API key "
        "cannot make the server call into its own network.",
    )
    webhook_dispatcher_enabled: bool = Field(
        default=True,
        description="Deliver webhooks from a thread beside the API in `serve` (turn off where "
        "Celery workers deliver them).",
    )
    webhook_poll_s: float = Field(
        default=1.0, gt=0, description="How often the dispatcher looks for due deliveries."
    )
    webhook_timeout_s: float = Field(
        default=10.0, gt=0, le=120, description="How long one delivery attempt waits for an answer."
    )
    webhook_first_retry_s: float = Field(
        default=30.0,
        gt=0,
        description="Delay before the first retry of a failed delivery; each next one waits "
        "three times longer (at most 6 h), with jitter.",
    )
    webhook_retry_window_s: float = Field(
        default=24 * 3600.0,
        gt=0,
        description="How long a delivery is retried after its event before it is marked failed.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
