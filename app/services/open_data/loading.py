"""Use cases: the buurten and measurements read from an open-data file, written into one
organisation's catalogue in a single transaction (the caller's), batch by batch.

Rows go through the bulk import's row models and writers (`app.services.imports`), so a value
the API would refuse is refused here too, and the same file loaded twice changes nothing. A
figure the file does not give (CBS's `.`) leaves what the catalogue holds; a buurt the catalogue
does not hold and the file gives no homes for cannot be created and is skipped. Indicators the
catalogue lacks are created; those it holds are left as the organisation defined them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.core.security import Principal
from app.repositories.bulk import Counts
from app.repositories.catalogue import NeighbourhoodRepository
from app.schemas.catalogue import IndicatorWrite
from app.services.access import audit
from app.services.catalogue.demo import CBS, LBM, LBM_INDICATORS
from app.services.imports.kinds import (
    ImportKind,
    IndicatorRow,
    MeasurementRow,
    NeighbourhoodRow,
)
from app.services.imports.transaction import BATCH_ROWS
from app.services.imports.writers import Numbered, References, write_batch
from app.services.open_data.formats import KwbBuurt, LbmMeasurement

T = TypeVar("T")
MAX_PROBLEMS_SHOWN = 20

KWB_INDICATORS = {
    "corporation_share": IndicatorWrite(label="Homes owned by housing corporations",
                                        direction="higher_is_better", unit="%", source=CBS),
    "low_income_households": IndicatorWrite(label="Low-income households",
                                            direction="higher_is_worse", unit="%", source=CBS),
    "social_assistance": IndicatorWrite(label="Social-assistance benefits per 1,000 inhabitants",
                                        domain="vulnerable_residents",
                                        direction="higher_is_worse",
                                        unit="per 1,000 inhabitants", source=CBS),
}
LBM_UNIT = "deviation from the national reference"
LEEFBAAROMETER_INDICATORS = {
    **{key: IndicatorWrite(label=label, domain=domain, direction="higher_is_better",
                           unit=LBM_UNIT, source=LBM, reference_value=0.0)
       for key, (label, domain) in LBM_INDICATORS.items()},
    "lbm_afw": IndicatorWrite(label="Leefbaarometer: total score, deviation from the national "
                              "reference", direction="higher_is_better", unit=LBM_UNIT,
                              source=LBM),
}


class OpenDataRefused(Exception):
    """Values the catalogue cannot hold (or a buurt twice); nothing is written."""

    def __init__(self, problems: list[str], count: int) -> None:
        more = f" (and {count - len(problems)} more)" if count > len(problems) else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''}{more}: "
                         + "; ".join(problems))
        self.problems = problems
        self.count = count


@dataclass
class LoadSummary:
    read: int = 0  # buurten (KWB) or buurt-years (Leefbaarometer) in the file, after the filter
    buurten: Counts = field(default_factory=Counts)
    measurements: Counts = field(default_factory=Counts)
    indicators_created: list[str] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)  # buurt codes that could not be loaded
    _problems: list[str] = field(default_factory=list)
    _problem_count: int = 0

    def problem(self, text: str) -> None:
        self._problem_count += 1
        if len(self._problems) < MAX_PROBLEMS_SHOWN:
            self._problems.append(text)

    def raise_problems(self) -> None:
        if self._problem_count:
            raise OpenDataRefused(self._problems, self._problem_count)


def _batches(items: Iterable[T]) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH_ROWS)):
        yield batch


def _valid(model: type[BaseModel], document: dict[str, Any], where: str,
           summary: LoadSummary) -> BaseModel | None:
    try:
        return model.model_validate(document)
    except ValidationError as error:
        for item in error.errors():
            column = ".".join(str(part) for part in item["loc"])
            summary.problem(f"{where} {column}: {item['msg']}")
        return None


def _ensure_indicators(session: Session, principal: Principal,
                       wanted: dict[str, IndicatorWrite], summary: LoadSummary) -> None:
    references = References(session, principal.organisation_id)
    missing = [(number, IndicatorRow(key=key, **body.model_dump()))
               for number, (key, body) in enumerate(wanted.items())
               if key not in references.indicators]
    if missing:
        write_batch(session, references, ImportKind.indicators, missing, write=True)
        summary.indicators_created = [row.key for _, row in missing]


def _write_measurements(session: Session, principal: Principal, rows: Numbered,
                        summary: LoadSummary) -> None:
    if not rows:
        return
    counts, problems = write_batch(session, References(session, principal.organisation_id),
                                   ImportKind.measurements, rows, write=True)
    summary.measurements.add(counts)
    for problem in problems:
        summary.problem(f"{problem.value}: {problem.message}")


def load_kwb(session: Session, principal: Principal, buurten: Iterable[KwbBuurt], *,
             year: int) -> LoadSummary:
    """Upsert each buurt (name, wijk, gemeente, homes, regulated homes) and its KWB
    measurements of `year`; the caller commits, or rolls back on `OpenDataRefused`."""
    summary = LoadSummary()
    _ensure_indicators(session, principal, KWB_INDICATORS, summary)
    seen: set[str] = set()
    stored_buurten = NeighbourhoodRepository(session, principal.organisation_id)
    for batch in _batches(buurten):
        summary.read += len(batch)
        stored = stored_buurten.by_keys([buurt.code for buurt in batch])
        rows: Numbered = []
        measurements: Numbered = []
        for buurt in batch:
            if buurt.code in seen:
                summary.problem(f"{buurt.code}: the buurt is in the file twice")
                continue
            seen.add(buurt.code)
            before = stored.get(buurt.code)
            homes = buurt.homes if buurt.homes is not None else (
                None if before is None else before.homes)
            if homes is None:
                summary.skipped.add(buurt.code)
                continue
            regulated = buurt.regulated_homes if buurt.regulated_homes is not None else (
                0.0 if before is None else before.regulated_homes)
            row = _valid(NeighbourhoodRow, {
                "code": buurt.code, "name": buurt.name or (before and before.name),
                "district": buurt.district or (before and before.district),
                "municipality": buurt.municipality or (before and before.municipality),
                "homes": float(homes), "regulated_homes": float(min(regulated, homes)),
            }, buurt.code, summary)
            if row is None:
                continue
            rows.append((len(rows), row))
            for key, value in buurt.values.items():
                measured = _valid(MeasurementRow, {"neighbourhood": buurt.code,
                                                   "indicator": key, "year": year,
                                                   "value": value}, buurt.code, summary)
                if measured is not None:
                    measurements.append((len(measurements), measured))
        if rows:
            references = References(session, principal.organisation_id)
            counts, _ = write_batch(session, references, ImportKind.neighbourhoods, rows,
                                    write=True)
            summary.buurten.add(counts)
        _write_measurements(session, principal, measurements, summary)
    summary.raise_problems()
    _audit(session, principal, "open_data.cbs_kwb", summary)
    return summary


def load_leefbaarometer(session: Session, principal: Principal,
                        measured: Iterable[LbmMeasurement]) -> LoadSummary:
    """Upsert the Leefbaarometer measurements of the buurten the catalogue holds (the others
    are skipped: load their KWB file first, it gives their homes)."""
    summary = LoadSummary()
    _ensure_indicators(session, principal, LEEFBAAROMETER_INDICATORS, summary)
    seen: set[tuple[str, int]] = set()
    for batch in _batches(measured):
        summary.read += len(batch)
        known = References(session, principal.organisation_id).neighbourhoods
        rows: Numbered = []
        for item in batch:
            if (item.code, item.year) in seen:
                summary.problem(f"{item.code}: {item.year} is in the file twice")
                continue
            seen.add((item.code, item.year))
            if item.code not in known:
                summary.skipped.add(item.code)
                continue
            for key, value in item.values.items():
                row = _valid(MeasurementRow, {"neighbourhood": item.code, "indicator": key,
                                              "year": item.year, "value": value},
                             item.code, summary)
                if row is not None:
                    rows.append((len(rows), row))
        _write_measurements(session, principal, rows, summary)
    summary.raise_problems()
    _audit(session, principal, "open_data.leefbaarometer", summary)
    return summary


def _audit(session: Session, principal: Principal, action: str, summary: LoadSummary) -> None:
    changed = {
        "buurten created": summary.buurten.created, "buurten updated": summary.buurten.updated,
        "measurements created": summary.measurements.created,
        "measurements updated": summary.measurements.updated,
    }
    if any(changed.values()) or summary.indicators_created:
        audit.record(session, principal, action, "neighbourhood", "(many)",
                     changes={name: [None, value] for name, value in changed.items() if value})
