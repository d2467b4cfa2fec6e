"""Who pays what in each calendar year of one run (DESIGN §3 points 1 and 2), computed by the
same code that builds the model, for reports that need the years apart (the allocations carry
totals over the run)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.optimizer.problem.instance import _candidate_block
from app.schemas.scenario import Scenario


@dataclass(frozen=True)
class RunPayments:
    years: list[int]  # the run's calendar years
    cost: list[float]
    corporation: list[float]
    partners: dict[str, list[float]]  # every partner of the scenario, zero where it pays none


def run_payments(
    scenario: Scenario, intervention: str, neighbourhood: str, start_year: int
) -> RunPayments:
    """Per run year: the cost, the corporation's part and each partner's payment. Raises
    `KeyError` for an intervention or neighbourhood the scenario does not have, `ValueError`
    for a start year at which the run does not fit the horizon."""
    i = {item.key: k for k, item in enumerate(scenario.interventions)}[intervention]
    codes = [n.code for n in scenario.neighbourhoods]
    if neighbourhood not in codes:
        raise KeyError(neighbourhood)
    n = codes.index(neighbourhood)
    s = start_year - scenario.start_year
    only = np.zeros(len(codes), dtype=bool)
    only[n] = True
    homes = np.array([item.homes for item in scenario.neighbourhoods], dtype=float)
    partner_keys = [p.key for p in scenario.partners]
    block = _candidate_block(i, s, scenario.interventions[i], scenario, only, homes,
                             partner_keys, list(scenario.resources)) if 0 <= s else None
    if block is None:
        raise ValueError(f"{intervention} cannot start in {start_year} within the horizon")
    run = np.flatnonzero(block[3][0])
    return RunPayments(
        years=[scenario.start_year + int(t) for t in run],
        cost=[float(block[5][0, t]) for t in run],
        corporation=[float(block[6][0, t]) for t in run],
        partners={key: [float(block[7][0, p, t]) for t in run]
                  for p, key in enumerate(partner_keys)},
    )
