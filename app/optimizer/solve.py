"""One scenario in, one recommendation out: compile, build, solve, read the plan back."""

from __future__ import annotations

import hashlib
import json
import resource
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pulp

from app.optimizer.diagnose import diagnose
from app.optimizer.explain import Context, ExplainOptions, explain
from app.optimizer.explain.plan_warnings import plan_warnings
from app.optimizer.model.arrays import model_arrays
from app.optimizer.model.build import Model, build_model
from app.optimizer.problem.instance import Instance, compile_instance
from app.optimizer.problem.result import allocations, improvements, spend
from app.optimizer.problem.value import plan_value
from app.optimizer.search import solvers
from app.optimizer.search.idle_runs import without_idle_runs
from app.optimizer.search.solvers import SolveOptions, solve_model, solver_version
from app.optimizer.search.warm_start import greedy_plan
from app.schemas.recommendation import ModelSize, Recommendation, SolverReport, Timings
from app.schemas.scenario import Scenario


@dataclass(frozen=True)
class RunLimits:
    """What the server allows, independent of what a scenario asks for."""

    max_time_limit_s: float | None = None
    cancel: threading.Event | None = None
    explain: bool = True  # False: the plan only (no explanation; warnings and diagnosis stay)
    explain_options: ExplainOptions = field(default_factory=ExplainOptions)
    # `solve_guarded`: above this many candidates, solve in a child process (None: never)
    guard_above_candidates: int | None = 100_000


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of the canonical document: validated, defaults filled, keys sorted."""
    canonical = json.dumps(
        scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def solve(scenario: Scenario, limits: RunLimits | None = None) -> Recommendation:
    limits = limits or RunLimits()
    started = time.perf_counter()
    settings = scenario.solver
    time_limit = settings.time_limit_s
    capped = limits.max_time_limit_s is not None and time_limit > limits.max_time_limit_s
    if capped and limits.max_time_limit_s is not None:
        time_limit = limits.max_time_limit_s
    report = SolverReport(
        name=settings.name,
        solver_version=solver_version(settings.name),
        pulp_version=pulp.__version__,
        time_limit_s=time_limit,
        mip_gap=settings.mip_gap,
        threads=settings.threads,
        time_limit_capped=capped,
    )
    digest = scenario_sha256(scenario)

    inst = compile_instance(scenario)
    model = build_model(inst)
    built = time.perf_counter()
    size = ModelSize(
        candidates=inst.n_candidates,
        variables=model.n_cols,
        constraints=model.n_rows,
        nonzeros=len(model_arrays(model).value),
    )
    options = SolveOptions(
        solver=settings.name,
        # The limit is the client's wall clock: building counts against it too.
        time_limit_s=max(0.05, time_limit - (built - started)),
        mip_gap=settings.mip_gap,
        threads=settings.threads,
        cancel=limits.cancel,
    )
    outcome = solve_model(
        model,
        options,
        find_start=lambda budget, relaxed: greedy_plan(inst, model, budget, relaxed),
        neighbourhood_of=inst.cand_n,
    )
    solved = time.perf_counter()
    report.timings = Timings(build_s=round(built - started, 4), solve_s=round(solved - built, 4))

    if outcome.values is None:
        diagnosis = None
        if outcome.status == "infeasible":
            diagnosis = diagnose(
                inst,
                model,
                time_limit_s=time_limit,
                cancel=limits.cancel,
            )
        report.timings.explain_s = round(time.perf_counter() - solved, 4)
        report.timings.total_s = round(time.perf_counter() - started, 4)
        report.peak_memory_mib = _peak_memory_mib()
        return Recommendation(
            status=outcome.status,
            message=outcome.message if diagnosis is None else diagnosis.message,
            scenario_sha256=digest,
            solver=report,
            model=size,
            diagnosis=diagnosis,
        )
    values = outcome.values
    if model.n_cols < solvers.MIP_MAX_COLUMNS:
        # At national scale the LP that re-reads a changed plan needs gigabytes: kept as is.
        values = without_idle_runs(inst, model, values)
    chosen = np.rint(values[: inst.n_candidates]).astype(np.int64)
    objective = plan_value(inst, chosen)
    bound = outcome.bound
    if bound is not None and bound < objective - 1e-6 * max(1.0, abs(objective)):
        # Not an upper bound on this plan (a solver stopped before its root was solved): unknown.
        bound = None
    elif bound is not None:
        bound = max(bound, objective)  # numerical noise only
    gap = None
    if bound is not None:
        gap = (
            0.0
            if bound - objective <= 1e-9 * max(1.0, abs(bound))
            else (bound - objective) / max(abs(objective), 1e-10)
        )
    recommendation = Recommendation(
        status=outcome.status,
        message=outcome.message,
        objective=round(objective, 6),
        bound=None if bound is None else round(bound, 6),
        gap=None if gap is None else round(gap, 9),
        scenario_sha256=digest,
        solver=report,
        model=size,
        allocations=allocations(inst, chosen),
        spend=spend(inst, chosen),
        improvements=improvements(inst, chosen),
    )
    if model.n_cols >= solvers.MIP_MAX_COLUMNS:
        recommendation.warnings.append(
            f"At this size ({model.n_cols:,} variables) the explanation and the checks "
            "behind these warnings are left out: they re-solve the full MIP, which needs far "
            "more memory than the plan itself."
        )
    else:
        budget = limits.explain_options.budget(solved - built, time_limit)
        _explain_into(recommendation, inst, model, values, limits, budget)
    report.timings.explain_s = round(time.perf_counter() - solved, 4)
    report.timings.total_s = round(time.perf_counter() - started, 4)
    report.peak_memory_mib = _peak_memory_mib()
    return recommendation


def _peak_memory_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def _explain_into(
    recommendation: Recommendation,
    inst: Instance,
    model: Model,
    values: np.ndarray,
    limits: RunLimits,
    budget: float,
) -> None:
    """The explanation (when asked for) and the empty-plan warnings (always)."""
    settings = inst.scenario.solver
    options = limits.explain_options
    ctx = Context(
        inst,
        model,
        values,
        settings.mip_gap,
        options,
        time.monotonic() + budget,
        cancel=limits.cancel,
    )
    if limits.explain:
        recommendation.explanation = explain(ctx)
    recommendation.warnings += plan_warnings(ctx)
