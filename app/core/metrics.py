"""Prometheus metrics, per process (prometheus-client's default registry).

Counters and histograms count what this process did: its requests, the solves it finished
(the embedded runner in `serve`, or one `onderbouwd worker`), the webhook attempts it made.
Scrape every API replica and every worker (`ONDERBOUWD_WORKER_METRICS_PORT`) and sum them in
Prometheus. The run gauges are read from the database at each scrape, so every replica reports
the same installation-wide numbers (take `max`, not `sum`, across replicas).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram

# Request latency buckets (seconds): reads answer in milliseconds, a synchronous solve may take
# its whole time limit (300 s at most, ONDERBOUWD_MAX_TIME_LIMIT_S).
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
SOLVE_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300)
GAP_BUCKETS = (0.0, 0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0)

HTTP_REQUESTS = Counter(
    "onderbouwd_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "onderbouwd_http_request_duration_seconds",
    "Time from receiving a request to sending its response, by method and route template.",
    ["method", "route"],
    buckets=REQUEST_BUCKETS,
)
RUNS = Gauge(
    "onderbouwd_runs",
    "Runs of all organisations in a state that is not final (queued, running), read from the "
    "database at the scrape.",
    ["state"],
)
RUNS_FINISHED = Counter(
    "onderbouwd_runs_finished",
    "Runs this process finished, by final state (done, failed, cancelled).",
    ["state"],
)
SOLVE_SECONDS = Histogram(
    "onderbouwd_solve_seconds",
    "Solver seconds of the runs this process finished (the recommendation's solve timing), by "
    "result status.",
    ["status"],
    buckets=SOLVE_BUCKETS,
)
SOLVE_GAP = Histogram(
    "onderbouwd_solve_gap",
    "Relative MIP gap reported by the runs this process finished with a plan.",
    buckets=GAP_BUCKETS,
)
WEBHOOK_DELIVERIES = Counter(
    "onderbouwd_webhook_deliveries",
    "Webhook delivery attempts this process made, by outcome (delivered, failed).",
    ["outcome"],
)


def observe_finished_run(state: str, recommendation: dict[str, Any] | None) -> None:
    """Count a run this process wrote the final state of, and its solve's seconds and gap."""
    RUNS_FINISHED.labels(state=state).inc()
    if not recommendation:
        return
    solver = recommendation.get("solver") or {}
    timings = solver.get("timings") or {}
    seconds = timings.get("solve_s")
    if isinstance(seconds, int | float):
        SOLVE_SECONDS.labels(status=str(recommendation.get("status"))).observe(seconds)
    gap = recommendation.get("gap")
    if isinstance(gap, int | float):
        SOLVE_GAP.observe(gap)
