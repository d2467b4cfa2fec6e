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

# Peak RSS of a solve (HiGHS, 20 s, no explanation) of random scenarios with 40 interventions
# over 3 years: 300 neighbourhoods (36,000) 220 MiB, 1,500 (180,000) 474 MiB, 3,000 (360,000)
# 734 MiB: about 150 MiB + 1.6 KiB per unit, and a 2.4 million unit solve reached 5 GiB (about
# 2.1 KiB per unit once the search grows). 750,000 units stay within 2 GiB with a margin.
# Measured with benchmarks/build_memory.py and a solve beside it; docs/operations.md.
PROBLEM_SIZE_DEFAULT = 750_000


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

    env: str = Field(
        default="development",
        description="`production` turns the demo organisation off and refuses placeholder "
        "secrets; anything else is a development or test setup.",
    )
    org_max_active_runs: int = Field(
        default=4,
        ge=1,
        le=10_000,
        description="Solves one organisation may have at once: queued and running runs plus "
        "synchronous solves in progress, counted in the database (so across API processes and "
        "workers). Over it: 429 with `Retry-After`; other organisations are not affected.",
    )
    max_problem_size: int = Field(
        default=PROBLEM_SIZE_DEFAULT,
        ge=1,
        description="Largest neighbourhoods × interventions × years accepted for a solve (API, "
        "runs and the command line); larger is a 422 naming the size and the limit, before "
        "anything is built. The default keeps a solve within about 2 GiB "
        "(docs/operations.md, Capacity and limits).",
    )
    solve_memory_limit_mb: int = Field(
        default=4096,
        ge=0,
        description="Address space a run's solver process may take (MiB; 0: no limit). A run "
        "that needs more fails with an error saying so; the worker lives on. Address space, "
        "not resident memory: it counts what threads and allocators reserve, so it is set above "
        "the ~2 GiB a solve within `max_problem_size` uses.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
