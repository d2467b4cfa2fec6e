"""One tuning against another, side by side on the corpus: what a change to a stage buys.

    python -m benchmarks.tuning_ab --set use_implied_bounds=False [--quick] [--mutated N]
                                   [--cases NAME ...] [--limits 5 10] [--seeds N]

Per case and limit, the solve as it runs (`A`, the default `Tuning`) and with the fields given
by `--set` (`B`), one after the other, each in its own process, interleaved case by case so
that a change in the machine's load falls on both. Printed per run: the plan's value and the
reported gap of both, and the value of A's plan over B's (above 1: A's is better). Under the
table: on how many runs each side held the better plan and the lower gap, and was proven where
the other was not. `--seeds N` runs every case with HiGHS's random seeds 0 to N-1 on both sides:
on the small cases the full MIP's path, and with it the time to a proof, changes with any change
upstream as much as with the seed (Utrecht: proven in 3.2-13.0 s by HiGHS alone over five
seeds), so a change is judged there on the runs over several seeds, not on one.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
from typing import Any

from benchmarks.corpus import Case, corpus
from benchmarks.solve_corpus import KILL_AFTER_S, in_own_process


def run_with(case: Case, limit: float, changes: dict[str, Any]) -> dict[str, Any]:
    import dataclasses
    import time

    from app.optimizer.solve import RunLimits, solve
    from app.optimizer.tuning import TUNING
    from app.schemas.scenario import Scenario

    scenario = Scenario.model_validate(case.document(limit))
    tuning = dataclasses.replace(TUNING, **changes)
    started = time.monotonic()
    answer = solve(scenario, RunLimits(explain=False, in_child_process=False, tuning=tuning))
    return {
        "status": answer.status,
        "objective": answer.objective,
        "gap": answer.gap,
        "seconds": time.monotonic() - started,
    }


def parse_changes(pairs: list[str]) -> dict[str, Any]:
    """`field=value` pairs, each value a Python literal (`False`, `0.3`, `12`)."""
    from app.optimizer.tuning import TUNING

    changes: dict[str, Any] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        if not hasattr(TUNING, name):
            raise SystemExit(f"--set: the tuning has no field {name!r}")
        changes[name] = ast.literal_eval(text)
    return changes


def _cell(run: dict[str, Any]) -> str:
    if run.get("objective") is None:
        return f"{run.get('status')} ({run.get('seconds', 0):.1f} s)"
    gap = run.get("gap")
    shown = "proven" if run["status"] == "optimal" else f"{gap:.2%}" if gap is not None else "?"
    return f"{run['objective']:,.0f} {shown} ({run['seconds']:.1f} s)"


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    if a.get("objective") is None or b.get("objective") is None or not b["objective"]:
        return None
    return float(a["objective"]) / float(b["objective"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", nargs="+", required=True, metavar="FIELD=VALUE")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*")
    parser.add_argument("--mutated", type=int, default=0, help="also the first N mutated cases")
    parser.add_argument("--mutated-from", type=int, default=1)
    parser.add_argument("--cases", nargs="*", help="only the cases of these names")
    parser.add_argument("--limits", type=float, nargs="+", default=[5.0, 10.0])
    parser.add_argument("--seeds", type=int, default=1, help="HiGHS's seeds 0 to N-1 per case")
    args = parser.parse_args()
    changes = parse_changes(args.set)
    cases = corpus(args.quick, tuple(args.sizes) if args.sizes else None)
    cases += [
        Case("mutated", 0, s) for s in range(args.mutated_from, args.mutated_from + args.mutated)
    ]
    if args.cases:
        cases = [c for c in cases if c.name in args.cases]
    cases = [dataclasses.replace(c, solver_seed=seed) for c in cases for seed in range(args.seeds)]
    wins = {"A plan": 0, "B plan": 0, "A gap": 0, "B gap": 0, "A proof": 0, "B proof": 0}
    print(f"A: the default tuning; B: {', '.join(args.set)}")
    print(f"{'case':<22} {'limit':>5}  {'A':<30} {'B':<30} A/B")
    for case in cases:
        for limit in args.limits:
            timeout = 2 * limit + KILL_AFTER_S
            a = in_own_process(run_with, case, limit, {}, timeout=timeout)
            b = in_own_process(run_with, case, limit, changes, timeout=timeout)
            ratio = _ratio(a, b)
            shown = "-" if ratio is None else f"{ratio:.5f}"
            print(
                f"{case.name:<22} {limit:>5.0f}  {_cell(a):<30} {_cell(b):<30} {shown}", flush=True
            )
            if ratio is not None and abs(ratio - 1.0) > 1e-6:
                wins["A plan" if ratio > 1 else "B plan"] += 1
            gap_a, gap_b = a.get("gap"), b.get("gap")
            if gap_a is not None and gap_b is not None and abs(gap_a - gap_b) > 1e-6:
                wins["A gap" if gap_a < gap_b else "B gap"] += 1
            proven = (a.get("status") == "optimal", b.get("status") == "optimal")
            if proven[0] != proven[1]:
                wins["A proof" if proven[0] else "B proof"] += 1
    better = {name: count for name, count in wins.items() if "proof" not in name}
    print(", ".join(f"{name} better: {count}" for name, count in better.items()))
    print(f"proven on one side only: A {wins['A proof']}, B {wins['B proof']}")


if __name__ == "__main__":
    main()
