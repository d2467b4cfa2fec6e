"""What building the model costs: seconds and peak memory per size, each size in its own process.

    python -m benchmarks.build_memory [--sizes 300 3000 14000] [--interventions 40] [--years 3]
                                      [--seed 1]

Per size it generates one random scenario and times, in a fresh process, parsing the scenario,
compiling it to arrays (`compile_instance`) and building the model (`build_model`: the arrays
HiGHS takes), then making PuLP's objects from them (what CBC and the full MIP need, and the
staged solve of a model too large for the full MIP never asks for). It prints the model's size,
the seconds of each step and the process's peak RSS after the build and after the PuLP objects
(both include the scenario document itself).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from typing import Any


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _measure(size: int, interventions: int, years: int, seed: int) -> dict[str, Any]:
    from app.optimizer.model.build import build_model
    from app.optimizer.problem.instance import compile_instance
    from app.schemas.scenario import parse_scenario
    from examples.generate_random import random_scenario

    document = random_scenario(size, interventions, years, seed)
    started = time.perf_counter()
    scenario = parse_scenario(document)
    parsed = time.perf_counter()
    inst = compile_instance(scenario)
    compiled = time.perf_counter()
    model = build_model(inst)
    built = time.perf_counter()
    peak_built = _peak_rss_mib()
    model.columns  # noqa: B018 (made on first access)
    made = time.perf_counter()
    return {
        "size": size,
        "columns": model.n_cols,
        "rows": model.n_rows,
        "nonzeros": len(model.arrays.value),
        "parse_s": parsed - started,
        "compile_s": compiled - parsed,
        "build_s": built - compiled,
        "pulp_s": made - built,
        "peak_mib": peak_built,
        "pulp_peak_mib": _peak_rss_mib(),
    }


def _run(size: int, interventions: int, years: int, seed: int, queue: Any) -> None:
    queue.put(_measure(size, interventions, years, seed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--interventions", type=int, default=40)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    header = (
        f"{'size':>6} {'columns':>9} {'rows':>9} {'nonzeros':>10} {'parse s':>8} "
        f"{'compile s':>9} {'build s':>8} {'peak MiB':>9} {'PuLP s':>7} {'with PuLP MiB':>13}"
    )
    print(header)
    for size in args.sizes:
        queue = context.Queue()
        process = context.Process(
            target=_run, args=(size, args.interventions, args.years, args.seed, queue)
        )
        process.start()
        row = queue.get()
        process.join()
        print(
            f"{row['size']:>6} {row['columns']:>9} {row['rows']:>9} {row['nonzeros']:>10} "
            f"{row['parse_s']:>8.2f} {row['compile_s']:>9.2f} {row['build_s']:>8.2f} "
            f"{row['peak_mib']:>9.0f} {row['pulp_s']:>7.2f} {row['pulp_peak_mib']:>13.0f}"
        )


if __name__ == "__main__":
    main()
