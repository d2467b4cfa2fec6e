"""The default solve against the same model handed whole to HiGHS, case by case, in one run.

    python -m benchmarks.solve_corpus [--quick] [--sizes 30 300] [--limits 5 10 60] [--seeds 5]
                                      [--mutated N] [--write docs/performance.md]

Per case of the corpus (`benchmarks.corpus`), one after the other on the same machine, each run
in its own process:

- **ours**: `app.optimizer.solve.solve` as the API and the CLI run it (without the
  explanation), once per time limit, shortest first. A run proven within the gap (0.1 %) ends
  there: a longer limit changes nothing but the shares its stages may use, so the longer runs
  are skipped and count as proven at the same time. The reported gap and plan value are the
  answer's; the time is the answer's wall time, building included, and the time to a proof
  leaves out what follows the solve (the warnings that an empty plan gets, which HiGHS alone
  does not give).
- **HiGHS**: the same built model (same matrix, same bounds) handed whole to HiGHS as one MIP
  with its default options (one thread, presolve with probing and heuristics on, the case's
  seed), run to the longest limit; its best plan and bound are read as it runs, so its gap "at
  5 s" is what a run stopped at 5 s would have reported. Its time counts from the start of
  building, like ours.

The table has, per case and limit, both reported gaps, the seconds to a proven 0.1 % (`—`: not
within the longest limit), the ratio of our proof time to HiGHS's (below 1: ours is sooner), and
the ratio of our plan's value to HiGHS's plan at the longest limit (at or above 1: ours is as
good or better). `--seeds N` runs every case N times, with HiGHS's random seed 0 to N-1 on both
sides (`solver.random_seed`), one row each; whether ours is behind is then judged on the
medians per case. `--mutated N` runs scenarios 1 to N of `benchmarks.gen_mutated` instead of
the corpus (shapes and rules neither generator makes). `--write FILE` replaces the table between
FILE's bench markers.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import multiprocessing
import pathlib
import platform
import statistics
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.corpus import MIP_GAP, Case, corpus

LIMITS = (5.0, 10.0, 60.0)
QUICK_LIMITS = (5.0, 10.0, 30.0)
# A run that ignores its limit this long after it is stopped and reported as such.
KILL_AFTER_S = 120.0
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def run_ours(case: Case, limit: float) -> dict[str, Any]:
    from app.optimizer.solve import RunLimits, solve
    from app.schemas.scenario import Scenario

    scenario = Scenario.model_validate(case.document(limit))
    started = time.monotonic()
    answer = solve(scenario, RunLimits(explain=False, in_child_process=False))
    seconds = time.monotonic() - started
    return {
        "status": answer.status,
        "objective": answer.objective,
        "bound": answer.bound,
        "gap": answer.gap,
        "seconds": seconds,
        # When the plan was proven: the warnings of an empty plan come after it (HiGHS alone
        # gives none), and at 0.0-0.2 s proofs they were most of the answer's time.
        "proven_s": seconds - (answer.solver.timings.explain_s or 0.0),
        "candidates": answer.model.candidates if answer.model else None,
        "stages": [(s.name, s.seconds, s.objective, s.bound) for s in answer.solver.stages],
    }


def run_highs_whole(case: Case, limit: float) -> dict[str, Any]:
    """HiGHS on the whole model, with the trajectory of its best plan and bound."""
    import numpy as np

    from app.optimizer.backends.highs_options import quiet_highs
    from app.optimizer.model.arrays import load
    from app.optimizer.model.build import build_model
    from app.optimizer.problem.instance import compile_instance
    from app.schemas.scenario import Scenario

    scenario = Scenario.model_validate(case.document(limit))
    started = time.monotonic()
    model = build_model(compile_instance(scenario))
    h = quiet_highs(case.solver_seed)
    h.setOptionValue("presolve_rule_off", 0)  # HiGHS's defaults: probing too, which ours leaves out
    load(h, model.arrays)
    h.setOptionValue("mip_rel_gap", MIP_GAP)
    deadline = started + limit
    h.setOptionValue("time_limit", max(0.05, deadline - time.monotonic()))
    trajectory: list[tuple[float, float | None, float | None]] = []

    def progress(event: Any) -> None:
        data = event.data_out
        primal = float(data.mip_primal_bound)
        dual = float(data.mip_dual_bound)
        point = (
            time.monotonic() - started,
            primal if math.isfinite(primal) else None,
            dual if math.isfinite(dual) else None,
        )
        if not trajectory or trajectory[-1][1:] != point[1:]:
            trajectory.append(point)
        if time.monotonic() > deadline:
            event.interrupt()

    h.cbMipInterrupt.subscribe(progress)
    h.cbMipImprovingSolution.subscribe(progress)
    h.run()
    seconds = time.monotonic() - started
    info = h.getInfo()
    proven = h.getModelStatus() == h.getModelStatus().kOptimal
    objective = float(info.objective_function_value) if info.primal_solution_status == 2 else None
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    trajectory.append((seconds, objective, bound))
    return {"proven": proven, "seconds": seconds, "trajectory": trajectory,
            "candidates": model.n_candidates}


def _child(target: Any, args: tuple[Any, ...], queue: Any) -> None:
    try:
        queue.put(target(*args))
    except Exception as error:  # reported in the table, not raised: the others still run
        queue.put({"error": f"{type(error).__name__}: {error}"})


def in_own_process(target: Any, *args: Any, timeout: float) -> dict[str, Any]:
    """`target(*args)` in a fresh process (its own HiGHS thread pool and peak memory)."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(target, args, queue))
    process.start()
    try:
        return dict(queue.get(timeout=timeout))
    except Exception:
        return {"error": f"no answer within {timeout:.0f} s"}
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()


@dataclass
class Row:
    case: Case
    candidates: int | None
    ours: dict[float, dict[str, Any]]  # per limit (skipped limits: the proven run's)
    ours_proof_s: float | None
    highs: dict[str, Any]

    def highs_at(self, limit: float) -> tuple[float | None, float | None]:
        """HiGHS's best plan value and bound at `limit` seconds."""
        objective = bound = None
        for seconds, primal, dual in self.highs.get("trajectory", []):
            if seconds > limit + 1e-9:
                break
            objective, bound = primal, dual
        return objective, bound

    @property
    def highs_proof_s(self) -> float | None:
        return self.highs["seconds"] if self.highs.get("proven") else None


def gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or objective <= 0:
        return None
    return max(0.0, bound - objective) / objective


def measure(case: Case, limits: tuple[float, ...]) -> Row:
    ours: dict[float, dict[str, Any]] = {}
    proof = None
    for limit in limits:
        if proof is not None:
            ours[limit] = ours[max(ours)]
            continue
        answer = in_own_process(run_ours, case, limit, timeout=limit + KILL_AFTER_S)
        ours[limit] = answer
        if answer.get("status") == "optimal":
            proof = answer.get("proven_s", answer["seconds"])
    highs = in_own_process(run_highs_whole, case, max(limits), timeout=max(limits) + KILL_AFTER_S)
    candidates = next((a["candidates"] for a in ours.values() if a.get("candidates")), None)
    return Row(case, candidates or highs.get("candidates"), ours, proof, highs)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f}"


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def table(rows: list[Row], limits: tuple[float, ...]) -> str:
    heads = ["case", "candidates"]
    heads += [f"gap % at {limit:g} s (ours / HiGHS)" for limit in limits]
    heads += ["0.1 % proven, s (ours / HiGHS)", "proof ratio", f"plan ratio at {max(limits):g} s"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    for row in rows:
        cells = [row.case.name, "—" if row.candidates is None else f"{row.candidates:,}"]
        for limit in limits:
            answer = row.ours[limit]
            ours = "err" if "error" in answer else _pct(answer.get("gap"))
            theirs = "err" if "error" in row.highs else _pct(gap(*row.highs_at(limit)))
            cells.append(f"{ours} / {theirs}")
        cells.append(f"{_s(row.ours_proof_s)} / {_s(row.highs_proof_s)}")
        cells.append(_ratio(row.ours_proof_s, row.highs_proof_s, max(limits)))
        ours_value = row.ours[max(limits)].get("objective")
        theirs_value = row.highs_at(max(limits))[0]
        cells.append(
            "—" if not ours_value or not theirs_value else f"{ours_value / theirs_value:.5f}"
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _ratio(ours: float | None, theirs: float | None, longest: float) -> str:
    """Ours over theirs; an unproven side counts as the longest limit (`>`/`<` say so)."""
    if ours is None and theirs is None:
        return "—"
    if theirs is None:
        return f"<{ours / longest:.2f}" if ours is not None else "—"
    if ours is None:
        return f">{longest / theirs:.2f}"
    return f"{ours / theirs:.2f}"


def summary(rows: list[Row], limits: tuple[float, ...]) -> str:
    """The targets at 300 neighbourhoods, and where ours is behind HiGHS alone."""
    lines = []
    at_300 = [r for r in rows if r.case.neighbourhoods == 300]
    if at_300 and 10.0 in limits:
        gaps = [r.ours[10.0].get("gap") for r in at_300]
        within = sum(1 for g in gaps if g is not None and g <= 0.005)
        lines.append(f"300: reported gap ≤ 0.5 % at 10 s on {within} of {len(at_300)} cases")
        proofs = [r.ours_proof_s if r.ours_proof_s is not None else math.inf for r in at_300]
        median = statistics.median(proofs)
        lines.append(
            "300: median time to a proven 0.1 %: "
            + ("beyond the longest limit" if math.isinf(median) else f"{median:.1f} s")
        )
    behind = []
    questions: dict[str, list[Row]] = {}
    for row in rows:
        questions.setdefault(row.case.question, []).append(row)
    for question, runs in questions.items():
        # Over several solver seeds, the medians: one seed's proof time is one draw of a
        # quantity that varies severalfold with the seed on the same model.
        for limit in limits:
            ours = _median([r.ours[limit].get("objective") for r in runs], missing=-math.inf)
            theirs = _median([r.highs_at(limit)[0] for r in runs], missing=-math.inf)
            if math.isfinite(theirs) and ours < theirs * (1 - 1e-7):
                behind.append(f"{question} plan at {limit:g} s")
        ours_proof = _median([r.ours_proof_s for r in runs], missing=math.inf)
        theirs_proof = _median([r.highs_proof_s for r in runs], missing=math.inf)
        if math.isfinite(theirs_proof) and ours_proof > theirs_proof:
            seeds = f" (medians over {len(runs)} seeds)" if len(runs) > 1 else ""
            behind.append(f"{question} proof{seeds}")
    lines.append("behind HiGHS alone: " + (", ".join(behind) if behind else "nowhere"))
    return "\n".join(lines)


def _median(values: list[float | None], missing: float) -> float:
    """The median, counting a value that is not there (no plan, no proof) as `missing`."""
    return statistics.median(missing if v is None else v for v in values)


def machine() -> str:
    import os

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    model = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib import metadata

    return (
        f"{cores} cores ({model}), Python {platform.python_version()}, "
        f"HiGHS {metadata.version('highspy')}"
    )


def write(path: pathlib.Path, text: str) -> None:
    document = path.read_text()
    if BEGIN not in document or END not in document:
        raise SystemExit(f"{path} has no {BEGIN} … {END} markers")
    head, rest = document.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small corpus, shorter limits")
    parser.add_argument("--sizes", type=int, nargs="*", help="only the cases of these sizes")
    parser.add_argument("--cases", nargs="*", help="only these cases (by name)")
    parser.add_argument("--limits", type=float, nargs="*", help="time limits, seconds")
    parser.add_argument(
        "--seeds", type=int, default=1, help="run each case with HiGHS seeds 0 to N-1 (both sides)"
    )
    parser.add_argument(
        "--mutated", type=int, metavar="N", help="instead of the corpus: mutated scenarios 1 to N"
    )
    parser.add_argument("--write", type=pathlib.Path, help="put the table into this file")
    parser.add_argument("--raw", type=pathlib.Path, help="every run's figures, as JSON lines")
    options = parser.parse_args()
    limits = tuple(sorted(options.limits or (QUICK_LIMITS if options.quick else LIMITS)))
    cases = corpus(options.quick, tuple(options.sizes) if options.sizes else None)
    if options.mutated:
        cases = [Case("mutated", 0, seed) for seed in range(1, options.mutated + 1)]
    if options.cases:
        cases = [c for c in cases if c.name in options.cases]
    cases = [dataclasses.replace(c, solver_seed=s) for c in cases for s in range(options.seeds)]
    began = time.monotonic()
    rows = []
    for case in cases:
        row = measure(case, limits)
        rows.append(row)
        if options.raw is not None:
            with options.raw.open("a") as raw:
                raw.write(json.dumps(dataclasses.asdict(row), default=str) + "\n")
        print(table([row], limits).splitlines()[-1], flush=True)
    minutes = (time.monotonic() - began) / 60
    text = "\n\n".join(
        [
            table(rows, limits),
            summary(rows, limits),
            f"Machine: {machine()}. Whole run: {minutes:.0f} min, "
            f"{time.strftime('%Y-%m-%d', time.gmtime())}.",
        ]
    )
    print()
    print(text)
    if options.write is not None:
        write(options.write, text)


if __name__ == "__main__":
    main()
