"""The published layouts, row by row.

- CBS *Kerncijfers wijken en buurten* (`kwb-YYYY.xlsx`, or that sheet saved as CSV): one row per
  gemeente, wijk and buurt (`recs`), the region code in `gwb_code_10` (`GM0344`, `WK034408`,
  `BU03440831`), its name in `regio`, the gemeente's in `gm_naam`; CBS's `.` marks a figure
  that is unknown or suppressed. The wijk of a buurt is `WK` and the first six digits of its
  code; wijk rows come before their buurten.
- Leefbaarometer 3.0 *scores buurten* (`Leefbaarometer-scores buurten 2002-2024.csv`): one row
  per buurt (`bu_code`, `bu_naam`) and measurement year (`jaar`), the total (`lbm`), its
  deviation from the national reference (`afw`) and the five dimensions (`fys`, `onv`, `soc`,
  `vrz`, `won`), `NA` where not measured.

Which figures become which indicator is the demo's choice
(`app.services.catalogue.demo_data`), so that a catalogue loaded from the files and the demo
organisation speak of the same indicators.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.services.catalogue.demo_data import LBM_DIMENSIONS, LBM_TOTAL, MIN_INHABITANTS_FOR_RATE
from app.services.imports.reading import Row, RowProblem

KWB_COLUMNS = ("gwb_code_10", "regio", "recs", "a_woning")
LBM_COLUMNS = ("bu_code", "jaar", *LBM_DIMENSIONS, LBM_TOTAL[0])
_UNKNOWN = {"", ".", "NA", "na", "-"}
_KWB_YEAR = re.compile(r"kwb[-_ ]?(\d{4})", re.IGNORECASE)


class FileLayoutError(ValueError):
    """The file is not in the layout its command reads (a column is missing, a row broken)."""


def gemeente_digits(gemeente: str) -> str:
    """`GM0344` or `0344` → `0344`."""
    digits = gemeente.upper().removeprefix("GM")
    if not re.fullmatch(r"\d{4}", digits):
        raise ValueError(f"{gemeente!r} is not a CBS gemeente code: `GM` and 4 digits, e.g. "
                         "GM0344")
    return digits


def kwb_year_from_name(name: str) -> int | None:
    """CBS names its downloads `kwb-2023.xlsx`; the year is in the name only."""
    found = _KWB_YEAR.search(name)
    return int(found.group(1)) if found else None


def number(cell: Any) -> float | None:
    """A figure as the file holds it; None when unknown (`.`, `NA`, empty)."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip()
    if text in _UNKNOWN:
        return None
    try:
        return float(text.replace(",", ".") if text.count(",") == 1 and "." not in text
                     else text)
    except ValueError:
        raise FileLayoutError(f"{text!r} is not a number") from None


@dataclass
class KwbBuurt:
    code: str
    name: str | None
    district: str | None
    municipality: str | None
    homes: float | None
    regulated_homes: float | None
    values: dict[str, float] = field(default_factory=dict)  # indicator key → value


@dataclass(frozen=True)
class LbmMeasurement:
    code: str
    name: str | None
    year: int
    values: dict[str, float]  # indicator key → value


def _checked(rows: Iterable[Row | RowProblem], columns: list[str] | None,
             required: tuple[str, ...], what: str) -> Iterator[Row]:
    missing = [name for name in required if name not in (columns or [])]
    if missing:
        raise FileLayoutError(f"not a {what} file: no column {', '.join(missing)} (the file "
                              f"has {', '.join(columns or []) or 'no header'})")
    for row in rows:
        if isinstance(row, RowProblem):
            raise FileLayoutError(f"row {row.number}: {row.message}")
        yield row


def _in_gemeente(code: str, digits: str | None) -> bool:
    return digits is None or code[2:6] == digits


def read_kwb(rows: Iterable[Row | RowProblem], columns: list[str] | None,
             gemeente: str | None = None) -> Iterator[KwbBuurt]:
    """The buurten of a KWB file (of one gemeente, when named): homes (`a_woning`), regulated
    homes as homes × the corporations' share (`p_wcorpw`), and the indicators the demo reads:
    `corporation_share` (`p_wcorpw`), `low_income_households` (`p_hh_li`) and
    `social_assistance`, benefits (`a_soz_wb`) per 1,000 inhabitants (`a_inw`) where at least
    500 live."""
    digits = None if gemeente is None else gemeente_digits(gemeente)
    wijken: dict[str, str] = {}
    for row in _checked(rows, columns, KWB_COLUMNS, "CBS KWB"):
        cells = row.cells
        code = str(cells.get("gwb_code_10") or "").strip()
        level = str(cells.get("recs") or "").strip().lower()
        try:
            if level == "wijk":
                wijken[code] = re.sub(r"^Wijk \d+\s+", "", str(cells.get("regio") or "")).strip()
            if level != "buurt" or not _in_gemeente(code, digits):
                continue
            yield _kwb_buurt(code, cells, wijken)
        except FileLayoutError as error:
            raise FileLayoutError(f"row {row.number} ({code}): {error}") from None


def _kwb_buurt(code: str, cells: dict[str, Any], wijken: dict[str, str]) -> KwbBuurt:
    homes = number(cells.get("a_woning"))
    share = number(cells.get("p_wcorpw"))
    buurt = KwbBuurt(
        code=code,
        name=_text(cells.get("regio")),
        district=wijken.get("WK" + code[2:8]),
        municipality=_text(cells.get("gm_naam")),
        homes=homes,
        regulated_homes=None if homes is None or share is None else round(homes * share / 100),
    )
    if share is not None:
        buurt.values["corporation_share"] = share
    low_income = number(cells.get("p_hh_li"))
    if low_income is not None:
        buurt.values["low_income_households"] = low_income
    benefits, inhabitants = number(cells.get("a_soz_wb")), number(cells.get("a_inw"))
    if benefits is not None and inhabitants and inhabitants >= MIN_INHABITANTS_FOR_RATE:
        buurt.values["social_assistance"] = round(1000 * benefits / inhabitants, 6)
    return buurt


def read_leefbaarometer(rows: Iterable[Row | RowProblem], columns: list[str] | None,
                        gemeente: str | None = None) -> Iterator[LbmMeasurement]:
    """Each buurt and year of a Leefbaarometer scores file (of one gemeente, when named): the
    five dimensions as `lbm_fys` … `lbm_won` and the total's deviation as `lbm_afw`."""
    digits = None if gemeente is None else gemeente_digits(gemeente)
    for row in _checked(rows, columns, LBM_COLUMNS, "Leefbaarometer"):
        cells = row.cells
        code = str(cells.get("bu_code") or "").strip()
        if not _in_gemeente(code, digits):
            continue
        try:
            year = number(cells.get("jaar"))
            if year is None:
                raise FileLayoutError("no year (`jaar`)")
            values = {}
            for column, key in (*LBM_DIMENSIONS.items(), LBM_TOTAL):
                value = number(cells.get(column))
                if value is not None:
                    values[key] = value
        except FileLayoutError as error:
            raise FileLayoutError(f"row {row.number} ({code}): {error}") from None
        yield LbmMeasurement(code, _text(cells.get("bu_naam")), int(year), values)


def _text(cell: Any) -> str | None:
    text = "" if cell is None else str(cell).strip()
    return text or None
