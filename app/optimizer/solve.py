"""One scenario in, one recommendation out: compile, build, solve, read the plan back."""

from __future__ import annotations

import hashlib
import json
import resource
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pulp

from app.optimizer.backends.outcome import SolveOutcome, worth_nothing
from app.optimizer.deadline import Deadline
from app.optimizer.diagnose import diagnose
from app.optimizer.explain import Context, ExplainOptions, explain, not_begun
from app.optimizer.explain.plan_warnings import plan_warnings
from app.optimizer.model.arrays import model_arrays
from app.optimizer.model.build import Model, build_model
from app.optimizer.problem.instance import Instance, compile_instance
from app.optimizer.problem.result import allocations, improvements, spend
from app.optimizer.problem.value import plan_value
from app.optimizer.search.idle_runs import without_idle_runs
from app.optimizer.search.solvers import SolveOptions, solve_model, solver_version
from app.optimizer.search.warm_start import greedy_plan, plan_start
from app.optimizer.stages import StageLog
from app.optimizer.tuning import TUNING, Tuning
from app.schemas.recommendation import (
    ModelSize,
    Recommendation,
    SolverReport,
    SolveStage,
    Timings,
)
from app.schemas.scenario import Scenario


@dataclass(frozen=True)
class RunLimits:
    """What the server allows, independent of what a scenario asks for."""

    max_time_limit_s: float | None = None
    cancel: threading.Event | None = None
    explain: bool = True  # False: the plan only (no explanation; warnings and diagnosis stay)
    explain_options: ExplainOptions = field(default_factory=ExplainOptions)
    # `solve_guarded`: solve in a child process killed at the deadline, whatever the size
    # (HiGHS can loop past its clock on a small model too, `app.optimizer.guard`); False: in
    # this process
    in_child_process: bool = True
    run_id: str | None = None  # carried by the stages' log lines
    tuning: Tuning = TUNING  # every tuned number of the solve (`app.optimizer.tuning`)
    # A previous plan to start from (intervention, neighbourhood code, calendar start year):
    # a what-if's parent or a sweep's neighbouring point. It only seeds the search.
    start_plan: tuple[tuple[str, str, int], ...] = ()
    # Called with the plan (no explanation yet) as soon as it is known; the explanation is
    # made after it returns. From a guarded child process it comes through the pipe, and is
    # called in this process while the child explains.
    on_plan: Callable[[Recommendation], None] | None = None


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 of the canonical document: validated, defaults filled, keys sorted."""
    canonical = json.dumps(
        scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# The share of the time limit that making a previous plan fit the scenario (`start_plan`) may
# take; at Utrecht's size it takes 0.05-0.1 s, like the greedy it runs.
START_PLAN_SHARE = 0.05


def solver_report(scenario: Scenario, time_limit: float) -> SolverReport:
    """What the answer says of the solver: the scenario's settings, the limit that applied
    (`time_limit`, lower than asked when the service caps it) and the versions."""
    settings = scenario.solver
    return SolverReport(
        name=settings.name,
        solver_version=solver_version(settings.name),
        pulp_version=pulp.__version__,
        time_limit_s=time_limit,
        mip_gap=settings.mip_gap,
        threads=settings.threads,
        random_seed=settings.random_seed,
        time_limit_capped=time_limit < settings.time_limit_s,
    )


def solve(scenario: Scenario, limits: RunLimits | None = None) -> Recommendation:
    """The recommendation for `scenario`, every part of it (build, solve, warnings,
    explanation) within its share of one deadline: the scenario's time limit."""
    limits = limits or RunLimits()
    settings = scenario.solver
    time_limit = settings.time_limit_s
    if limits.max_time_limit_s is not None:
        time_limit = min(time_limit, limits.max_time_limit_s)
    deadline = Deadline.start(time_limit, limits.cancel)
    log = StageLog(run_id=limits.run_id)
    report = solver_report(scenario, time_limit)
    digest = scenario_sha256(scenario)

    with log.stage("build", deadline):
        inst = compile_instance(scenario)
        model = build_model(inst)
    built = deadline.elapsed()
    size = ModelSize(
        candidates=inst.n_candidates,
        variables=model.n_cols,
        constraints=model.n_rows,
        nonzeros=len(model_arrays(model).value),
    )
    tuning = limits.tuning
    explaining = limits.explain and model.n_cols < tuning.mip_max_columns
    # Held back from the solve for what follows it, so that the whole answer keeps to the limit.
    reserve = (tuning.explain_reserve if explaining else tuning.warnings_reserve) * time_limit
    solving = deadline.before(reserve)
    options = SolveOptions(
        solver=settings.name,
        # The limit is the client's wall clock: building counts against it too.
        time_limit_s=max(0.05, solving.remaining()),
        mip_gap=settings.mip_gap,
        threads=settings.threads,
        random_seed=settings.random_seed,
        cancel=limits.cancel,
        tuning=tuning,
    )
    warm_start = None
    if limits.start_plan:
        part = solving.share(START_PLAN_SHARE)
        with log.stage("previous plan", part):
            warm_start = plan_start(inst, model, limits.start_plan, max(0.05, part.remaining()))
    outcome = solve_model(
        model,
        options,
        warm_start=warm_start,
        find_start=lambda budget, relaxed: greedy_plan(inst, model, budget, relaxed),
        neighbourhood_of=inst.cand_n,
        deadline=solving,
        log=log,
        # What follows a plan found this late is reading it back, and that takes a while at
        # national scale (`Tuning.read_back_builds`).
        without_plan=deadline.before(tuning.read_back_builds * built),
    )
    solved = deadline.elapsed()
    report.timings = Timings(build_s=round(built, 4), solve_s=round(solved - built, 4))

    values = outcome.values
    chosen = None if values is None else np.rint(values[: inst.n_candidates]).astype(np.int64)
    objective = None if chosen is None else plan_value(inst, chosen)
    worthless = objective is not None and worth_nothing(objective, outcome.bound)
    if outcome.status != "optimal" and worthless:
        # What a time-out left behind (often the empty plan HiGHS starts from) is not a plan.
        values, chosen, objective = None, None, None
        outcome = SolveOutcome(
            "error", None, None, outcome.bound, None, _no_plan(outcome, deadline)
        )
    if values is None or chosen is None or objective is None:
        diagnosis = None
        if outcome.status == "infeasible":
            with log.stage("diagnosis", deadline):
                diagnosis = diagnose(
                    inst,
                    model,
                    time_limit_s=max(0.05, deadline.remaining()),
                    cancel=limits.cancel,
                )
        recommendation = Recommendation(
            status=outcome.status,
            message=outcome.message if diagnosis is None else diagnosis.message,
            scenario_sha256=digest,
            solver=report,
            model=size,
            diagnosis=diagnosis,
        )
        _finish(recommendation, deadline, solved, log)
        return recommendation
    if model.n_cols < limits.tuning.mip_max_columns and not deadline.expired():
        # At national scale the LP that re-reads a changed plan needs gigabytes: kept as is.
        with log.stage("idle runs", deadline):
            values = without_idle_runs(inst, model, values, max(0.05, deadline.remaining()))
        chosen = np.rint(values[: inst.n_candidates]).astype(np.int64)
        objective = plan_value(inst, chosen)
    bound = outcome.bound
    if bound is not None and bound < objective - 1e-6 * max(1.0, abs(objective)):
        # Not an upper bound on this plan (a solver stopped before its root was solved): unknown.
        bound = None
    elif bound is not None:
        bound = max(bound, objective)  # numerical noise only
    gap = None
    if bound is not None and objective > 0:
        # (over a plan worth 0 or less a relative gap is not a number to report)
        gap = (
            0.0
            if bound - objective <= 1e-9 * max(1.0, abs(bound))
            else (bound - objective) / abs(objective)
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
    if model.n_cols >= limits.tuning.mip_max_columns:
        recommendation.warnings.append(
            f"At this size ({model.n_cols:,} variables) the explanation and the checks "
            "behind these warnings are left out: they re-solve the full MIP, which needs far "
            "more memory than the plan itself."
        )
    else:
        _explain_into(recommendation, inst, model, values, limits, deadline, solved, built, log)
    _finish(recommendation, deadline, solved, log)
    return recommendation


def _no_plan(outcome: SolveOutcome, deadline: Deadline) -> str:
    why = "cancelled" if deadline.cancelled() else "stopped at the time limit"
    return f"no plan: {why} before a plan worth anything was found" + (
        "" if deadline.cancelled() else "; allow more time (time_limit_s)"
    )


def _send_plan(
    recommendation: Recommendation,
    on_plan: Callable[[Recommendation], None],
    deadline: Deadline,
    solved: float,
    log: StageLog,
) -> None:
    """Hands `on_plan` a finished copy of the answer so far: the plan before its explanation."""
    plan = recommendation.model_copy(deep=True)
    _finish(plan, deadline, solved, log)
    on_plan(plan)


def _finish(
    recommendation: Recommendation, deadline: Deadline, solved: float, log: StageLog
) -> None:
    """Timings, memory, the stages record and whether another run would answer the same."""
    report = recommendation.solver
    report.timings.explain_s = round(deadline.elapsed() - solved, 4)
    report.timings.total_s = round(deadline.elapsed(), 4)
    report.peak_memory_mib = _peak_memory_mib()
    report.stages = [
        SolveStage(
            name=r.name,
            seconds=round(r.seconds, 4),
            objective=None if r.objective is None else round(r.objective, 6),
            bound=None if r.bound is None else round(r.bound, 6),
            timed_out=r.timed_out,
            allotted_s=None if r.allotted_s is None else round(r.allotted_s, 4),
        )
        for r in log.records
    ]
    late = log.timed_out
    if late:
        report.reproducible = False
        report.reproducible_note = (
            f"The time set for {', '.join(dict.fromkeys(late))} ran out: what was found by then "
            "depends on the machine's speed and load, so another run may give another plan or "
            "other figures. With a longer time limit every stage ends by itself and the same "
            "document gives the same answer."
        )


def _peak_memory_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def _explain_into(
    recommendation: Recommendation,
    inst: Instance,
    model: Model,
    values: np.ndarray,
    limits: RunLimits,
    deadline: Deadline,
    solved: float,
    built: float,
    log: StageLog,
) -> None:
    """The explanation (when asked for) and the empty-plan warnings (always), each in its share
    of what is left of the deadline: the warnings keep theirs."""
    settings = inst.scenario.solver
    options = limits.explain_options
    tuning = limits.tuning
    if deadline.expired():
        # A plan found at the last moment: nothing follows it, not even the reading of the
        # rules into lines that every part starts from (0.1-0.3 s at national scale, `mutated`
        # seed 421, where with the plan read back it took the answer 0.9 s past its limit).
        if limits.on_plan is not None:
            _send_plan(recommendation, limits.on_plan, deadline, solved, log)
        elif limits.explain:
            with log.stage("explanation", deadline):
                recommendation.explanation = not_begun(options.level)
        return
    warnings_s = tuning.warnings_reserve * deadline.limit_s
    explaining = deadline.before(warnings_s)
    budget = options.budget(solved - built, deadline.limit_s, tuning)
    explaining = explaining.seconds(budget)
    ctx = Context(
        inst,
        model,
        values,
        settings.mip_gap,
        options,
        explaining.at,
        cancel=limits.cancel,
        neighbourhood_plans=log.neighbourhood_plans,
        tuning=tuning,
        lp_seconds=log.lp_seconds,
        # An empty plan's warnings name their rules in what is left, but the figures (what
        # the plan is worth without them, proven) have the explanation's budget: proving took
        # the whole limit after a solve of 0.05 s (mutated scenario 319, 25 x 3 x 8: the
        # answer of an empty optimum came at the limit, 5 of 5 s, and at 60 s would have
        # come after a minute).
        figures_s=budget,
    )
    if limits.on_plan is not None:
        # The plan goes out first, with its warnings (they are quick); the explanation follows.
        ctx.deadline = deadline.seconds(warnings_s).at
        with log.stage("warnings", deadline.seconds(warnings_s)):
            recommendation.warnings += plan_warnings(ctx)
        log.note_timed_out(ctx.stopped_by_clock)
        ctx.deadline = explaining.at
        _send_plan(recommendation, limits.on_plan, deadline, solved, log)
        if limits.explain and not deadline.expired():
            with log.stage("explanation", explaining):
                recommendation.explanation = explain(ctx)
            log.note_timed_out(ctx.stopped_by_clock)
        return
    if limits.explain:
        with log.stage("explanation", explaining):
            recommendation.explanation = explain(ctx)
        log.note_timed_out(ctx.stopped_by_clock)
    ctx.deadline = deadline.at
    if deadline.expired():
        return
    with log.stage("warnings", deadline):
        recommendation.warnings += plan_warnings(ctx)
    log.note_timed_out(ctx.stopped_by_clock)
