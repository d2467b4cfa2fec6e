"""Between the relaxation and the full MIP: the Lagrangian bound, and a plan worth proving.

Three searches, in turn, each stopping at a plan the Lagrangian bound already proves:

1. the MIP that takes one of the bound's neighbourhood plans per neighbourhood
   (`master_plan`), which settles in a fraction of a second and is often the answer;
2. the MIP over the candidates of the bound's neighbourhood plans (or, without the bound,
   over what the relaxation points at; see `lp_guided`), which moves budget and staff between
   all neighbourhoods at once and usually lands within a tenth of a percent of the bound;
3. the exchange search (`exchange`), a few neighbourhoods at a time, for the last hundredths
   of a percent that the first finds only slowly (300 neighbourhoods, seed 7: 391,096 after
   6 s of the first, 391,359 after two exchanges of 0.3 s).

When none gets there, the exchange search goes on beside the full MIP on the other core
(`prove_beside_exchange`), until one of them settles it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np

from app.optimizer.backends.highs_options import workers
from app.optimizer.backends.outcome import SolveOptions, SolveOutcome, relative_gap
from app.optimizer.model.arrays import model_arrays
from app.optimizer.model.build import Model
from app.optimizer.search.decomposition import LagrangianBound, lagrangian_bound
from app.optimizer.search.exchange import exchange
from app.optimizer.search.lp_guided import Relaxation, guided_plan
from app.optimizer.search.master_plan import master_plan
from app.optimizer.search.race import Race, side_by_side

# Share of the time limit the Lagrangian bound may use (see `decomposition`).
DUAL_SHARE = 0.15
# ... or this share of the time left, when more: a large model's relaxation has used most of it
# (3,000 neighbourhoods: 25 s of 60), and the bound's plans are what the rest is best spent on.
DUAL_LEFT = 0.6
# Share of the time limit the MIP over whole neighbourhood plans (`master_plan`) may use. It
# settles in 0.2-0.5 s at 300 neighbourhoods, or finds the plan the bound proves in 1.2-1.7 s
# (seeds 1 and 5): at 2 % or 3 % of the limit a busy machine cut it off just before that
# (seed 1: 11.1 s instead of 4.0-4.6), and what it leaves undone costs the MIP after it more.
MASTER_SHARE = 0.05
# Share of the time limit the guided MIP may use. Its best plan is often found at the end of
# its root node, 3.3-3.7 s in at 300 neighbourhoods (seeds 2, 6 and 8), just past the 5 % it
# had; with 7.5 % seeds 6 and 10 were proven in 8.6 and 12.3 s instead of 60 and 21.9 s.
GUIDED_SHARE = 0.075
# The guided MIP stops at a plan within this share of the requested gap below one the bound
# proves: the exchange search closes such a last step in a fraction of a second, where the MIP
# can hold it for seconds (300 neighbourhoods, seed 10: 647,240.87 against the 647,241.07
# needed after 1.4 s, nothing better in the 3 s after; proven in 6.7 s instead of 9.7).
NEAR_SHARE = 0.1
# The guided MIP's own gap, as a share of the solve's: a plan closer to its optimum leaves the
# bound less to prove.
GUIDED_GAP_SHARE = 0.25
# Share of the time limit the exchange search may use after it, before the full MIP starts:
# it goes on beside that MIP (`prove_beside_exchange`), and where the bound has to come down
# the MIP starts sooner (300 neighbourhoods, seeds 2 and 5: 16.9 and 27.1 s against 19.3 and
# 41.3 s with 10 %; the others within noise).
EXCHANGE_SHARE = 0.03
# ... and only when the plan is within this many times the requested gap of the bound: further
# off, what is missing is in the bound, not in the plan (30 neighbourhoods: the bound sits
# 0.9–2.5 % above the optimum, and the exchanges found nothing in 6 s).
EXCHANGE_WITHIN = 2.0


def lagrangian(
    model: Model,
    relaxation: Relaxation,
    neighbourhood_of: np.ndarray,
    options: SolveOptions,
    deadline: float,
    start: np.ndarray | None,
) -> LagrangianBound | None:
    """The Lagrangian bound (see `decomposition`) in its share of the time, stopping once it
    proves `start`."""
    assert relaxation.values is not None
    assert relaxation.reduced_costs is not None
    assert relaxation.row_duals is not None
    arrays = model_arrays(model)
    good_enough = None
    if start is not None:
        value = float(arrays.costs @ start)
        good_enough = value + options.mip_gap * abs(value)
    left = deadline - time.monotonic()
    until = min(
        deadline, time.monotonic() + max(DUAL_SHARE * options.time_limit_s, DUAL_LEFT * left)
    )
    return lagrangian_bound(
        arrays,
        neighbourhood_of,
        (relaxation.values, relaxation.reduced_costs, relaxation.row_duals),
        [] if start is None else [start],
        until,
        good_enough,
        options.cancel,
        options.mip_gap,
        workers(options.threads),
    )


def search_plan(
    model: Model,
    relaxation: Relaxation,
    dual: LagrangianBound | None,
    options: SolveOptions,
    deadline: float,
    start: np.ndarray | None,
    large: bool,
) -> np.ndarray | None:
    """The best plan the searches find from `start` (None when none finds one)."""
    costs = model.arrays.costs
    proven_from = None if dual is None else proven_from_bound(dual.bound, options.mip_gap)

    def proven(plan: np.ndarray | None) -> bool:
        return plan is not None and proven_from is not None and float(costs @ plan) >= proven_from

    if proven(start):
        return start  # the bound stopped because it proves the start: nothing to search for
    found = start
    if dual is not None:
        until = min(deadline, time.monotonic() + MASTER_SHARE * options.time_limit_s)
        combined = master_plan(
            dual.blocks,
            dual.plans,
            start,
            until,
            GUIDED_GAP_SHARE * options.mip_gap,
            options.cancel,
            proven_from,
            options.mip_gap,
        )
        found = better(costs, found, combined)
        if proven(found):
            return found
    budget = deadline - time.monotonic()
    if not large:
        budget = min(GUIDED_SHARE * options.time_limit_s, budget)
    guided = guided_plan(
        model,
        relaxation,
        GUIDED_GAP_SHARE * options.mip_gap,
        budget,
        options.cancel,
        found,
        # The neighbourhood plans the bound's master weighed: far fewer candidates than the
        # relaxation points at, and better ones (at 300 neighbourhoods, 740 against 1,300,
        # and a plan 0.02 % better in the same time).
        None if dual is None else dual.support,
        None if proven_from is None else proven_from * (1.0 - NEAR_SHARE * options.mip_gap),
        # When no plan among them is one the bound proves, the full MIP has to lower the
        # bound: a plan within the requested gap of the best there will do.
        options.mip_gap,
    )
    found = better(costs, found, guided)
    if dual is None or found is None or large or proven_from is None or proven(found):
        return found
    if relative_gap(float(costs @ found), dual.bound) > EXCHANGE_WITHIN * options.mip_gap:
        return found
    until = min(deadline, time.monotonic() + EXCHANGE_SHARE * options.time_limit_s)
    return exchange(dual, found, until, proven_from, options.cancel)


def better(costs: np.ndarray, a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """The plan worth more (`a` on a tie; either when the other is None)."""
    if a is None or b is None:
        return a if b is None else b
    return a if float(costs @ a) >= float(costs @ b) else b


def prove_beside_exchange(
    race: Race,
    dual: LagrangianBound,
    plan: np.ndarray,
    deadline: float,
    prove: Callable[[threading.Event, Callable[[float], None]], SolveOutcome],
    fixed: bool,
) -> SolveOutcome:
    """The full MIP (`prove`: given its stop and where to report its bound) while the exchange
    search goes on from `plan` on the other core; both stop once plan and bound meet the gap.
    When the searches stopped just short of a plan the bound proves, the MIP alone found no
    better plan in 50 s, with or without HiGHS's heuristics (300 neighbourhoods, seed 7:
    391,096 against the 391,307 needed), while more exchanges find it; where the bound has to
    come down, the MIP does that as before."""
    start_value = race.value

    def raised(bound: float) -> None:
        # With candidates fixed, the MIP's bound holds only for plans better than the start.
        race.offer_bound(max(bound, start_value) if fixed else bound)

    def search(stop: threading.Event) -> None:
        race.offer_plan(exchange(dual, plan, deadline, None, stop, on_plan=race.offer_plan, seed=1))

    def proof(stop: threading.Event) -> SolveOutcome:
        outcome = prove(stop, raised)
        # The callback that reports the bound as it goes misses the last one.
        if outcome.bound is not None:
            raised(outcome.bound)
        elif outcome.status == "infeasible" and fixed:
            race.offer_bound(start_value)  # no plan better than the start
        race.offer_plan(outcome.values)
        return outcome

    return side_by_side(race, proof, search)


def proven_from_bound(bound: float, mip_gap: float) -> float | None:
    """The least plan value that `bound` proves within `mip_gap` (None for a bound ≤ 0)."""
    if bound <= 0:
        return None
    return bound / (1.0 + mip_gap) + 1e-9 * bound
