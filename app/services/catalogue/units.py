"""Use cases: rentable units (VHE), their measurements, and what they add up to per buurt.

An indicator with a `unit_aggregation` is measured per unit; its value for a buurt and year is
made from the measurements of the buurt's units that year:

- `mean`: the sum of the values over the units measured, divided by their number;
- `share`: the percentage of all the buurt's units whose value is above 0;
- `count`: the sum of the values per 100 of all the buurt's units.

These buurt values take the place of values stored on the neighbourhood for the same indicator
and year, and feed the normalisation (`app.services.catalogue.normalisation`) like any other.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.errors import NotFound, ValidationFailed
from app.core.security import Principal
from app.models import Neighbourhood, Unit, UnitMeasurement, utcnow
from app.repositories import bulk
from app.repositories.catalogue import IndicatorRepository, NeighbourhoodRepository
from app.repositories.units import MeasuredGroup, UnitMeasurementRepository, UnitRepository
from app.schemas.common import Page
from app.schemas.units import (
    DerivedHomes,
    HomesDerived,
    HomesFromUnits,
    UnitAggregate,
    UnitAggregates,
    UnitMeasurementsWrite,
    UnitOut,
    UnitSummary,
    UnitValue,
    UnitWrite,
    WriteCounts,
)
from app.services.access import audit
from app.services.catalogue.entries import page, upsert
from app.services.interface import etags

# values[neighbourhood code][indicator key][year], as
# `app.services.catalogue.normalisation` reads them
UnitValues = dict[str, dict[str, dict[int, float]]]


def aggregate(aggregation: str, units: int, measured: int, total: float, positive: int) -> float:
    """The buurt's value from its units' measurements of one indicator and year."""
    if aggregation == "mean":
        return total / measured
    if aggregation == "share":
        return 100 * positive / units
    if aggregation == "count":
        return 100 * total / units
    raise ValueError(f"unknown unit aggregation {aggregation!r}")


def put_unit(
    session: Session, principal: Principal, vhe: str, body: UnitWrite, if_match: str | None = None
) -> tuple[UnitOut, bool]:
    repository = UnitRepository(session, principal.organisation_id)
    current = repository.with_measurements(vhe)
    etags.check_if_match(if_match, None if current is None else unit_out(current), f"unit {vhe!r}")
    buurten = NeighbourhoodRepository(session, principal.organisation_id)
    if buurten.by_key(body.neighbourhood) is None:
        message = f"no neighbourhood {body.neighbourhood!r} in the catalogue; create it first"
        raise ValidationFailed(
            f"neighbourhood: {message}", errors=[{"path": "neighbourhood", "message": message}]
        )
    row, created = upsert(session, principal, repository, "unit", vhe, body.model_dump(), Unit)
    return unit_out(row), created


def get_unit(session: Session, principal: Principal, vhe: str) -> UnitOut:
    row = UnitRepository(session, principal.organisation_id).with_measurements(vhe)
    if row is None:
        raise NotFound(f"no unit {vhe!r}")
    return unit_out(row)


def unit_out(row: Unit) -> UnitOut:
    return UnitOut(
        **UnitSummary.model_validate(row, from_attributes=True).model_dump(),
        measurements=[UnitValue(indicator=m.indicator, year=m.year, value=m.value)
                      for m in sorted(row.measurements, key=lambda m: (m.indicator, m.year))],
    )


def list_units(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    cursor: str | None,
    neighbourhood: str | None = None,
    complex_id: str | None = None,
) -> Page[UnitSummary]:
    filters = []
    if neighbourhood is not None:
        filters.append(Unit.neighbourhood == neighbourhood)
    if complex_id is not None:
        filters.append(Unit.complex_id == complex_id)
    return page(
        UnitRepository(session, principal.organisation_id),
        lambda row: UnitSummary.model_validate(row, from_attributes=True),
        limit=limit,
        cursor=cursor,
        filters=filters,
    )


# --- measurements ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    unit_id: uuid.UUID
    indicator: str
    year: int
    value: float


def write_measurements(
    session: Session, principal: Principal, measured: Iterable[Measured]
) -> WriteCounts:
    """Upsert by (unit, indicator, year); the caller has checked every reference and that no
    (unit, indicator, year) comes twice."""
    counts = bulk.upsert(
        session,
        UnitMeasurement,
        principal.organisation_id,
        ("unit_id", "indicator", "year"),
        [{"unit_id": m.unit_id, "indicator": m.indicator, "year": m.year, "value": m.value}
         for m in measured],
        write=True,
        stamped=False,
    )
    return WriteCounts(created=counts.created, updated=counts.updated,
                       unchanged=counts.unchanged)


def put_measurements(
    session: Session, principal: Principal, body: UnitMeasurementsWrite
) -> WriteCounts:
    organisation = principal.organisation_id
    items = body.measurements
    unit_ids = UnitRepository(session, organisation).ids_by_vhe(list({m.unit for m in items}))
    aggregated = {row.key for row in IndicatorRepository(session, organisation).everything()
                  if row.unit_aggregation is not None}
    errors: list[dict[str, str]] = []
    first: dict[tuple[str, str, int], int] = {}
    for index, item in enumerate(items):
        where = f"measurements[{index}]"
        if item.unit not in unit_ids:
            errors.append({"path": f"{where}.unit", "message": f"no unit {item.unit!r}"})
        if item.indicator not in aggregated:
            errors.append({"path": f"{where}.indicator", "message":
                           f"no indicator {item.indicator!r} with a unit_aggregation"})
        seen = first.setdefault((item.unit, item.indicator, item.year), index)
        if seen != index:
            errors.append({"path": where, "message": f"the same unit, indicator and year as "
                                                     f"measurements[{seen}]"})
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValidationFailed(f"{errors[0]['path']}: {errors[0]['message']}{more}",
                               errors=errors)
    counts = write_measurements(session, principal, (
        Measured(unit_ids[m.unit], m.indicator, m.year, m.value) for m in items))
    if counts.created or counts.updated:
        audit.record(session, principal, "unit.measurements", "unit", "(many)",
                     changes={"created": [None, counts.created],
                              "updated": [None, counts.updated]})
    return counts


# --- per buurt ---------------------------------------------------------------------------


def _aggregates(groups: list[MeasuredGroup], units: dict[str, tuple[int, int]]
                ) -> list[UnitAggregate]:
    return [
        UnitAggregate(
            neighbourhood=group.neighbourhood,
            indicator=group.indicator,
            year=group.year,
            aggregation=group.aggregation,
            value=aggregate(group.aggregation, units[group.neighbourhood][0], group.measured,
                            group.total, group.positive),
            units=units[group.neighbourhood][0],
            measured=group.measured,
        )
        for group in groups
    ]


def get_aggregates(
    session: Session,
    principal: Principal,
    *,
    neighbourhood: str | None = None,
    indicator: str | None = None,
) -> UnitAggregates:
    organisation = principal.organisation_id
    groups = UnitMeasurementRepository(session, organisation).groups(neighbourhood, indicator)
    units = UnitRepository(session, organisation).counts(None if neighbourhood is None
                                                         else [neighbourhood])
    return UnitAggregates(items=_aggregates(groups, units))


def unit_values(session: Session, principal: Principal) -> UnitValues:
    values: UnitValues = {}
    for item in get_aggregates(session, principal).items:
        values.setdefault(item.neighbourhood, {}).setdefault(item.indicator, {})[item.year] = (
            item.value
        )
    return values


def derive_homes(session: Session, principal: Principal, body: HomesFromUnits) -> HomesDerived:
    """Set `homes` and `regulated_homes` of buurten to their units and regulated units."""
    organisation = principal.organisation_id
    counts = UnitRepository(session, organisation).counts(body.neighbourhoods)
    codes = sorted(counts) if body.neighbourhoods is None else body.neighbourhoods
    rows = NeighbourhoodRepository(session, organisation).by_keys(codes)
    missing = [code for code in codes if code not in rows]
    if missing:
        errors = [{"path": f"neighbourhoods[{codes.index(code)}]",
                   "message": f"no neighbourhood {code!r} in the catalogue"} for code in missing]
        raise ValidationFailed(f"{errors[0]['path']}: {errors[0]['message']}", errors=errors)
    items = []
    for code in codes:
        row: Neighbourhood = rows[code]
        units, regulated = counts.get(code, (0, 0))
        before = {"homes": row.homes, "regulated_homes": row.regulated_homes}
        after = {"homes": float(units), "regulated_homes": float(regulated)}
        changes = audit.diff(before, after)
        if changes:
            row.homes, row.regulated_homes, row.updated_at = units, regulated, utcnow()
            audit.record(session, principal, "neighbourhood.homes_from_units", "neighbourhood",
                         code, changes=changes)
        items.append(DerivedHomes(code=code, homes=units, regulated_homes=regulated,
                                  homes_before=before["homes"],
                                  regulated_homes_before=before["regulated_homes"]))
    session.flush()
    return HomesDerived(items=items)
