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

When none gets there, the full MIP starts from the best of their plans. The searches run one
after the other, never side by side, so that the plan does not depend on which finished first.
"""

from __future__ import annotations

import numpy as np

from app.optimizer.backends.highs_options import workers
from app.optimizer.backends.outcome import SolveOptions, relative_gap
from app.optimizer.deadline import Deadline
from app.optimizer.model.arrays import model_arrays
from app.optimizer.model.build import Model
from app.optimizer.search.decomposition import LagrangianBound, lagrangian_bound
from app.optimizer.search.exchange import exchange
from app.optimizer.search.lp_guided import Relaxation, guided_plan
from app.optimizer.search.master_plan import master_plan
from app.optimizer.stages import Incumbent, StageLog

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
# Share of the time limit the exchange search may use after it, before the full MIP starts
# (it once went on beside that MIP as well; dropped, since which of the two finished first chose
# the plan): where the bound has to come down the MIP starts sooner (300 neighbourhoods, seeds
# 2 and 5: 16.9 and 27.1 s against 19.3 and 41.3 s with 10 %; the others within noise).
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
    part: Deadline,
    start: np.ndarray | None,
) -> LagrangianBound | None:
    """The Lagrangian bound (see `decomposition`) by `part`, stopping once it proves `start`."""
    assert relaxation.values is not None
    assert relaxation.reduced_costs is not None
    assert relaxation.row_duals is not None
    arrays = model_arrays(model)
    good_enough = None
    if start is not None:
        value = float(arrays.costs @ start)
        good_enough = value + options.mip_gap * abs(value)
    return lagrangian_bound(
        arrays,
        neighbourhood_of,
        (relaxation.values, relaxation.reduced_costs, relaxation.row_duals),
        [] if start is None else [start],
        part.at,
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
    deadline: Deadline,
    incumbent: Incumbent,
    large: bool,
    log: StageLog,
) -> bool:
    """The searches in turn, each from the incumbent and each offering it its plan; whether
    the incumbent is then a plan the searches found or proved (not only the one they got)."""
    costs = model.arrays.costs
    proven_from = None if dual is None else proven_from_bound(dual.bound, options.mip_gap)
    given = incumbent.plan

    def proven() -> bool:
        return (
            incumbent.value is not None
            and proven_from is not None
            and incumbent.value >= proven_from
        )

    if proven():
        return True  # the bound stopped because it proves the start: nothing to search for
    if dual is not None:
        part = deadline.share(MASTER_SHARE)
        with log.stage("master plan", part, incumbent):
            incumbent.offer_plan(
                master_plan(
                    dual.blocks,
                    dual.plans,
                    incumbent.plan,
                    part.at,
                    GUIDED_GAP_SHARE * options.mip_gap,
                    options.cancel,
                    proven_from,
                    options.mip_gap,
                )
            )
        if proven():
            return True
    part = deadline if large else deadline.share(GUIDED_SHARE)
    with log.stage("guided MIP", part, incumbent):
        incumbent.offer_plan(
            guided_plan(
                model,
                relaxation,
                GUIDED_GAP_SHARE * options.mip_gap,
                part.remaining(),
                options.cancel,
                incumbent.plan,
                # The neighbourhood plans the bound's master weighed: far fewer candidates than
                # the relaxation points at, and better ones (at 300 neighbourhoods, 740 against
                # 1,300, and a plan 0.02 % better in the same time).
                None if dual is None else dual.support,
                None if proven_from is None else proven_from * (1.0 - NEAR_SHARE * options.mip_gap),
                # When no plan among them is one the bound proves, the full MIP has to lower the
                # bound: a plan within the requested gap of the best there will do.
                options.mip_gap,
            )
        )
    found = incumbent.plan
    if dual is None or found is None or large or proven_from is None or proven():
        return found is not given
    if relative_gap(float(costs @ found), dual.bound) > EXCHANGE_WITHIN * options.mip_gap:
        return found is not given
    part = deadline.share(EXCHANGE_SHARE)
    with log.stage("exchanges", part, incumbent):
        incumbent.offer_plan(exchange(dual, found, part.at, proven_from, options.cancel))
    return incumbent.plan is not given


def proven_from_bound(bound: float, mip_gap: float) -> float | None:
    """The least plan value that `bound` proves within `mip_gap` (None for a bound ≤ 0)."""
    if bound <= 0:
        return None
    return bound / (1.0 + mip_gap) + 1e-9 * bound
