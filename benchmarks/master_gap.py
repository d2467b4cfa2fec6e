"""Where a case's bound is weak: the Lagrangian master's integrality gap, row by row.

    python -m benchmarks.master_gap CASE [CASE ...] [--time-limit 60]

CASE is a corpus name (`corporation-300-s1`, `random-30-s1`, `utrecht`) or `mutated-sN`. Per
case: the relaxation's bound, the Lagrangian bound (column generation from the greedy's plan,
run to convergence or the limit), and the master over the neighbourhood plans it generated,
as an LP (its value is the bound) and as an integer program (one plan per neighbourhood). The
gap between those two is what no bound per neighbourhood can close. Then, for each linking row
with a price at the master's optimum, the same two values with that row left out: the row
whose removal closes most of the gap is the one a cut or a branching rule has to work on.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import highspy
import numpy as np

from benchmarks.corpus import Case


def case_named(name: str) -> Case:
    if name == "utrecht":
        return Case("utrecht", 110)
    if name.startswith("mutated-s"):
        return Case("mutated", 0, int(name.removeprefix("mutated-s")))
    generator, size, seed = name.split("-")
    return Case(generator, int(size), int(seed.removeprefix("s")))


def _master(blocks: Any, plans: list[tuple[int, np.ndarray]]) -> tuple[highspy.Highs, int, int]:
    """The master over `plans` (maximising), its first plan column and its number of plans."""
    from app.optimizer.backends.highs_options import quiet_highs
    from app.optimizer.search.master_plan import master_rows, plan_columns

    h = quiet_highs()
    master_rows(h, blocks)
    first = h.getNumCol()
    worth, matrix = plan_columns(blocks, plans, h.getNumRow())
    count = len(plans)
    h.addCols(
        count, worth, np.zeros(count), np.ones(count), matrix.nnz,
        matrix.indptr[:-1].astype(np.int32), matrix.indices.astype(np.int32), matrix.data,
    )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    return h, first, count


def _lp_and_ip(
    h: highspy.Highs, first: int, count: int, time_limit: float
) -> tuple[float, float, np.ndarray]:
    """The master's value as an LP and as an integer program, and the LP's row prices."""
    columns = np.arange(first, first + count, dtype=np.int32)
    h.changeColsIntegrality(count, columns, np.zeros(count, np.uint8))
    h.run()
    lp = float(h.getInfo().objective_function_value)
    prices = np.asarray(h.getSolution().row_dual)
    h.changeColsIntegrality(count, columns, np.ones(count, np.uint8))
    h.setOptionValue("time_limit", time_limit)
    h.setOptionValue("mip_rel_gap", 1e-5)
    h.run()
    return lp, float(h.getInfo().objective_function_value), prices


def _pct(high: float, low: float) -> str:
    return f"{100 * (high - low) / max(abs(low), 1e-9):.2f} %"


def measure(case: Case, time_limit: float) -> None:
    from app.optimizer.model.arrays import model_arrays
    from app.optimizer.model.build import build_model
    from app.optimizer.problem.instance import compile_instance
    from app.optimizer.search.decomposition import lagrangian_bound
    from app.optimizer.search.lp_guided import relax
    from app.optimizer.search.warm_start import greedy_plan
    from app.schemas.scenario import Scenario

    inst = compile_instance(Scenario.model_validate(case.document(time_limit)))
    model = build_model(inst)
    relaxation = relax(model, time.monotonic() + time_limit, None)
    if relaxation.status != "optimal":
        print(f"{case.name}: relaxation {relaxation.status}")
        return
    assert relaxation.values is not None
    assert relaxation.reduced_costs is not None
    assert relaxation.row_duals is not None
    start = greedy_plan(inst, model, time_limit, relaxation.values)
    found = lagrangian_bound(
        model_arrays(model),
        inst.cand_n,
        (relaxation.values, relaxation.reduced_costs, relaxation.row_duals),
        [] if start is None else [start],
        time.monotonic() + time_limit,
    )
    if found is None:
        print(f"{case.name}: no Lagrangian bound within {time_limit:.0f} s")
        return
    blocks = found.blocks
    h, first, count = _master(blocks, found.plans)
    lp, ip, row_prices = _lp_and_ip(h, first, count, time_limit)
    print(f"{case.name}: relaxation {relaxation.bound:,.1f}, Lagrangian {found.bound:,.1f}")
    print(f"  master over {count} neighbourhood plans: LP {lp:,.1f}, integer {ip:,.1f}, "
          f"apart {_pct(lp, ip)}")
    prices = row_prices[: len(blocks.coupling)]
    for row in np.flatnonzero(np.abs(prices) > 1e-7).tolist():
        lower, upper = blocks.coupling_lower[row], blocks.coupling_upper[row]
        h.changeRowBounds(row, -highspy.kHighsInf, highspy.kHighsInf)
        without_lp, without_ip, _ = _lp_and_ip(h, first, count, time_limit)
        h.changeRowBounds(row, lower, upper)
        kind = model.row_kinds[int(blocks.coupling[row])]
        print(f"  without {kind:40s} price {prices[row]:10.4f}: LP {without_lp:,.1f}, "
              f"integer {without_ip:,.1f}, apart {_pct(without_lp, without_ip)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="+", metavar="CASE")
    parser.add_argument("--time-limit", type=float, default=60.0)
    args = parser.parse_args()
    for name in args.cases:
        measure(case_named(name), args.time_limit)


if __name__ == "__main__":
    main()
