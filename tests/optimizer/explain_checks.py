"""Independent checks of an explanation, on the plain JSON scenario.

Static reasons are checked with the reference reading of DESIGN §3 (`tests.reference.evaluate`);
every re-solve is a fresh `solve()` of a changed document (a new model, not the reused one).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from typing import Any

from app.optimizer import RunLimits, solve
from app.optimizer.explain import ExplainOptions
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import parse_scenario
from tests.reference.evaluate import (
    Run,
    candidates,
    interventions,
    is_eligible,
    neighbourhoods,
    plan_value,
    plan_violations,
)

REL_TOL = 1e-6
# The checks judge what an explanation says, not how soon: the product's floor for a small
# scenario (`Tuning.explain_min_s`, 0.5 s) ran out once under the suite's own load in CI (a
# next step "not re-solved: the explanation's time limit was reached"), so the explanation
# gets this long unless a test sets its own limit. Tests of the clock set theirs.
EXPLAIN_CHECK_S = 20.0


def close(a: float, b: float, scale: float = 1.0) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=REL_TOL * max(1.0, abs(scale)))


def solve_doc(doc: dict, **limits: Any) -> Recommendation:
    options = limits.get("explain_options", ExplainOptions())
    if options.time_limit_s is None:
        limits["explain_options"] = dataclasses.replace(options, time_limit_s=EXPLAIN_CHECK_S)
    return solve(parse_scenario(copy.deepcopy(doc)), RunLimits(**limits))


def plan_of(doc: dict, rec: Recommendation) -> list[Run]:
    return [(a.intervention, a.neighbourhood, a.start_year - doc["start_year"])
            for a in rec.allocations]


def with_lock(doc: dict, intervention: str, code: str, fund: bool = True) -> dict:
    changed = copy.deepcopy(doc)
    rules = changed.setdefault("rules", {})
    rules.setdefault("locks", []).append(
        {"intervention": intervention, "neighbourhood": code, "fund": fund})
    return changed


# ------------------------------------------------------------------------------ lines


def _limit_of(doc: dict, line: str) -> tuple[dict, str, int | None]:
    """The limit object a line key names, and the field (`total` or `per_year` index)."""
    parts = line.split(":")
    kind, when = parts[0], parts[-1]
    if kind == "budget":
        limit = doc["budget"]
    elif kind == "partner":
        limit = next(p for p in doc["partners"] if p["key"] == parts[1])["budget"]
    elif kind == "resource":
        limit = doc["resources"][parts[1]]
    elif kind == "domain_budget":
        limit = doc["rules"]["domain_budget"][parts[1]]
    elif kind == "area_budget":
        limit = doc["rules"]["area_budget"][int(parts[1])]
    else:
        raise ValueError(line)
    if when == "total":
        return limit, "total", None
    return limit, "per_year", int(when) - doc["start_year"]


def raised(doc: dict, line: str, step: float) -> dict:
    """`doc` with the line raised by `step` (a fresh copy)."""
    changed = copy.deepcopy(doc)
    limit, field, t = _limit_of(changed, line)
    if t is None:
        limit[field] = limit[field] + step
    else:
        limit[field][t] = limit[field][t] + step
    return changed


# ------------------------------------------------------------------------------ rules

_PATTERNS = [
    (r"^budget: total ", lambda m: "budget:total"),
    (r"^budget: (\d+) spends", lambda m: f"budget:{m[1]}"),
    (r"^partner (\S+): total ", lambda m: f"partner:{m[1]}:total"),
    (r"^partner (\S+): (\d+) spends", lambda m: f"partner:{m[1]}:{m[2]}"),
    (r"^resource (\S+): (\d+) spends", lambda m: f"resource:{m[1]}:{m[2]}"),
    (r"^domain_budget (\S+): total ", lambda m: f"domain_budget:{m[1]}:total"),
    (r"^domain_budget (\S+): (\d+) spends", lambda m: f"domain_budget:{m[1]}:{m[2]}"),
    (r"^domain_share (\S+): .* < ", lambda m: f"domain_share_min:{m[1]}"),
    (r"^domain_share (\S+): .* > ", lambda m: f"domain_share_max:{m[1]}"),
    (r"^area_budget\[(\d+)\]: total ", lambda m: f"area_budget:{m[1]}:total"),
    (r"^area_budget\[(\d+)\]: (\d+) spends", lambda m: f"area_budget:{m[1]}:{m[2]}"),
    (r"^max_neighbourhood_share (\S+):", lambda m: f"max_neighbourhood_share:{m[1]}"),
    (r"^cap_per_regulated_home (\S+) (\d+):", lambda m: f"cap_per_regulated_home:{m[1]}:{m[2]}"),
    (r"^exclusive_group (\S+):", lambda m: f"exclusive_group:{m[1]}"),
    (r"^(\S+) in \S+ at \d+ requires (\S+)$", lambda m: f"requires:{m[1]}:{m[2]}"),
    (r"^max_per_neighbourhood (\S+):", lambda m: f"max_per_neighbourhood:{m[1]}"),
    (r"^max_total (\S+):", lambda m: f"max_total:{m[1]}"),
]


def rule_keys(doc: dict, violations: list[str]) -> set[str]:
    """The reference's violation messages as rule keys (locks by their index)."""
    keys: set[str] = set()
    for message in violations:
        if message.startswith("lock: "):
            for k, lock in enumerate(doc.get("rules", {}).get("locks", [])):
                year = lock.get("start_year")
                expected = (f"lock: {lock['intervention']} in {lock['neighbourhood']} must "
                            f"{'' if lock['fund'] else 'not '}be funded"
                            + (f" from {year}" if year else ""))
                if message == expected:
                    keys.add(f"lock:{k}")
            continue
        for pattern, key in _PATTERNS:
            found = re.match(pattern, message)
            if found:
                keys.add(key(found))
                break
        else:
            raise AssertionError(f"unknown violation message: {message}")
    return keys


# ------------------------------------------------------------------------------ candidates


def pair_runs(doc: dict, i: str, n: str) -> list[Run]:
    return [c for c in candidates(doc) if c[0] == i and c[1] == n]


def locked_out(doc: dict, run: Run) -> bool:
    start = doc["start_year"]
    return any(
        not lock["fund"] and lock["intervention"] == run[0] and lock["neighbourhood"] == run[1]
        and lock.get("start_year") in (None, start + run[2])
        for lock in doc.get("rules", {}).get("locks", [])
    )


def expected_static(doc: dict, i: str, n: str) -> str | None:
    """The first static reason that applies to the pair, by the reference."""
    if not is_eligible(doc, interventions(doc)[i], neighbourhoods(doc)[n]):
        return "not_eligible"
    runs = pair_runs(doc, i, n)
    open_runs = [r for r in runs if not locked_out(doc, r)]
    if runs and not open_runs:
        return "excluded_by_lock"
    if open_runs and all(plan_value(doc, [r]) <= 1e-9 for r in open_runs):
        return "no_need"
    return None


def verify_candidates(doc: dict, rec: Recommendation) -> list[str]:
    """Check every candidate row independently; return the reasons seen (raises on error)."""
    assert rec.explanation is not None
    assert rec.objective is not None
    z = rec.objective
    funded = {(a.intervention, a.neighbourhood) for a in rec.allocations}
    expected_pairs = {(iv["key"], nb["code"]) for iv in doc.get("interventions", [])
                      for nb in doc["neighbourhoods"]} - funded
    rows = rec.explanation.candidates
    assert {(r.intervention, r.neighbourhood) for r in rows} == expected_pairs
    assert len(rows) == len(expected_pairs), "one row per pair"
    plan = plan_of(doc, rec)
    for row in rows:
        verify_row(doc, z, plan, row)
    return [row.reason for row in rows]


def verify_row(doc: dict, z: float, plan: list[Run], row: Any) -> None:
    i, n = row.intervention, row.neighbourhood
    shown = f"{row.reason} for {i} in {n}: {row.message}"
    static = expected_static(doc, i, n)
    if static is not None or row.reason in ("not_eligible", "excluded_by_lock", "no_need"):
        assert row.reason == static, f"{shown}; the reference says {static}"
        return
    forced = solve_doc(with_lock(doc, i, n), explain=False)
    if row.reason == "cannot_fit":
        assert forced.status == "infeasible", f"{shown}; but locking it in gives {forced.status}"
        assert row.blocked_by, f"{shown}: no blocking rule named"
        return
    assert forced.status == "optimal", f"{shown}; but locking it in gives {forced.status}"
    assert forced.objective is not None
    assert row.cost_of_forcing is not None, shown
    assert not row.estimate, shown
    assert close(z - forced.objective, row.cost_of_forcing, z), (
        f"{shown}; cost of forcing {row.cost_of_forcing} but the locked-in re-solve loses "
        f"{z - forced.objective}")
    if row.reason == "within_gap":
        assert row.cost_of_forcing <= REL_TOL * max(1.0, abs(z)), shown
        return
    assert row.reason == "outcompeted", shown
    assert row.cost_of_forcing > REL_TOL * max(1.0, abs(z)), f"{shown}: a tie, not outcompeted"
    run = (i, n, row.start_year - doc["start_year"])
    expected = rule_keys(doc, plan_violations(doc, [*plan, run]))
    assert {r.rule for r in row.limited_by} == expected, (
        f"{shown}; limited_by {[r.rule for r in row.limited_by]}, reference {sorted(expected)}")
    dropped = {(r.intervention, r.neighbourhood, r.start_year) for r in row.displaced_by}
    assert dropped <= {(a, b, doc["start_year"] + s) for a, b, s in plan}, shown
