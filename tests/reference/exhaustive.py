"""Brute force: the best plan by enumerating every subset of the candidates."""

from __future__ import annotations

from tests.reference.document import Run, candidates
from tests.reference.rules import plan_violations
from tests.reference.value import plan_value

MAX_CANDIDATES = 12


def brute_force(doc: dict, limit: int = MAX_CANDIDATES) -> tuple[float | None, list[Run]]:
    """Best value over every subset of the candidates that breaks no rule.

    Returns (None, []) when no subset is feasible. Ties keep the first subset found in
    enumeration order (subsets as bit masks 0 ... 2^n - 1).
    """
    cands = candidates(doc)
    if len(cands) > limit:
        raise ValueError(f"{len(cands)} candidates: too many to enumerate")
    best_value: float | None = None
    best_plan: list[Run] = []
    for mask in range(1 << len(cands)):
        plan = [c for k, c in enumerate(cands) if mask >> k & 1]
        if plan_violations(doc, plan):
            continue
        value = plan_value(doc, plan)
        if best_value is None or value > best_value + 1e-9 * max(1.0, abs(value)):
            best_value, best_plan = value, plan
    return best_value, best_plan
