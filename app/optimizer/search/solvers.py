"""Running a built model on HiGHS or CBC, both through PuLP, and reading what really happened.

HiGHS runs in stages (see `lp_guided`): the LP relaxation for a bound, a plan from the
candidates it points at, a proof when plan and bound already meet the gap, and otherwise the
full MIP from that plan: the whole model less the candidates that no plan the gap still asks
for can move (`proof_fixings`). The whole run keeps to one wall-clock deadline. CBC gets the
model as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from importlib import metadata

import numpy as np

from app.optimizer.backends.cbc import solve_cbc
from app.optimizer.backends.highs import ArrayHighs
from app.optimizer.backends.mip_outcome import combine, without_mip
from app.optimizer.backends.outcome import (
    SolveOptions,
    SolveOutcome,
    Status,
    relative_gap,
    stopped_message,
    worth_nothing,
)
from app.optimizer.deadline import Deadline
from app.optimizer.model.arrays import model_arrays
from app.optimizer.model.blocks import Cut
from app.optimizer.model.build import Model
from app.optimizer.search.decomposition import LagrangianBound
from app.optimizer.search.decomposition import fixings as lagrangian_fixings
from app.optimizer.search.greedy_setup import runs_no_plan_takes
from app.optimizer.search.lp_guided import Relaxation, fixings, relax
from app.optimizer.search.master_plan import master_plan, plan_key
from app.optimizer.search.plan_search import lagrangian, search_plan
from app.optimizer.stages import Incumbent, StageLog
from app.optimizer.tuning import Tuning

__all__ = ["SolveOptions", "SolveOutcome", "Status", "solve_model", "solver_version"]

# A plan within a time budget (seconds), guided by the LP relaxation's columns when given.
StartFinder = Callable[[float, "np.ndarray | None"], "np.ndarray | None"]

# Every tuned number of the stages (shares of the limit, size thresholds) is in
# `app.optimizer.tuning`, with its evidence, and comes in as `options.tuning`.


def solver_version(name: str) -> str:
    if name == "highs":
        return f"HiGHS {metadata.version('highspy')}"
    return "CBC (bundled with PuLP)"


def solve_model(
    model: Model,
    options: SolveOptions,
    warm_start: np.ndarray | None = None,
    find_start: StartFinder | None = None,
    neighbourhood_of: np.ndarray | None = None,
    deadline: Deadline | None = None,
    log: StageLog | None = None,
    without_plan: Deadline | None = None,
) -> SolveOutcome:
    """Solve by `deadline` (by default `options.time_limit_s` from now). `warm_start` is a
    plan to start from; `find_start` finds one (a greedy) when no better source is at hand;
    `neighbourhood_of` (per candidate) lets HiGHS's bound see each neighbourhood whole; `log`
    records each stage. `without_plan` (later than `deadline`) is how long the full MIP may
    go on while no plan worth anything is at hand: nothing that `deadline` keeps time for
    (an explanation, warnings) follows a plan that is not there."""
    if _empty_row_unmet(model):
        # A rule no decision can meet (a lock on a pair that has no candidate at all).
        return SolveOutcome("infeasible", None, None, None, None, "no plan satisfies every rule")
    if deadline is None:
        deadline = Deadline.start(options.time_limit_s, options.cancel)
    log = StageLog() if log is None else log
    incumbent = Incumbent(model_arrays(model).costs)
    incumbent.offer_plan(warm_start)
    if options.solver == "cbc":
        return _solve_cbc(model, options, deadline, incumbent, find_start, log)
    answer = _solve_highs(
        model, options, deadline, incumbent, find_start, neighbourhood_of, log, without_plan
    )
    return _polished(answer, options, deadline, incumbent, log)


def _empty_row_unmet(model: Model) -> bool:
    arrays = model_arrays(model)
    empty = np.diff(arrays.starts) == 0
    return bool(np.any(empty & ((arrays.row_lower > 1e-9) | (arrays.row_upper < -1e-9))))


def _solve_cbc(
    model: Model,
    options: SolveOptions,
    deadline: Deadline,
    incumbent: Incumbent,
    find_start: StartFinder | None,
    log: StageLog,
) -> SolveOutcome:
    """CBC on the model as it is, with no greedy start: measured on the benchmark's scenarios a
    start slows CBC down (30 neighbourhoods: 29 s to 0.1 % without, 0.26 % after 60 s with).
    When CBC ends without a plan the greedy's plan is the answer, in the time set aside for it."""
    t = options.tuning
    share = t.fallback_share if model.n_cols >= t.large_model_columns else t.cbc_fallback_share
    reserve = min(t.fallback_max_s, share * deadline.limit_s) if find_start else 0.0
    part = deadline.before(reserve)
    with log.stage("cbc", part, incumbent):
        outcome = solve_cbc(
            model,
            dataclasses.replace(options, time_limit_s=max(0.05, part.remaining())),
            incumbent.plan,
            part.at,
        )
        incumbent.offer_plan(outcome.values)
        incumbent.offer_bound(outcome.bound)
    if outcome.values is not None or outcome.status == "infeasible" or find_start is None:
        return outcome
    if deadline.cancelled():
        return outcome
    with log.stage("greedy", deadline, incumbent):
        plan = find_start(max(0.05, deadline.remaining()), None)
        incumbent.offer_plan(plan)
    if plan is None:
        return outcome
    value = float(model_arrays(model).costs @ plan)
    why = outcome.message or "CBC found no plan"
    return SolveOutcome("feasible", plan, value, None, None, f"{why}; a greedy plan, gap unknown")


def _solve_highs(
    model: Model,
    options: SolveOptions,
    deadline: Deadline,
    incumbent: Incumbent,
    find_start: StartFinder | None,
    neighbourhood_of: np.ndarray | None,
    log: StageLog,
    without_plan: Deadline | None = None,
) -> SolveOutcome:
    """The stages in a fixed order, each within its share of `deadline`, each improving the one
    incumbent (plan, value, bound); then the full MIP from the incumbent when it is not proven
    yet. No two searches run side by side: the plan never depends on which finished first."""
    t = options.tuning
    large = model.n_cols >= t.large_model_columns
    # A relaxation that runs long must leave the greedy time to find a plan without it.
    reserve = min(t.fallback_max_s, t.fallback_share * deadline.limit_s) if find_start else 0.0
    # Without presolve: the relaxation solves faster at every size measured (300
    # neighbourhoods: 0.6 s against 1.5 s; 1,000: 5 s against 8.5 s), and on a large model
    # presolve's copy of it costs more memory than it saves.
    part = deadline.before(reserve)
    with log.stage("relaxation", part, incumbent):
        # Its bound is also taken without the runs that no plan takes (dearer than a
        # neighbourhood's share of the budget): where the rules leave only the empty plan, the
        # plain LP funds parts of them and only that bound is 0 (the empty optima of mutated
        # scenarios 1-120, which the Lagrangian bound took 0.4-0.9 s to prove).
        out = runs_no_plan_takes(model)
        relaxation = relax(model, part.at, options.cancel, presolve=False, out=out)
        incumbent.offer_bound(relaxation.bound)
        incumbent.offer_bound(relaxation.bound_without_out)
    log.lp_seconds = relaxation.seconds
    relax_seconds = relaxation.seconds or 0.0
    if relaxation.status == "infeasible":
        return SolveOutcome("infeasible", None, None, None, None, "no plan satisfies every rule")
    dual = None

    def room() -> Deadline:
        """Until a plan is found, the stages leave the greedy its reserve."""
        return deadline if incumbent.plan is not None else deadline.before(reserve)

    if relaxation.status == "optimal" and not deadline.expired():
        if find_start is not None:
            # No share of its own: the greedy ends by itself, in a time linear in the model
            # (300 neighbourhoods 0.7-1.6 s, 3,000 about 6 s), and one cut short has no plan
            # (a 5 s limit at 300 left it 0.84 s: no plan until a second greedy after the
            # bound, 21 % below the plan that a whole greedy leads to).
            part = room()
            with log.stage("greedy", part, incumbent):
                incumbent.offer_plan(find_start(max(0.05, part.remaining()), relaxation.values))
                if incumbent.plan is None and _empty_plan_proven(model, incumbent.bound):
                    # The greedy can end without a plan where only the empty plan keeps the
                    # rules (a minimum share it cannot repair: mutated scenarios 9 and 94,
                    # whose bound is 0 after the relaxation); that plan is then the answer.
                    incumbent.offer_plan(np.zeros(model.n_cols))
        proven = _proven(incumbent, options.mip_gap)
        bounding = t.use_lagrangian_bound and model.n_cols < t.mip_max_columns and not proven
        if bounding and neighbourhood_of is not None:
            part = deadline.share(t.dual_share, of_left=t.dual_left).until(room().at)
            with log.stage("lagrangian bound", part, incumbent):
                dual = lagrangian(
                    model, relaxation, neighbourhood_of, options, part, incumbent.plan
                )
                if dual is not None:
                    incumbent.offer_bound(dual.bound)
                log.neighbourhood_plans = dual
        # Over the bound's neighbourhood plans the MIP is small at every size (3,000
        # neighbourhoods: 7,400 of 221,000 candidates) and finds a better plan than HiGHS's
        # search from the greedy's (30 neighbourhoods, seed 2: proven in 42 s, against 1 %
        # left at 60 s without it); over what the relaxation points at it pays only from
        # `guided_min_candidates`, and not at all for a large model.
        worth_guiding = dual is not None or (
            t.guided_min_candidates <= model.n_candidates and not large
        )
        if worth_guiding and not proven and not room().expired():
            def full_mip_needs() -> float:
                fixed = proof_fixings(
                    model, relaxation, dual, incumbent.plan, incumbent.value, options.mip_gap
                )
                return _full_mip_seconds(model, fixed, large, relax_seconds, t)

            search_plan(
                model,
                relaxation,
                dual,
                options,
                room(),
                incumbent,
                large,
                log,
                relax_seconds,
                full_mip_needs,
            )
    if incumbent.plan is None and find_start is not None and not deadline.expired():
        # Without a plan, nothing that `deadline` keeps time for follows: the greedy may use
        # that time too (`mutated` seed 421, 400 x 70 x 8: the relaxation ran out its share,
        # and the greedy, cut at 1.6 s of the 3.3 s it needs, left "no plan" at 8.1 s of 10).
        part = deadline if without_plan is None else without_plan
        with log.stage("greedy", part, incumbent):
            incumbent.offer_plan(find_start(max(0.05, part.remaining()), None))
    start, start_value, bound = incumbent.plan, incumbent.value, incumbent.bound
    if start_value is not None and bound is not None:
        bound = max(bound, start_value)
        if relative_gap(start_value, bound) <= options.mip_gap:
            return SolveOutcome(
                "optimal",
                start,
                start_value,
                bound,
                relative_gap(start_value, bound),
                "proven within the gap by the relaxation's bound"
                + ("" if dual is None else ", tightened per neighbourhood"),
            )
    if worth_nothing(start_value, bound) and without_plan is not None:
        # Leaving now answers "no plan" (`mutated` seed 244, 400 x 40 x 5 at a fiftieth of the
        # budget: at 3.5 s of a 5 s limit, with the explanation's second held back, where
        # HiGHS's presolve proves the empty optimum in 0.8 s).
        deadline = without_plan
    if deadline.expired():
        return without_mip(start, start_value, bound, options)
    if model.n_cols >= t.mip_max_columns:
        why = "a model this large is answered without the full MIP"
        return without_mip(start, start_value, bound, options, why)
    if large and relaxation.status != "optimal":
        # A large MIP starts with the relaxation that just ran out of time: it cannot get
        # anywhere in what is left.
        return without_mip(
            start, start_value, bound, options, "the LP relaxation did not finish in time"
        )
    # The full MIP is the whole model from the best plan so far, less the candidates that the
    # relaxation's and the Lagrangian bound's reduced costs rule out of every plan the gap
    # still asks for (`proof_fixings`); its bound joins the Lagrangian one. At 300 neighbourhoods
    # this is what lets it move the bound at all: HiGHS's own root bound there is the LP's,
    # 0.5 % above the Lagrangian one, its reduced costs retire few columns, and its presolve of
    # the whole model takes 6-9 s; with 70-90 % of the candidates fixed presolve takes about
    # 1 s, and two of the corpus's five cases that no run had proven in 30 s are proven in 20
    # and 26 s (measured in `docs/performance.md`). The fixings once came with the bound's cuts
    # and HiGHS's heuristics off near the bound, and that MIP proved later than the whole
    # model on the small cases; the fixings alone are within noise there (Utrecht and 30
    # neighbourhoods, three seeds each).
    fixed = proof_fixings(model, relaxation, dual, start, start_value, options.mip_gap)
    # Before its first node the MIP cannot be stopped for long stretches: a large one (no
    # presolve) sets up its own search and solves the same relaxation again (3,000
    # neighbourhoods: 13 s, then 37 s); any other runs HiGHS's presolve, which heeds the
    # clock only between its passes. With less time left than that it would stop without
    # touching the plan, after the deadline. Measured in relaxations, so that a slower or busier
    # machine needs more seconds in proportion, and for presolve in proportion to the
    # candidates the fixings leave free (`mip_relaxations`).
    if deadline.remaining() < _full_mip_seconds(model, fixed, large, relax_seconds, t):
        if not worth_nothing(start_value, bound) or (
            deadline.remaining() < t.mip_min_relaxations * relax_seconds
        ):
            return without_mip(
                start, start_value, bound, options, "too little time left for the full MIP"
            )
        # No plan worth anything yet (rules that the greedy and the plan searches cannot meet
        # together, such as a neighbourhood share that asks for dozens of neighbourhoods at
        # once): leaving now answers "no plan" with most of the time unused, so the MIP takes
        # what is left, at the risk of a presolve pass past the deadline. (Without presolve
        # HiGHS heeds the clock less, not more: 120 neighbourhoods x 20 x 8 years, a 1 s limit,
        # answered after 5.2 s; with presolve after 1.0 s.)
    model.problem  # noqa: B018 (PuLP's objects are made on first use: before the MIP's clock starts)
    if deadline.expired():  # making them took what was left (a busy machine)
        return without_mip(start, start_value, bound, options)
    with log.stage("full MIP", deadline, incumbent):
        mip_options = dataclasses.replace(options, time_limit_s=max(0.05, deadline.remaining()))
        outcome = _run_mip(
            model,
            mip_options,
            start,
            fixed.zero,
            fixed.one,
            [],
            presolve=not large,
        )
        answer = combine(outcome, bound, start, start_value, fixed.count, options, fixed.above)
        incumbent.offer_plan(answer.values)
        incumbent.offer_bound(answer.bound)
    return answer


def _empty_plan_proven(model: Model, bound: float | None) -> bool:
    """Whether the bound is 0 and the empty plan (every column at 0) keeps every row."""
    if bound is None or bound > 1e-9:
        return False
    arrays = model_arrays(model)
    tolerance = 1e-9
    return bool(
        np.all(arrays.row_lower <= tolerance)
        and np.all(arrays.row_upper >= -tolerance)
        and np.all(arrays.col_lower <= 0)
        and np.all(arrays.col_upper >= 0)
    )


def _proven(incumbent: Incumbent, mip_gap: float) -> bool:
    """Whether the plan so far is within the gap of the bound so far."""
    value, bound = incumbent.value, incumbent.bound
    if incumbent.plan is None or value is None or bound is None:
        return False
    return relative_gap(value, max(bound, value)) <= mip_gap


def _polished(
    answer: SolveOutcome,
    options: SolveOptions,
    deadline: Deadline,
    incumbent: Incumbent,
    log: StageLog,
) -> SolveOutcome:
    """The answer's plan put together again from its own neighbourhood parts and the
    Lagrangian bound's neighbourhood plans (`master_plan`, to optimality over them): a plan
    proven within the gap can still leave a better one within it (Utrecht: 57,999.60 from the
    full MIP, and a better one from this in 0.1 s), and the explanation's re-solves start from
    the plan, so they would credit a step with what was within reach already."""
    dual = log.neighbourhood_plans
    if dual is None or answer.values is None or answer.objective is None or deadline.expired():
        return answer
    part = deadline.share(options.tuning.master_share)
    with log.stage("polish", part, incumbent):
        blocks = dual.blocks
        own = [
            (b, np.array(answer.values[cols], dtype=float)) for b, cols in enumerate(blocks.columns)
        ]
        known = {plan_key(b, plan) for b, plan in dual.plans}
        plans = dual.plans + [(b, plan) for b, plan in own if plan_key(b, plan) not in known]
        plan = master_plan(
            blocks,
            plans,
            answer.values,
            part.at,
            0.0,
            options.cancel,
            max_nodes=options.tuning.polish_nodes,
        )
        if plan is None or not incumbent.offer_plan(plan):
            return answer
    value = float(incumbent.value or 0.0)
    if answer.bound is None:
        return dataclasses.replace(answer, values=plan, objective=value)
    bound = max(answer.bound, value)
    gap = relative_gap(value, bound)
    proven = answer.status == "optimal" or gap <= options.mip_gap
    return dataclasses.replace(
        answer,
        status="optimal" if proven else answer.status,
        values=plan,
        objective=value,
        bound=bound,
        gap=gap,
        message="" if proven else stopped_message(answer.message.split(";")[0], gap),
    )


@dataclasses.dataclass(frozen=True)
class Fixings:
    """Candidates fixed at 0 and at 1 in every plan worth more than `above`."""

    zero: np.ndarray
    one: np.ndarray
    above: float | None

    @property
    def count(self) -> int:
        return len(self.zero) + len(self.one)


def proof_fixings(
    model: Model,
    relaxation: Relaxation,
    dual: LagrangianBound | None,
    start: np.ndarray | None,
    start_value: float | None,
    mip_gap: float,
) -> Fixings:
    """The candidates that no plan the gap still asks for can move: by the relaxation's reduced
    costs, and by the Lagrangian bound's (far more: its bound is tighter).

    A plan worth no more than the start's value plus the gap's share of it proves the start
    within the gap, so the fixings need only hold for plans above that (`above`): at 300
    neighbourhoods (`random` seed 2) this fixes 90 % of the candidates where fixing for any
    plan better than the start fixed 70 %. Candidates the start itself takes otherwise stay
    free, so that it remains a plan of the MIP and its cutoff."""
    none = np.zeros(0, np.int64)
    if start is None or start_value is None or relaxation.status != "optimal":
        return Fixings(none, none, None)
    # A hair under the gap, so that a bound at `above` proves the start despite rounding.
    above = start_value + mip_gap * start_value * (1.0 - 1e-6) if start_value > 0 else start_value
    fix_zero, fix_one = fixings(relaxation, model.n_candidates, above)
    if dual is not None:
        more_zero, more_one = lagrangian_fixings(dual, model.n_candidates, above)
        fix_zero, fix_one = np.union1d(fix_zero, more_zero), np.union1d(fix_one, more_one)
    taken = start[: model.n_candidates] > 0.5
    return Fixings(fix_zero[~taken[fix_zero]], fix_one[taken[fix_one]], above)


def _full_mip_seconds(
    model: Model, fixed: Fixings, large: bool, relax_seconds: float, t: Tuning
) -> float:
    """The time the full MIP needs left to start at all (see `_solve_highs`)."""
    if large:
        return t.large_mip_relaxations * relax_seconds
    free = 1.0 - fixed.count / max(1, model.n_candidates)
    return max(t.mip_min_relaxations, t.mip_relaxations * free) * relax_seconds


def _run_mip(
    model: Model,
    options: SolveOptions,
    start: np.ndarray | None,
    fix_zero: np.ndarray,
    fix_one: np.ndarray,
    cuts: list[Cut],
    presolve: bool = True,
    heuristics: bool = True,
    on_bound: Callable[[float], None] | None = None,
    on_plan: Callable[[np.ndarray], None] | None = None,
) -> SolveOutcome:
    solver = ArrayHighs(
        model,
        options,
        start,
        fix_zero=fix_zero,
        fix_one=fix_one,
        cuts=cuts,
        presolve=presolve,
        heuristics=heuristics,
        on_bound=on_bound,
        on_plan=on_plan,
    )
    model.problem.solve(solver)
    assert solver.outcome is not None
    if solver.outcome.status != "stale":
        return solver.outcome
    if start is not None:
        # HiGHS can report the optimum's objective yet hand back the starting plan's columns
        # (seen when presolve settles the model outright); without a start it is exact.
        return _run_mip(
            model,
            options,
            None,
            fix_zero,
            fix_one,
            cuts,
            presolve,
            heuristics,
            on_bound,
            on_plan,
        )
    return SolveOutcome(
        "error", None, None, None, None, "HiGHS returned a plan that does not match its objective"
    )
