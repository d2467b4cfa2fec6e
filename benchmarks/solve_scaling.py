"""How solving scales, and what our formulation buys over a plain one.

    python -m benchmarks.solve_scaling [--sizes 30 300 3000 14000] [--solvers highs cbc]
                                       [--interventions 40] [--years 3] [--gap 0.001]
                                       [--time-limit 60] [--time-limit-for 14000=600]
                                       [--seed 1]

Per size and solver it generates one random scenario (every rule in use, all 8 domains with
gaps, most interventions eligible almost everywhere) and, each case in its own process so that
peak memory is its own, solves it

- through the API in-process (`POST /api/v1/solve`, our formulation, warm start), and
- as a plain formulation (start-year binaries, untightened effects, one piece variable per piece
  and one link row per cell, share rows summed over every decision, every limit row kept) built
  through PuLP and handed to the same solver through PuLP's stock interface, with the same
  options.

It prints variables, constraints, build, solve and total seconds, peak RSS, objective and gap for
both, and the ratio of our total time to the plain one (below 1 = ours is faster).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from typing import Any


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _scenario(
    size: int, interventions: int, years: int, seed: int, solver: str, gap: float, time_limit: float
) -> dict[str, Any]:
    from examples.generate_random import random_scenario

    document = random_scenario(size, interventions, years, seed)
    document["solver"] = {"name": solver, "mip_gap": gap, "time_limit_s": time_limit}
    return document


def _client_with_key() -> Any:
    """An in-process client of the real app on a fresh SQLite database, with a viewer key."""
    import tempfile

    from fastapi.testclient import TestClient

    from app.core.config import Settings
    from app.core.db import Database
    from app.core.migrations import upgrade
    from app.core.security import Role
    from app.main import create_app
    from app.services.access.keys import cli_principal, create_key, ensure_organisation

    folder = tempfile.mkdtemp(prefix="onderbouwd-bench-")
    url = f"sqlite:///{folder}/bench.db"
    database = Database(url)
    upgrade(database.engine)
    with database.transaction() as session:
        organisation, _ = ensure_organisation(session, "Benchmark")
        key = create_key(session, cli_principal(organisation), "benchmark", Role.viewer).key
    settings = Settings(database_url=url, max_time_limit_s=3600, max_body_bytes=1 << 31,
                        runner_enabled=False, demo=False)
    client = TestClient(create_app(settings, database=database))
    client.headers["Authorization"] = f"Bearer {key}"
    return client


def run_ours(args: tuple[Any, ...]) -> dict[str, Any]:
    document = _scenario(*args)
    client = _client_with_key()
    started = time.perf_counter()
    response = client.post("/api/v1/solve", params={"explain": "false"}, json=document)
    total = time.perf_counter() - started
    answer = response.json()
    if response.status_code != 200:
        return {"error": f"HTTP {response.status_code}: {answer}"}
    timings = answer["solver"]["timings"]
    model = answer.get("model") or {}
    return {
        "variables": model.get("variables"),
        "constraints": model.get("constraints"),
        "build_s": timings["build_s"],
        "solve_s": timings["solve_s"],
        "total_s": total,
        # A large solve runs in a child process of its own: its peak is in the answer.
        "peak_rss_mib": answer["solver"].get("peak_memory_mib") or _peak_rss_mib(),
        "objective": answer["objective"],
        "gap": answer["gap"],
        "status": answer["status"],
    }


def run_plain(args: tuple[Any, ...]) -> dict[str, Any]:
    import numpy as np
    import pulp

    from app.optimizer.model.build import build_model
    from app.optimizer.problem.instance import compile_instance
    from app.optimizer.problem.value import plan_value
    from app.schemas.scenario import parse_scenario

    document = _scenario(*args)
    solver_name, gap, time_limit = document["solver"].values()
    started = time.perf_counter()
    inst = compile_instance(parse_scenario(document))
    model = build_model(inst, plain=True)
    model.problem  # noqa: B018 (the plain model is PuLP's objects: making them is its build)
    built = time.perf_counter()
    if solver_name == "highs":
        solver = pulp.HiGHS(msg=False, gapRel=gap, timeLimit=time_limit)
    else:
        solver = pulp.PULP_CBC_CMD(msg=False, gapRel=gap, timeLimit=time_limit)
    model.problem.solve(solver)
    solved = time.perf_counter()
    chosen = np.rint([v.varValue or 0.0 for v in model.x]).astype(np.int64)
    objective = plan_value(inst, chosen)
    reported_gap = None
    if solver_name == "highs":
        info = model.problem.solverModel.getInfo()
        reported_gap = float(info.mip_gap)
    return {
        "variables": len(model.columns),
        "constraints": len(model.rows),
        "build_s": built - started,
        "solve_s": solved - built,
        "total_s": solved - started,
        "peak_rss_mib": _peak_rss_mib(),
        "objective": objective,
        "gap": reported_gap,
        "status": pulp.LpStatus[model.problem.status],
    }


def _in_own_process(function: Any, args: tuple[Any, ...]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        try:
            return dict(pool.apply(function, (args,)))
        except Exception as error:  # a benchmark row reports its failure and goes on
            return {"error": repr(error)}


def _cell(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 3000, 14000])
    parser.add_argument("--solvers", nargs="+", default=["highs", "cbc"])
    parser.add_argument("--interventions", type=int, default=40)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--gap", type=float, default=0.001)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument(
        "--time-limit-for",
        nargs="*",
        default=[],
        metavar="SIZE=SECONDS",
        help="a different time limit for one size, e.g. 14000=600",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-plain", action="store_true", help="skip the plain formulation")
    parser.add_argument(
        "--plain-max",
        type=int,
        default=300,
        help="largest size for the plain formulation: its share rows hold one term per "
        "decision each, so its size grows with neighbourhoods x decisions",
    )
    options = parser.parse_args()

    columns = [
        "size",
        "solver",
        "model",
        "status",
        "variables",
        "constraints",
        "build_s",
        "solve_s",
        "total_s",
        "peak_rss_mib",
        "objective",
        "gap",
        "ours/plain",
    ]
    limits = {int(k): float(v) for k, v in (item.split("=") for item in options.time_limit_for)}
    print(" | ".join(columns))
    for size in options.sizes:
        for solver in options.solvers:
            args = (
                size,
                options.interventions,
                options.years,
                options.seed,
                solver,
                options.gap,
                limits.get(size, options.time_limit),
            )
            ours = _in_own_process(run_ours, args)
            plain: dict[str, Any] = {}
            if options.no_plain:
                pass
            elif size > options.plain_max:
                plain = {
                    "error": f"skipped: {size} max_neighbourhood_share rows of one term "
                    "per decision each (size x decisions terms)"
                }
            else:
                plain = _in_own_process(run_plain, args)
            ratio = None
            if ours.get("total_s") and plain.get("total_s"):
                ratio = ours["total_s"] / plain["total_s"]
            for label, row in (("ours", ours), ("plain", plain)):
                if not row:
                    continue
                if "error" in row:
                    print(f"{size} | {solver} | {label} | error: {row['error']}")
                    continue
                cells = [
                    size,
                    solver,
                    label,
                    row["status"],
                    row["variables"],
                    row["constraints"],
                    row["build_s"],
                    row["solve_s"],
                    row["total_s"],
                    row["peak_rss_mib"],
                    row["objective"],
                    row["gap"],
                    ratio if label == "ours" else None,
                ]
                print(
                    " | ".join(_cell(c, 4 if i == 11 else 2) for i, c in enumerate(cells)),
                    flush=True,
                )


if __name__ == "__main__":
    main()
