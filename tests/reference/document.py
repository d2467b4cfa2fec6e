"""Reading a scenario document (DESIGN §3 points 4, 5 and 8) with the documented defaults.

A *run* is a tuple ``(intervention_key, neighbourhood_code, start_offset)`` with
``start_offset`` counted from ``start_year`` (t = 0 ... H-1).
"""

from __future__ import annotations

Run = tuple[str, str, int]

DEFAULT_DOMAIN_KEYS = (
    "physical_environment",
    "housing_stock",
    "amenities",
    "social_cohesion",
    "nuisance_safety",
    "vulnerable_residents",
    "rent_arrears",
    "social_mobility",
)


def horizon(doc: dict) -> int:
    return int(doc["horizon_years"])


def domain_weights(doc: dict) -> dict[str, float]:
    domains = doc.get("domains")
    if domains is None:
        return dict.fromkeys(DEFAULT_DOMAIN_KEYS, 1.0)
    return {d["key"]: float(d.get("weight", 1.0)) for d in domains}


def neighbourhoods(doc: dict) -> dict[str, dict]:
    return {nb["code"]: nb for nb in doc["neighbourhoods"]}


def interventions(doc: dict) -> dict[str, dict]:
    return {iv["key"]: iv for iv in doc.get("interventions", [])}


def rules(doc: dict) -> dict:
    return doc.get("rules") or {}


def objective(doc: dict) -> dict:
    return doc.get("objective") or {}


def duration(iv: dict, h: int, s: int) -> int:
    d = iv.get("duration_years", 1)
    return h - s if d is None else int(d)


def projection(doc: dict, nb: dict, d: str, t: int) -> float | None:
    """Point 4: q(n,d,t), or None when n has no score for d."""
    sc = (nb.get("scores") or {}).get(d)
    if sc is None:
        return None
    start = int(doc["start_year"])
    score_year = sc.get("score_year")
    if score_year is None:
        score_year = start - 1
    return float(sc["score"]) + float(sc.get("trend", 0.0) or 0.0) * (start + t - score_year)


def gap(doc: dict, nb: dict, d: str, t: int) -> float:
    """Point 4: g(n,d,t) = max(0, target - q); 0 where there is no score."""
    q = projection(doc, nb, d, t)
    if q is None:
        return 0.0
    target = float(nb["scores"][d].get("target", 0.0) or 0.0)
    return max(0.0, target - q)


def is_eligible(doc: dict, iv: dict, nb: dict) -> bool:
    """Point 8."""
    el = iv.get("eligible")
    if el is None:
        return True
    if isinstance(el, list):
        return nb["code"] in el
    codes = el.get("codes")
    if codes is not None and nb["code"] not in codes:
        return False
    for d, x in (el.get("min_gap") or {}).items():
        if gap(doc, nb, d, 0) < float(x):
            return False
    return True


def fits(doc: dict, iv: dict, s: int) -> bool:
    h = horizon(doc)
    return 0 <= s < h and s + duration(iv, h, s) <= h


def candidates(doc: dict) -> list[Run]:
    """Every (i, n, s) whose run fits the horizon and whose neighbourhood is eligible."""
    h = horizon(doc)
    out: list[Run] = []
    for iv in doc.get("interventions", []):
        for nb in doc["neighbourhoods"]:
            if not is_eligible(doc, iv, nb):
                continue
            for s in range(h):
                if fits(doc, iv, s):
                    out.append((iv["key"], nb["code"], s))
    return out


def run_years(doc: dict, run: Run) -> list[int]:
    iv = interventions(doc)[run[0]]
    s = run[2]
    return list(range(s, s + duration(iv, horizon(doc), s)))


def effect_years(doc: dict, run: Run) -> list[int]:
    """Point 5: s+lag ... s+lag+D-1 (or ... H-1 when the effect persists), within the horizon."""
    h = horizon(doc)
    iv = interventions(doc)[run[0]]
    s = run[2]
    first = s + int(iv.get("lag_years", 0) or 0)
    last = h - 1 if iv.get("effect_persists", False) else first + duration(iv, h, s) - 1
    return [t for t in range(first, last + 1) if 0 <= t < h]
