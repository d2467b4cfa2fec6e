"""Hypothesis strategies for small, valid scenario documents (contract v1 dicts).

`small_scenarios()` draws documents with at most 12 candidates (so brute force can enumerate
every plan) that, across a few hundred examples, use every rule and option of DESIGN §3.
Numbers are "nice" (effects in steps of 0.05, integer costs, gaps in steps of 0.01 and
eligibility thresholds between them) so that no comparison hinges on float rounding.

`features(doc)` and `EXPECTED_FEATURES` (coverage bookkeeping) live in
`tests.scenario_features` and are importable from here as well.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import UnsatisfiedAssumption

from tests.reference.evaluate import MAX_CANDIDATES, candidates, run_payments
from tests.scenario_features import EXPECTED_FEATURES, features

__all__ = ["EXPECTED_FEATURES", "explain_scenarios", "features", "small_scenarios"]

SOLVER = {"name": "highs", "mip_gap": 0, "time_limit_s": 30}

CUSTOM_DOMAINS = ("safety", "cohesion", "stock")
DEFAULT_DOMAINS_USED = ("nuisance_safety", "social_cohesion", "rent_arrears")
MUNICIPALITIES = ("Utrecht", "Zeist")
DISTRICTS = ("Noord", "Zuid")

EFFECTS = (0.05, 0.1, 0.15, 0.2, 0.3)
FIXED = (0, 200, 500, 1000, 2000)
PER_HOME = (0, 1, 2, 5)
HOMES = (40, 100, 200, 500)
SCORES = (-0.2, -0.3, -0.1, -0.4, -0.5, -0.05, 0.0, 0.05)
# Gaps at t = 0 are multiples of 0.01; thresholds sit between them.
MIN_GAPS = (0, 0.045, 0.125, 0.205)
# Money limits as a fraction of what all candidates together would spend.
FRACTIONS = (0.5, 1.0, 0.7, 2.0, 0.4, 1.0, 0.7, 0)

_ABSENT = object()


def _maybe(draw: Any, value_strategy: st.SearchStrategy) -> Any:
    """A value, or (half the time) _ABSENT: the key is left out and its default applies."""
    if draw(st.booleans()):
        return _ABSENT
    return draw(value_strategy)


def _put(target: dict, key: str, value: Any) -> None:
    if value is not _ABSENT:
        target[key] = value


def _money(draw: Any, scale: float) -> int:
    return int(round(draw(st.sampled_from(FRACTIONS)) * max(scale, 1.0)))


def _limit(draw: Any, total_scale: float, year_scales: list[float], allow_empty: bool) -> dict:
    forms = ["total", "per_year", "both"] + (["empty"] if allow_empty else [])
    form = draw(st.sampled_from(forms))
    out: dict = {}
    if form in ("total", "both"):
        out["total"] = _money(draw, total_scale)
    if form in ("per_year", "both"):
        out["per_year"] = [_money(draw, s) for s in year_scales]
    return out


def _cost_part(draw: Any, values: tuple, length: int) -> Any:
    if draw(st.integers(0, 3)) == 0:
        return [draw(st.sampled_from(values)) for _ in range(length)]
    return draw(st.sampled_from(values))


@st.composite
def small_scenarios(draw: Any) -> dict:
    h = draw(st.integers(1, 3))
    start_year = draw(st.sampled_from([2026, 2030]))
    doc: dict = {"name": "property", "start_year": start_year, "horizon_years": h}

    # Domains: a custom catalogue with weights, or the default catalogue (left out).
    if draw(st.booleans()):
        dkeys = list(CUSTOM_DOMAINS[: draw(st.integers(1, 3))])
        domains = []
        for key in dkeys:
            dom: dict = {"key": key, "label": key.title()}
            _put(dom, "weight", _maybe(draw, st.sampled_from([1.0, 0.5, 2.0, 0.0])))
            domains.append(dom)
        doc["domains"] = domains
    else:
        dkeys = list(DEFAULT_DOMAINS_USED[: draw(st.integers(1, 3))])

    # Neighbourhoods with scores: score in steps of 0.05, trend in steps of 0.02.
    n_nb = draw(st.integers(1, 3))
    codes = [f"BU{idx + 1:04d}" for idx in range(n_nb)]
    nbs = []
    for code in codes:
        homes = draw(st.sampled_from(HOMES))
        nb: dict = {"code": code, "name": f"Buurt {code}", "homes": homes}
        for key, values in (("municipality", MUNICIPALITIES), ("district", DISTRICTS)):
            if draw(st.integers(0, 3)) < 3:
                nb[key] = draw(st.sampled_from(values))
        _put(nb, "regulated_homes", _maybe(draw, st.sampled_from([homes, homes // 2, homes, 0])))
        scores: dict = {}
        for d in dkeys:
            if draw(st.integers(0, 4)) == 4:
                continue  # no score: no gap there
            sc: dict = {"score": draw(st.sampled_from(SCORES))}
            _put(sc, "trend", _maybe(draw, st.sampled_from([-0.04, -0.02, 0.0, 0.02, 0.04])))
            _put(sc, "target", _maybe(draw, st.sampled_from([0.0, 0.0, 0.1, -0.1])))
            _put(
                sc,
                "score_year",
                _maybe(draw, st.sampled_from([start_year - 2, start_year - 1, start_year])),
            )
            scores[d] = sc
        nb["scores"] = scores
        nbs.append(nb)
    doc["neighbourhoods"] = nbs

    partners = [{"key": f"p{k}"} for k in range(draw(st.integers(0, 2)))]
    resources = [f"r{k}" for k in range(draw(st.integers(0, 2)))]

    # Interventions, keeping the candidate count within MAX_CANDIDATES whatever eligibility does.
    remaining = MAX_CANDIDATES
    ivs: list[dict] = []
    for j in range(draw(st.integers(1, 4))):
        options = [
            d for d in [*range(1, h + 1), None] if (h if d is None else h - d + 1) <= remaining
        ]
        if not options:
            break
        dur = draw(st.sampled_from(options))
        starts = h if dur is None else h - dur + 1
        run_len = h if dur is None else dur
        allowed = min(n_nb, remaining // starts)
        iv: dict = {
            "key": f"i{j}",
            "name": f"Interventie {j}",
            "domain": draw(st.sampled_from(dkeys)),
            "duration_years": dur,
        }
        effects = {}
        for d in dkeys:
            if d == iv["domain"] or draw(st.booleans()):
                effects[d] = draw(st.sampled_from(EFFECTS))
        iv["effects"] = effects
        iv["cost"] = {
            "fixed": _cost_part(draw, FIXED, run_len),
            "per_home": _cost_part(draw, PER_HOME, run_len),
        }
        _put(iv, "lag_years", _maybe(draw, st.sampled_from([0, 1, 0, 1, 2])))
        _put(iv, "effect_persists", _maybe(draw, st.booleans()))

        contributions = []
        share_left = 1.0
        for _ in range(draw(st.integers(0, 2)) if partners else 0):
            pc: dict = {"partner": draw(st.sampled_from(partners))["key"]}
            if draw(st.booleans()):
                share = draw(st.sampled_from([0.1, 0.25, 0.5, 0.75]))
                if share > share_left + 1e-9:
                    continue
                share_left -= share
                pc["share"] = share
            else:
                pc["amount_per_year"] = draw(st.sampled_from([100, 300, 1000]))
            contributions.append(pc)
        _put(
            iv,
            "partner_contributions",
            contributions if contributions or draw(st.booleans()) else _ABSENT,
        )
        if resources:
            uses = {
                r: draw(st.sampled_from([0.5, 1, 1.5])) for r in resources if draw(st.booleans())
            }
            _put(iv, "uses", uses)

        # Eligibility in all three forms; restricted to `allowed` codes when needed.
        if allowed >= n_nb:
            form = draw(
                st.sampled_from(
                    ["absent", "null", "list", "codes", "min_gap", "codes_min_gap", "empty"]
                )
            )
        else:
            form = draw(st.sampled_from(["list", "codes", "codes_min_gap"]))
        subset = draw(
            st.lists(
                st.sampled_from(codes),
                unique=True,
                min_size=int(draw(st.integers(0, 5)) < 5),
                max_size=allowed,
            )
        )
        min_gap = {
            d: draw(st.sampled_from(MIN_GAPS))
            for d in draw(st.lists(st.sampled_from(dkeys), unique=True, min_size=1, max_size=2))
        }
        if form == "null":
            iv["eligible"] = None
        elif form == "list":
            iv["eligible"] = subset
        elif form == "codes":
            iv["eligible"] = {"codes": subset}
        elif form == "min_gap":
            iv["eligible"] = {"min_gap": min_gap}
        elif form == "codes_min_gap":
            iv["eligible"] = {"codes": subset, "min_gap": min_gap}
        elif form == "empty":
            iv["eligible"] = {}
        remaining -= starts * (
            n_nb
            if allowed >= n_nb and form not in ("list", "codes", "codes_min_gap")
            else len(subset)
        )

        _put(iv, "exclusive_group", _maybe(draw, st.sampled_from([None, "g1", "g2"])))
        earlier = [x["key"] for x in ivs]
        if earlier and draw(st.booleans()):
            iv["requires"] = draw(st.lists(st.sampled_from(earlier), unique=True, min_size=1))
        _put(iv, "max_per_neighbourhood", _maybe(draw, st.sampled_from([1, 2, None])))
        _put(iv, "max_total", _maybe(draw, st.sampled_from([1, 2, 1, 2, 1, 2, 0])))
        _put(iv, "counts_toward_cap", _maybe(draw, st.booleans()))
        ivs.append(iv)
    doc["interventions"] = ivs
    doc["partners"] = partners
    if resources:
        doc["resources"] = {
            r: {"per_year": [draw(st.sampled_from([2, 3, 1.5, 4, 1, 2, 0])) for _ in range(h)]}
            for r in resources
        }

    # Scales: what every candidate together would spend, per year and in total.
    cands = candidates(doc)
    assert len(cands) <= MAX_CANDIDATES, len(cands)
    iv_by_key = {iv["key"]: iv for iv in ivs}
    nb_by_code = {nb["code"]: nb for nb in nbs}
    corp_year = [0.0] * h
    partner_year: dict[str, list[float]] = {p["key"]: [0.0] * h for p in partners}
    domain_year: dict[str, list[float]] = {d: [0.0] * h for d in dkeys}
    nb_year: dict[str, list[float]] = {c: [0.0] * h for c in codes}
    for i, n, s in cands:
        corp, pays = run_payments(doc, iv_by_key[i], nb_by_code[n], s)
        for k, amount in enumerate(corp):
            corp_year[s + k] += amount
            domain_year[iv_by_key[i]["domain"]][s + k] += amount
            nb_year[n][s + k] += amount
        for p, amounts in pays.items():
            for k, amount in enumerate(amounts):
                partner_year[p][s + k] += amount

    for p in partners:
        if draw(st.booleans()):
            p["budget"] = _limit(
                draw, sum(partner_year[p["key"]]), partner_year[p["key"]], allow_empty=True
            )

    if draw(st.integers(0, 3)) > 0:
        doc["budget"] = _limit(draw, sum(corp_year), corp_year, allow_empty=True)

    # Half the documents carry at most one rule (so each rule is seen binding on its own), the
    # other half any combination.
    kinds = (
        "domain_share",
        "domain_budget",
        "area_budget",
        "max_neighbourhood_share",
        "cap_per_regulated_home",
        "locks",
    )
    if draw(st.booleans()):
        chosen = set(draw(st.lists(st.sampled_from(kinds), max_size=1)))
    else:
        often = ("area_budget", "locks")
        chosen = {k for k in kinds if draw(st.integers(0, 3)) >= (2 if k in often else 3)}
    rules: dict = {}
    if "domain_share" in chosen:
        shares = {}
        for d in draw(st.lists(st.sampled_from(dkeys), unique=True, min_size=1, max_size=2)):
            lo = draw(st.sampled_from([0.0, 0.2, 0.3, 0.5]))
            hi = draw(st.sampled_from([x for x in (0.5, 0.8, 1.0) if x >= lo]))
            form = draw(st.sampled_from(["min", "max", "both"]))
            shares[d] = (
                {"min": lo}
                if form == "min"
                else {"max": hi}
                if form == "max"
                else {"min": lo, "max": hi}
            )
        rules["domain_share"] = shares
    if "domain_budget" in chosen:
        rules["domain_budget"] = {
            d: _limit(draw, sum(domain_year[d]), domain_year[d], allow_empty=False)
            for d in draw(st.lists(st.sampled_from(dkeys), unique=True, min_size=1, max_size=2))
        }
    located = [nb for nb in nbs if "municipality" in nb or "district" in nb]
    if located and "area_budget" in chosen:
        areas = []
        for _ in range(draw(st.integers(1, 2))):
            nb = draw(st.sampled_from(located))
            keys = [k for k in ("municipality", "district") if k in nb]
            if len(keys) == 2:
                keys = draw(st.sampled_from([keys, ["municipality"], ["district"], keys]))
            area: dict = {k: nb[k] for k in keys}
            inside = [c for c in codes if all(nb_by_code[c].get(k) == area[k] for k in keys)]
            year_scale = [sum(nb_year[c][t] for c in inside) for t in range(h)]
            area.update(_limit(draw, sum(year_scale), year_scale, allow_empty=False))
            areas.append(area)
        rules["area_budget"] = areas
    if "max_neighbourhood_share" in chosen:
        rules["max_neighbourhood_share"] = draw(st.sampled_from([0.7, 1.0, 0.5, 0.4]))
    if "cap_per_regulated_home" in chosen:
        rules["cap_per_regulated_home"] = draw(st.sampled_from([20, 50, 10, 100, 50, 0]))
    if ivs and "locks" in chosen:
        locks = []
        for _ in range(draw(st.integers(1, 2))):
            lock: dict = {
                "intervention": draw(st.sampled_from(ivs))["key"],
                "neighbourhood": draw(st.sampled_from(codes)),
            }
            _put(
                lock,
                "start_year",
                _maybe(draw, st.sampled_from([start_year + t for t in range(h)])),
            )
            lock["fund"] = draw(st.sampled_from([True, False, True]))
            locks.append(lock)
        rules["locks"] = locks
        if any(lock["fund"] for lock in locks) and draw(st.integers(0, 3)) == 3:
            # A lock that cannot be paid (unless the locked run costs the corporation nothing).
            doc["budget"] = {"total": 0}
    if rules or draw(st.booleans()):
        doc["rules"] = rules

    objective: dict = {}
    _put(objective, "equity", _maybe(draw, st.sampled_from(["linear", "prioritarian"])))
    _put(objective, "equity_strength", _maybe(draw, st.sampled_from([1.0, 0.5, 2.0, 0.0])))
    _put(objective, "segments", _maybe(draw, st.sampled_from([1, 2, 3, 4])))
    _put(objective, "cap_at_target", _maybe(draw, st.booleans()))
    _put(objective, "discount_rate", _maybe(draw, st.sampled_from([0.0, 0.05, 0.1])))
    if objective or draw(st.booleans()):
        doc["objective"] = objective
    doc["solver"] = copy.deepcopy(SOLVER)
    return doc


@st.composite
def explain_scenarios(draw: Any) -> dict:
    """`small_scenarios()` with, half the time, one more pair locked out, so that every reason
    for not funding a pair (DESIGN §4) shows up in a few hundred documents."""
    doc = draw(small_scenarios())
    if doc["interventions"] and draw(st.booleans()):
        lock = {
            "intervention": draw(st.sampled_from(doc["interventions"]))["key"],
            "neighbourhood": draw(st.sampled_from(doc["neighbourhoods"]))["code"],
            "fund": False,
        }
        doc.setdefault("rules", {}).setdefault("locks", []).append(lock)
    return doc


def require(condition: object) -> None:
    """Hypothesis's `assume`, also for helpers that a test calls once more outside the
    property (the re-check of an example `find` returned), where `assume` is deprecated:
    inside a property a false condition rejects the example, outside it fails the check."""
    if not condition:
        raise UnsatisfiedAssumption()
