"""What the Lagrangian bound buys, measured side by side on several seeds.

    python -m benchmarks.lagrangian_bound [--size 300] [--seeds 1 2 3 4 5] [--time-limit 60]
                                          [--gap 0.001] [--no-comparison]

Per seed it solves one random scenario (`examples.generate_random`, 40 interventions × 3 years)
through the optimizer twice, each in its own process: the staged HiGHS solve as it runs
(relaxation, greedy, the Lagrangian bound by column generation, the MIP over its neighbourhood
plans, the exchange search, the full MIP with its cuts and fixings), and the same solve with
the bound switched off (relaxation, greedy, the MIP over what the relaxation points at, the
full MIP with the relaxation's fixings). It prints status, gap and total seconds of both, and
the ratio of the times (below 1 = the bound is faster), then how many seeds each proved within
5 s and the median time. A solve that stops at the limit has the limit as its time: the ratio
then understates what the bound buys. `--no-comparison` runs the staged solve alone.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from typing import Any


def _solve(args: tuple[int, int, float, float, bool]) -> dict[str, Any]:
    import dataclasses

    from app.optimizer.solve import RunLimits, solve
    from app.optimizer.tuning import TUNING
    from app.schemas.scenario import parse_scenario
    from examples.generate_random import random_scenario

    size, seed, time_limit, gap, with_bound = args
    tuning = dataclasses.replace(TUNING, use_lagrangian_bound=with_bound)
    document = random_scenario(size, 40, 3, seed)
    document["solver"] = {"name": "highs", "mip_gap": gap, "time_limit_s": time_limit}
    scenario = parse_scenario(document)
    started = time.perf_counter()
    answer = solve(scenario, RunLimits(explain=False, tuning=tuning))
    return {
        "status": answer.status,
        "objective": answer.objective,
        "bound": answer.bound,
        "gap": answer.gap,
        "total_s": time.perf_counter() - started,
    }


def _in_own_process(args: tuple[int, int, float, float, bool]) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        return dict(pool.apply(_solve, (args,)))


def _gap(value: float | None) -> str:
    return "-" if value is None else f"{value:.3%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gap", type=float, default=0.001)
    parser.add_argument("--no-comparison", action="store_true", help="the staged solve only")
    options = parser.parse_args()
    variants = (True,) if options.no_comparison else (True, False)
    header = ["seed", "with the bound", "s", "gap"]
    if not options.no_comparison:
        header += ["without it", "s", "gap", "time ratio"]
    print(" | ".join(header))
    times: dict[bool, list[float]] = {variant: [] for variant in variants}
    proven_soon: dict[bool, int] = dict.fromkeys(variants, 0)
    for seed in options.seeds:
        rows = [
            _in_own_process((options.size, seed, options.time_limit, options.gap, with_bound))
            for with_bound in variants
        ]
        cells = [str(seed)]
        for variant, row in zip(variants, rows, strict=True):
            cells += [row["status"], f"{row['total_s']:.1f}", _gap(row["gap"])]
            times[variant].append(row["total_s"])
            proven_soon[variant] += row["status"] == "optimal" and row["total_s"] < 5.0
        if len(rows) == 2:
            cells.append(f"{rows[0]['total_s'] / rows[1]['total_s']:.2f}")
        print(" | ".join(cells), flush=True)
    for variant in variants:
        name = "with the bound" if variant else "without it"
        print(
            f"{name}: proven within 5 s on {proven_soon[variant]} of {len(options.seeds)} "
            f"seeds; median {statistics.median(times[variant]):.1f} s, "
            f"slowest {max(times[variant]):.1f} s"
        )


if __name__ == "__main__":
    main()
