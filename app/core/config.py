"""Settings, read from environment variables with the prefix `ONDERBOUWD_`."""

from __future__ import annotations

import secrets
from functools import lru_cache
from importlib import metadata

from pydantic import AliasChoices, Field, model_validator
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

# Signs the web pages' session cookie when no secret is set outside production: one per process,
# so a restart signs everyone out, and no secret is ever written down.
_PROCESS_SESSION_SECRET = secrets.token_urlsafe(32)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ONDERBOUWD_", extra="ignore", populate_by_name=True
    )

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
        validation_alias=AliasChoices("ONDERBOUWD_ENV", "ONDERBOUWD_ENVIRONMENT"),
        description="`production` (ONDERBOUWD_ENV, or ONDERBOUWD_ENVIRONMENT) turns the demo "
        "organisation off (no demo key is made or printed) and refuses to start with a "
        "placeholder secret (a database password such as `changeme` or `postgres`); anything "
        "else is a development or test setup.",
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
    broker_url: str | None = Field(
        default=None,
        description="Broker of the Celery job backend (`redis://host:6379/0`). Set: runs are "
        "Celery tasks solved by `onderbouwd worker` processes and `serve` starts no embedded "
        "runner. Unset (the default): the embedded runner.",
    )
    broker_queue: str = Field(
        default="onderbouwd", min_length=1, description="Celery queue the runs are sent to."
    )
    broker_key_prefix: str = Field(
        default="",
        description="Prefix of every key Celery writes in Redis (several installations, or "
        "test runs, on one Redis).",
    )
    worker_concurrency: int = Field(
        default=0,
        ge=0,
        le=256,
        description="Solves one `onderbouwd worker` runs at once, each in a process of its own "
        "(0: the machine's cores).",
    )
    worker_metrics_port: int = Field(
        default=0,
        ge=0,
        le=65535,
        description="Port on which `onderbouwd worker` serves its Prometheus metrics (0: none).",
    )
    stale_check_s: float = Field(
        default=10.0,
        gt=0,
        description="How often each Celery worker looks for stale runs: running ones whose "
        "worker stopped renewing the lease, and queued ones whose task never arrived.",
    )
    requeue_after_s: float = Field(
        default=60.0,
        gt=0,
        description="A run still queued this long after it was sent, while the broker's queue "
        "is empty, is sent again (its message was lost: a broker restart without persistence, "
        "or an API process stopped between writing the run and sending it).",
    )
    session_secret: str = Field(
        default=_PROCESS_SESSION_SECRET,
        min_length=16,
        repr=False,
        description="Signs the web pages' session cookie. Required in production (the same on "
        "every replica); elsewhere a random one per process (a restart signs everyone out).",
    )
    session_max_age_s: int = Field(
        default=8 * 3600, ge=60, description="How long a web sign-in lasts (seconds)."
    )

    @model_validator(mode="after")
    def _production_needs_a_session_secret(self) -> Settings:
        if self.production and self.session_secret == _PROCESS_SESSION_SECRET:
            raise ValueError(
                "ONDERBOUWD_SESSION_SECRET must be set in production (the same on every replica)"
            )
        return self

    @property
    def production(self) -> bool:
        return self.env.strip().lower() == PRODUCTION

    @model_validator(mode="after")
    def _production_rules(self) -> Settings:
        """In production the demo is off, whatever `demo` says, and a secret left at a
        placeholder value stops the start with the setting named."""
        if not self.production:
            return self
        self.demo = False
        # Here, not at the top: SQLAlchemy is a sixth of `onderbouwd solve`'s start, and only
        # production settings need it.
        from sqlalchemy.engine import make_url

        password = make_url(self.database_url).password
        if password is not None and _is_placeholder(str(password)):
            raise ValueError(
                "ONDERBOUWD_DATABASE_URL: the database password is a placeholder "
                f"({str(password)!r}); set the real one (ONDERBOUWD_ENV=production)")
        for name, value in self:
            if any(name.endswith(end) for end in _SECRET_ENDINGS) and isinstance(value, str) \
                    and _is_placeholder(value):
                raise ValueError(f"ONDERBOUWD_{name.upper()}: a placeholder value ({value!r}) "
                                 "is not accepted in production (ONDERBOUWD_ENV=production)")
        return self


PRODUCTION = "production"
# Values that stand in for a secret in examples and templates; never accepted in production.
PLACEHOLDER_SECRETS = frozenset({
    "", "changeme", "change-me", "change_me", "changethis", "secret", "password", "passwd",
    "example", "placeholder", "todo", "xxx", "dev", "test", "postgres", "onderbouwd", "admin",
})
_SECRET_ENDINGS = ("_secret", "_password", "_token", "_api_key")


def _is_placeholder(value: str) -> bool:
    return value.strip().lower() in PLACEHOLDER_SECRETS or value.strip().startswith("<")


@lru_cache
def get_settings() -> Settings:
    return Settings()
