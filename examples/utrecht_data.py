"""Reading the Utrecht buurten from CBS Kerncijfers wijken en buurten 2023 and Leefbaarometer 3.0.

The derivation is described step by step in the docstring of ``examples/build_utrecht.py``.
Data: Bron: CBS (CC BY 4.0); Bron: Leefbaarometer 3.0, Ministerie van BZK.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "app" / "data" / "buurten"
KWB_FILE = DATA / "kwb-2023-utrecht.csv"
LBM_FILE = DATA / "leefbaarometer-2002-2024-utrecht.csv"

SCORE_YEAR = 2024
TREND_YEARS = (2014, 2018, 2020, 2022, 2024)
KWB_YEAR = 2023
MIN_INHABITANTS_FOR_RATE = 500

# key -> (Leefbaarometer column, label, weight)
LBM_DOMAINS: dict[str, tuple[str, str, float]] = {
    "physical_environment": ("fys", "Fysieke omgeving", 0.8),
    "housing_stock": ("won", "Woningvoorraad", 0.8),
    "amenities": ("vrz", "Voorzieningen", 0.6),
    "social_cohesion": ("soc", "Sociale samenhang", 1.0),
    "nuisance_safety": ("onv", "Overlast en onveiligheid", 1.0),
}
VULNERABLE = ("vulnerable_residents", "Kwetsbare bewoners", 0.9)


def _number(text: str) -> float | None:
    """A CBS / Leefbaarometer cell as a float; ``.``, ``NA`` and empty cells are None."""
    text = text.strip()
    if text in {"", ".", "NA"}:
        return None
    return float(text)


def _pstdev(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def _slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of y on x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    return sxy / sxx


def load_neighbourhoods() -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """Neighbourhood documents (with scores) and the KWB rows behind them, by code."""
    with KWB_FILE.open(encoding="utf-8", newline="") as fh:
        kwb = list(csv.DictReader(fh))
    with LBM_FILE.open(encoding="utf-8", newline="") as fh:
        lbm = list(csv.DictReader(fh))

    gemeente = next(r for r in kwb if r["recs"] == "Gemeente")
    wijk_names = {
        r["gwb_code_10"]: re.sub(r"^Wijk \d+\s+", "", r["regio"]).strip()
        for r in kwb
        if r["recs"] == "Wijk"
    }
    lbm_by_code: dict[str, dict[int, dict[str, str]]] = {}
    for r in lbm:
        lbm_by_code.setdefault(r["bu_code"], {})[int(r["jaar"])] = r

    buurten = []
    for r in kwb:
        homes = _number(r["a_woning"])
        code = r["gwb_code_10"]
        if r["recs"] != "Buurt" or homes is None or homes <= 0:
            continue
        if SCORE_YEAR not in lbm_by_code.get(code, {}):
            continue
        buurten.append(r)
    codes = [r["gwb_code_10"] for r in buurten]

    # Leefbaarometer dimensions, in SD units of the 2024 spread over these buurten.
    scores: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in codes}
    for key, (col, _label, _weight) in LBM_DOMAINS.items():
        current = {c: _number(lbm_by_code[c][SCORE_YEAR][col]) for c in codes}
        present = [v for v in current.values() if v is not None]
        spread = _pstdev(present)
        for c in codes:
            value = current[c]
            if value is None:
                continue
            history = [
                (year, v)
                for year in TREND_YEARS
                if year in lbm_by_code[c] and (v := _number(lbm_by_code[c][year][col])) is not None
            ]
            trend = _slope(history) / spread if len(history) >= 2 else 0.0
            scores[c][key] = {
                "score": round(value / spread, 4),
                "trend": round(trend, 4),
                "target": 0.0,
                "score_year": SCORE_YEAR,
            }

    # Social assistance rate against the Utrecht rate, in SD units of the buurt rates.
    reference = float(gemeente["a_soz_wb"]) / float(gemeente["a_inw"])
    rates: dict[str, float] = {}
    for r in buurten:
        benefits, inhabitants = _number(r["a_soz_wb"]), _number(r["a_inw"])
        if benefits is None or inhabitants is None or inhabitants < MIN_INHABITANTS_FOR_RATE:
            continue
        rates[r["gwb_code_10"]] = benefits / inhabitants
    spread = _pstdev(list(rates.values()))
    for c, rate in rates.items():
        scores[c][VULNERABLE[0]] = {
            "score": round((reference - rate) / spread, 4),
            "trend": 0.0,
            "target": 0.0,
            "score_year": KWB_YEAR,
        }

    neighbourhoods = []
    for r in buurten:
        code = r["gwb_code_10"]
        homes = int(float(r["a_woning"]))
        corp_pct = _number(r["p_wcorpw"]) or 0.0
        neighbourhoods.append(
            {
                "code": code,
                "name": r["regio"],
                "district": wijk_names["WK" + r["gwb_code_8"][:6]],
                "municipality": "Utrecht",
                "homes": homes,
                "regulated_homes": round(homes * corp_pct / 100),
                "scores": scores[code],
            }
        )
    return neighbourhoods, {r["gwb_code_10"]: r for r in buurten}


def corporation_share(row: dict[str, str]) -> float:
    return _number(row["p_wcorpw"]) or 0.0
