"""What explaining a plan costs beside solving it, at corporation size.

    python -m benchmarks.explain_cost [--neighbourhoods 300] [--interventions 40] [--years 3]
                                      [--seed 1] [--gap 0.001] [--time-limit 60] [--exact 5]

On `examples.generate_random.random_scenario` it prints the solve time, then the time of the
explanation without exact costs of forcing (more than 300 pairs lose to the plan, so their
cost of forcing is the LP estimate) and of each of its parts, and finally what an exact cost of
forcing (a MILP re-solve at gap 0 with the pair locked in) costs per candidate, for `--exact`
outcompeted pairs named by the client (each re-solve stops after `--exact-time` seconds: at
gap 0 a corporation-size re-solve rarely proves its optimum, and then the cost it reports is an
upper bound).
"""

from __future__ import annotations

import argparse
import sys
import time


def main() -> None:
    from app.optimizer.explain import Context, ExplainOptions, binding_rules, next_steps
    from app.optimizer.explain.candidates import candidate_rows
    from app.optimizer.explain.marginal import marginal_estimates
    from app.optimizer.explain.plan_warnings import plan_warnings
    from app.optimizer.model.build import build_model
    from app.optimizer.problem.instance import compile_instance
    from app.optimizer.search.solvers import SolveOptions, solve_model
    from app.optimizer.search.warm_start import greedy_plan
    from app.schemas.scenario import parse_scenario
    from examples.generate_random import random_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neighbourhoods", type=int, default=300)
    parser.add_argument("--interventions", type=int, default=40)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gap", type=float, default=0.001)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--exact", type=int, default=3, help="pairs to cost exactly")
    parser.add_argument("--exact-time", type=float, default=60.0,
                        help="seconds allowed per exact cost of forcing")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]

    document = random_scenario(args.neighbourhoods, args.interventions, args.years, args.seed)
    document["solver"] = {"name": "highs", "mip_gap": args.gap, "time_limit_s": args.time_limit}
    started = time.perf_counter()
    inst = compile_instance(parse_scenario(document))
    model = build_model(inst)
    built = time.perf_counter()
    start = greedy_plan(inst, model, time_budget_s=min(5.0, 0.2 * args.time_limit))
    outcome = solve_model(model, SolveOptions(time_limit_s=args.time_limit, mip_gap=args.gap),
                          start)
    solved = time.perf_counter()
    assert outcome.values is not None, outcome.message
    solve_s = solved - built
    print(f"scenario: {args.neighbourhoods} buurten x {args.interventions} interventions x "
          f"{args.years} years, {inst.n_candidates:,} candidates, {len(model.rows):,} rows")
    print(f"build {built - started:.2f} s, solve {solve_s:.2f} s ({outcome.status}, "
          f"gap {outcome.gap})")

    options = ExplainOptions()
    budget = options.budget(solve_s, args.time_limit)
    ctx = Context(inst, model, outcome.values, args.gap, options, time.monotonic() + budget)
    parts: dict[str, float] = {}

    def timed(name: str, work):  # noqa: ANN001, ANN202 (any part of the explanation)
        begun = time.perf_counter()
        result = work()
        parts[name] = time.perf_counter() - begun
        return result

    steps = timed("next steps", lambda: next_steps(ctx))
    timed("marginal estimates", lambda: marginal_estimates(ctx))
    timed("binding rules", lambda: binding_rules(ctx, steps))
    rows = timed("candidate rows", lambda: candidate_rows(ctx))
    timed("warnings", lambda: plan_warnings(ctx))
    explain_s = sum(parts.values())
    resolved = sum(1 for s in steps if s.resolved)
    print(f"explanation without exact costs of forcing: {explain_s:.2f} s "
          f"(budget {budget:.2f} s; {explain_s / solve_s:.0%} of the solve)")
    for name, seconds in parts.items():
        print(f"  {name:<20} {seconds:8.2f} s")
    print(f"  {len(steps)} lines, {resolved} re-solved; {len(rows):,} pairs without a run; "
          f"notes: {ctx.notes}")

    for s in sorted(steps, key=lambda s: -(s.gain or 0.0))[:3]:
        print(f"  next step on {s.label}: +{s.step:,.6g} buys {s.gain} "
              f"(at most {s.gain_at_most}); {s.note or 'proved'}")

    outcompeted = [r for r in rows if r.reason == "outcompeted"][: args.exact]
    named = tuple((r.intervention, r.neighbourhood) for r in outcompeted)
    exact_ctx = Context(inst, model, outcome.values, args.gap,
                        ExplainOptions(candidates=named, exact_limit=0),
                        time.monotonic() + args.exact_time * max(1, len(named)))
    exact_ctx.fixed_lp = ctx.fixed_lp
    begun = time.perf_counter()
    exact_rows = candidate_rows(exact_ctx)
    exact_s = time.perf_counter() - begun - parts["candidate rows"]
    costs = {(r.intervention, r.neighbourhood): r for r in exact_rows}
    print(f"exact cost of forcing: {max(exact_s, 0.0) / max(1, len(named)):.2f} s per candidate "
          f"({len(named)} named)")
    for row in outcompeted:
        exact = costs[(row.intervention, row.neighbourhood)]
        print(f"  {row.intervention} in {row.neighbourhood}: LP estimate "
              f"{row.cost_of_forcing}, re-solve {exact.cost_of_forcing} ({exact.reason}"
              f"{', stopped at its time limit: at most this' if exact.estimate else ', exact'})")


if __name__ == "__main__":
    main()
