"""Which rules and options of DESIGN §3 a scenario document uses, for coverage bookkeeping.

`features(doc)` names them; `EXPECTED_FEATURES` is every name that a few hundred documents of
`tests.strategies.small_scenarios()` should show between them.
"""

from __future__ import annotations

from tests.reference.evaluate import candidates

_ABSENT = object()


def features(doc: dict) -> set[str]:
    """The rules and options `doc` uses (presence, not necessarily binding)."""
    f: set[str] = set()
    h = doc["horizon_years"]
    f.add("custom_domains" if "domains" in doc else "default_domains")
    if any(d.get("weight", 1.0) != 1.0 for d in doc.get("domains") or []):
        f.add("domain_weight")
    for nb in doc["neighbourhoods"]:
        if nb.get("regulated_homes"):
            f.add("regulated_homes")
        affected = {d for iv in doc.get("interventions", []) for d in iv.get("effects", {})}
        if affected - set(nb.get("scores", {})):
            f.add("missing_score")
        for sc in nb.get("scores", {}).values():
            if sc.get("trend"):
                f.add("trend")
            if sc.get("target"):
                f.add("target_nonzero")
            if "score_year" in sc:
                f.add("score_year")
    for p in doc.get("partners", []):
        for key in ("total", "per_year"):
            if key in p.get("budget", {}):
                f.add(f"partner_budget_{key}")
    cands = candidates(doc)
    for iv in doc.get("interventions", []):
        if iv["duration_years"] is None:
            f.add("duration_null")
        if h > 1 and (iv["duration_years"] or 0) > 1:
            f.add("duration_multi")
        for part in ("fixed", "per_home"):
            value = iv.get("cost", {}).get(part)
            if isinstance(value, list):
                f.add("cost_list")
            elif part == "per_home" and value:
                f.add("per_home")
        if iv.get("lag_years"):
            f.add("lag")
        if iv.get("effect_persists"):
            f.add("effect_persists")
        for pc in iv.get("partner_contributions", []):
            f.add("partner_share" if "share" in pc else "partner_amount")
        if len(iv.get("partner_contributions", [])) > 1:
            f.add("partner_order")
        if iv.get("uses"):
            f.add("resources")
        el = iv.get("eligible", _ABSENT)
        if el is _ABSENT or el is None:
            f.add("eligible_null")
        elif isinstance(el, list):
            f.add("eligible_list")
        else:
            f.add("eligible_" + ("_".join(sorted(el)) or "empty"))
        if iv.get("exclusive_group"):
            f.add("exclusive_group")
        if iv.get("requires"):
            f.add("requires")
        mpn = iv.get("max_per_neighbourhood", 1)
        repeats = sum(1 for c in cands if c[0] == iv["key"]) > len(
            {c[1] for c in cands if c[0] == iv["key"]}
        )
        f.add(f"max_per_neighbourhood_{mpn}" + ("_repeatable" if repeats else ""))
        if "max_total" in iv:
            f.add("max_total")
        if "counts_toward_cap" in iv and not iv["counts_toward_cap"]:
            f.add("counts_toward_cap_false")
    for key in ("total", "per_year"):
        if key in doc.get("budget", {}):
            f.add(f"budget_{key}")
    rules = doc.get("rules", {})
    for bounds in rules.get("domain_share", {}).values():
        f.update(f"domain_share_{k}" for k in bounds)
    for lim in rules.get("domain_budget", {}).values():
        f.update(f"domain_budget_{k}" for k in lim)
    for area in rules.get("area_budget", []):
        where = [k for k in ("municipality", "district") if k in area]
        f.add("area_budget_" + "_".join(where))
        f.update(f"area_budget_{k}" for k in ("total", "per_year") if k in area)
    if "max_neighbourhood_share" in rules:
        f.add("max_neighbourhood_share")
    if "cap_per_regulated_home" in rules:
        f.add("cap_per_regulated_home")
        if any(iv.get("counts_toward_cap") is False for iv in doc.get("interventions", [])):
            f.add("cap_with_uncounted")
    for lock in rules.get("locks", []):
        f.add(
            ("lock_in" if lock["fund"] else "lock_out") + ("_year" if "start_year" in lock else "")
        )
    obj = doc.get("objective", {})
    equity = obj.get("equity", "prioritarian")
    strength = obj.get("equity_strength", 1.0)
    f.add("linear" if equity == "linear" else "prioritarian")
    if equity == "prioritarian":
        f.add(f"strength_{strength:g}")
        f.add(f"segments_{obj.get('segments', 4)}")
    f.add("cap_at_target_" + str(obj.get("cap_at_target", True)).lower())
    if obj.get("discount_rate"):
        f.add("discount")
    return f


EXPECTED_FEATURES = frozenset(
    {
        "custom_domains",
        "default_domains",
        "domain_weight",
        "regulated_homes",
        "missing_score",
        "trend",
        "target_nonzero",
        "score_year",
        "partner_budget_total",
        "partner_budget_per_year",
        "duration_null",
        "duration_multi",
        "cost_list",
        "per_home",
        "lag",
        "effect_persists",
        "partner_share",
        "partner_amount",
        "partner_order",
        "resources",
        "eligible_null",
        "eligible_list",
        "eligible_codes",
        "eligible_min_gap",
        "eligible_codes_min_gap",
        "eligible_empty",
        "exclusive_group",
        "requires",
        "max_per_neighbourhood_1_repeatable",
        "max_per_neighbourhood_2_repeatable",
        "max_per_neighbourhood_None_repeatable",
        "max_total",
        "counts_toward_cap_false",
        "budget_total",
        "budget_per_year",
        "domain_share_min",
        "domain_share_max",
        "domain_budget_total",
        "domain_budget_per_year",
        "area_budget_municipality",
        "area_budget_district",
        "area_budget_municipality_district",
        "area_budget_total",
        "area_budget_per_year",
        "max_neighbourhood_share",
        "cap_per_regulated_home",
        "cap_with_uncounted",
        "lock_in",
        "lock_in_year",
        "lock_out",
        "lock_out_year",
        "linear",
        "prioritarian",
        "strength_0",
        "strength_0.5",
        "strength_1",
        "strength_2",
        "segments_1",
        "segments_2",
        "segments_3",
        "segments_4",
        "cap_at_target_true",
        "cap_at_target_false",
        "discount",
    }
)
