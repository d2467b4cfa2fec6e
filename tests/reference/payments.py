"""Costs and who pays them (DESIGN §3 points 1 and 2), per run year."""

from __future__ import annotations

from typing import Any

from tests.reference.document import duration, horizon


def _per_run_year(value: Any, k: int) -> float:
    if value is None:
        return 0.0
    if isinstance(value, list):
        return float(value[k])
    return float(value)


def run_costs(doc: dict, iv: dict, nb: dict, s: int) -> list[float]:
    """Point 1: cost in run-year k = fixed[k] + per_home[k] x homes(n)."""
    cost = iv.get("cost") or {}
    d = duration(iv, horizon(doc), s)
    homes = float(nb["homes"])
    return [
        _per_run_year(cost.get("fixed", 0), k) + _per_run_year(cost.get("per_home", 0), k) * homes
        for k in range(d)
    ]


def run_payments(
    doc: dict, iv: dict, nb: dict, s: int
) -> tuple[list[float], dict[str, list[float]]]:
    """Point 2: (corporation part per run year, partner payments per run year).

    Per run year, contributions are taken in the listed order, each share x that year's cost or
    the amount per year, never beyond what is left of that year's cost.
    """
    costs = run_costs(doc, iv, nb, s)
    partner_pay: dict[str, list[float]] = {}
    corp: list[float] = []
    for k, cost in enumerate(costs):
        remaining = cost
        for pc in iv.get("partner_contributions") or []:
            if pc.get("share") is not None:
                wanted = float(pc["share"]) * cost
            elif pc.get("amount_per_year") is not None:
                wanted = _per_run_year(pc["amount_per_year"], k)
            else:
                wanted = 0.0
            paid = min(wanted, remaining)
            remaining -= paid
            pays = partner_pay.setdefault(pc["partner"], [0.0] * len(costs))
            pays[k] += paid
        corp.append(remaining)
    return corp, partner_pay
