"""A literal, slow-but-obvious reading of DESIGN §3 ("Meaning", points 1-12).

Everything here works on the plain JSON dict of a scenario. A *plan* is a list of runs, each a
tuple ``(intervention_key, neighbourhood_code, start_offset)`` with ``start_offset`` counted from
``start_year`` (t = 0 ... H-1).

Readings of points the document leaves open (kept deliberately visible):
- ``duration_years`` left out of an intervention reads as 1 (the generator always writes it).
- ``regulated_homes`` left out reads as 0.
- A partner contribution with neither ``share`` nor ``amount_per_year`` pays nothing.
- A neighbourhood without a score for a domain has gap 0 there; without ``cap_at_target`` the
  effects there still count, at weight 1 (improvement beyond a gap of 0).
- ``exclusive_group`` counts every run of every member, so two runs of one member in one
  neighbourhood also break it.
- An ``area_budget`` entry naming neither municipality nor district covers every neighbourhood.

The reading is split by subject; every name is importable from here:
- `tests.reference.document`: reading the document, candidates and the years a run covers;
- `tests.reference.payments`: costs and who pays them;
- `tests.reference.value`: the value of a plan;
- `tests.reference.rules`: the rules a plan breaks;
- `tests.reference.exhaustive`: brute force over every subset of the candidates.
"""

from __future__ import annotations

from tests.reference.document import (
    DEFAULT_DOMAIN_KEYS,
    Run,
    candidates,
    domain_weights,
    duration,
    effect_years,
    fits,
    gap,
    horizon,
    interventions,
    is_eligible,
    neighbourhoods,
    objective,
    projection,
    rules,
    run_years,
)
from tests.reference.exhaustive import MAX_CANDIDATES, brute_force
from tests.reference.payments import run_costs, run_payments
from tests.reference.rules import REL_TOL, plan_violations
from tests.reference.value import cell_value, plan_value

__all__ = [
    "DEFAULT_DOMAIN_KEYS",
    "MAX_CANDIDATES",
    "REL_TOL",
    "Run",
    "brute_force",
    "candidates",
    "cell_value",
    "domain_weights",
    "duration",
    "effect_years",
    "fits",
    "gap",
    "horizon",
    "interventions",
    "is_eligible",
    "neighbourhoods",
    "objective",
    "plan_value",
    "plan_violations",
    "projection",
    "rules",
    "run_costs",
    "run_payments",
    "run_years",
]
