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

from collections.abc import Callable

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

# The shares of the time limit and the other tuned numbers of these stages are in
# `app.optimizer.tuning` (with their evidence) and come in as `options.tuning`.


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
        options.tuning,
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
    relax_seconds: float,
    full_mip_needs: Callable[[], float] | None = None,
) -> bool:
    """The searches in turn, each from the incumbent and each offering it its plan; whether
    the incumbent is then a plan the searches found or proved (not only the one they got).
    `relax_seconds` (what the relaxation took) measures the time left: a share of it only
    while the full MIP after them could do little with it (`left_share_relaxations`)."""
    t = options.tuning
    leftover = deadline.remaining() < t.left_share_relaxations * relax_seconds
    master_left = t.master_left if leftover else 0.0
    guided_left = t.guided_left if leftover else 0.0
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
        part = deadline.share(t.master_share, of_left=master_left)
        with log.stage("master plan", part, incumbent):
            incumbent.offer_plan(
                master_plan(
                    dual.blocks,
                    dual.plans,
                    incumbent.plan,
                    part.at,
                    t.guided_gap_share * options.mip_gap,
                    options.cancel,
                    proven_from,
                    options.mip_gap,
                )
            )
        if proven():
            return True
    part = deadline if large else deadline.share(t.guided_share, of_left=guided_left)
    if (
        not large
        and full_mip_needs is not None
        and deadline.remaining() - part.remaining() < full_mip_needs()
    ):
        # What the guided MIP would leave is too little for the full MIP to start: it takes
        # that too, rather than leave it unused (`corporation` 300 seed 2 at 5 s answered
        # 0.75 s early, 4.8 % from the bound).
        part = deadline
    with log.stage("guided MIP", part, incumbent):
        incumbent.offer_plan(
            guided_plan(
                model,
                relaxation,
                t.guided_gap_share * options.mip_gap,
                part.remaining(),
                options.cancel,
                incumbent.plan,
                # The neighbourhood plans the bound's master weighed: far fewer candidates than
                # the relaxation points at, and better ones (at 300 neighbourhoods, 740 against
                # 1,300, and a plan 0.02 % better in the same time).
                None if dual is None else dual.support,
                None
                if proven_from is None
                else proven_from * (1.0 - t.near_share * options.mip_gap),
                # When no plan among them is one the bound proves, the full MIP has to lower the
                # bound: a plan within the requested gap of the best there will do.
                options.mip_gap,
                options.random_seed,
            )
        )
    found = incumbent.plan
    if dual is None or found is None or large or proven_from is None or proven():
        return found is not given
    if relative_gap(float(costs @ found), dual.bound) > t.exchange_within * options.mip_gap:
        return found is not given
    part = deadline.share(t.exchange_share)
    with log.stage("exchanges", part, incumbent):
        incumbent.offer_plan(exchange(dual, found, part.at, proven_from, options.cancel))
    return incumbent.plan is not given


# A bound this close to 0 is 0: `relative_gap` calls a plan this close to its bound proven.
_ZERO = 1e-9


def proven_from_bound(bound: float, mip_gap: float) -> float | None:
    """The least plan value that `bound` proves within `mip_gap`; for a bound of 0 or less
    (or rounding above it: 5.6e-14), where no relative gap can be said, a plan worth the
    bound itself to within `relative_gap`'s 1e-9. An empty optimum is then proven once the
    bound reaches 0 (`mutated` seed 4: the guided MIP and the exchanges went on searching
    after it, 0.12 of its 0.3 s)."""
    if bound <= _ZERO:
        return bound - _ZERO
    return bound / (1.0 + mip_gap) + 1e-9 * bound
