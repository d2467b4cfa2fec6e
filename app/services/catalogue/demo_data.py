"""The demo organisation's data: Utrecht's buurten from two public files (see
`app/data/buurten/PROVENANCE.md`), read as they are.

- CBS Kerncijfers wijken en buurten 2023 (`kwb-2023-utrecht.csv`, Bron: CBS, CC BY 4.0): homes
  (`a_woning`), the share of corporation homes (`p_wcorpw`), low-income households (`p_hh_li`,
  suppressed by CBS at buurt level in 2023, so no values), social-assistance benefits
  (`a_soz_wb`) per 1,000 inhabitants (`a_inw`).
- Leefbaarometer 3.0, scores per buurt 2002–2024 (`leefbaarometer-2002-2024-utrecht.csv`, Bron:
  Leefbaarometer 3.0, Ministerie van BZK): the five dimensions (2014–2024) and the total's
  deviation from the national reference (`afw`, every measurement from 2002).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "buurten"
KWB_FILE = DATA / "kwb-2023-utrecht.csv"
LBM_FILE = DATA / "leefbaarometer-2002-2024-utrecht.csv"
KWB_YEAR = 2023
MIN_INHABITANTS_FOR_RATE = 500  # CBS rounds counts: smaller buurten give noise, not a rate

# Leefbaarometer column → indicator key
LBM_DIMENSIONS = {
    "fys": "lbm_fys",
    "won": "lbm_won",
    "vrz": "lbm_vrz",
    "soc": "lbm_soc",
    "onv": "lbm_onv",
}
LBM_TOTAL = ("afw", "lbm_afw")


@dataclass
class Buurt:
    code: str
    name: str
    district: str
    homes: float
    regulated_homes: float
    values: dict[tuple[str, int], float] = field(default_factory=dict)


def _number(text: str) -> float | None:
    text = text.strip()
    return None if text in {"", ".", "NA"} else float(text)


def social_assistance_reference() -> float:
    """Benefits per 1,000 inhabitants in the gemeente as a whole (the reference level)."""
    with KWB_FILE.open(encoding="utf-8", newline="") as handle:
        gemeente = next(r for r in csv.DictReader(handle) if r["recs"] == "Gemeente")
    return 1000 * float(gemeente["a_soz_wb"]) / float(gemeente["a_inw"])


def load_buurten() -> list[Buurt]:
    with KWB_FILE.open(encoding="utf-8", newline="") as handle:
        kwb = list(csv.DictReader(handle))
    with LBM_FILE.open(encoding="utf-8", newline="") as handle:
        lbm = list(csv.DictReader(handle))
    wijken = {
        r["gwb_code_10"]: re.sub(r"^Wijk \d+\s+", "", r["regio"]).strip()
        for r in kwb
        if r["recs"] == "Wijk"
    }
    buurten: dict[str, Buurt] = {}
    for row in kwb:
        homes = _number(row["a_woning"])
        if row["recs"] != "Buurt" or homes is None or homes <= 0:
            continue
        share = _number(row["p_wcorpw"])
        buurt = Buurt(
            code=row["gwb_code_10"],
            name=row["regio"],
            district=wijken["WK" + row["gwb_code_8"][:6]],
            homes=homes,
            regulated_homes=round(homes * (share or 0.0) / 100),
        )
        if share is not None:
            buurt.values[("corporation_share", KWB_YEAR)] = share
        low_income = _number(row["p_hh_li"])
        if low_income is not None:
            buurt.values[("low_income_households", KWB_YEAR)] = low_income
        benefits, inhabitants = _number(row["a_soz_wb"]), _number(row["a_inw"])
        if benefits is not None and inhabitants and inhabitants >= MIN_INHABITANTS_FOR_RATE:
            buurt.values[("social_assistance", KWB_YEAR)] = round(1000 * benefits / inhabitants, 6)
        buurten[buurt.code] = buurt
    for row in lbm:
        measured = buurten.get(row["bu_code"])
        if measured is None:
            continue
        year = int(row["jaar"])
        for column, key in (*LBM_DIMENSIONS.items(), LBM_TOTAL):
            value = _number(row[column])
            if value is not None:
                measured.values[(key, year)] = value
    return list(buurten.values())
