"""Use case: 2–4 runs side by side (the first is the base): headline figures, spend against
limits, what each funds, improvements per neighbourhood × domain, and every field of their
scenario documents that differs."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.security import Principal
from app.models import Run
from app.repositories.runs import RunRepository
from app.schemas.recommendation import Recommendation, Spend
from app.schemas.workshop import (
    MAX_COMPARED_RUNS,
    MIN_COMPARED_RUNS,
    AllocationComparison,
    Comparison,
    Difference,
    FundedRun,
    ImprovementComparison,
    InSome,
    Moved,
    RunHeadline,
    RunOnly,
    SpendCell,
    SpendLine,
)

Key = tuple[str, str, int]  # intervention, neighbourhood, start year
_RUNS_PATH = "query.runs"


@dataclass(frozen=True)
class ComparedRun:
    """What a comparison reads of one run."""

    headline: RunHeadline
    document: dict[str, Any]
    recommendation: Recommendation


def parse_run_ids(text: str) -> list[uuid.UUID]:
    """`a,b[,c,d]` → the ids, in order; 422 naming `query.runs` otherwise."""
    parts = [part.strip() for part in text.split(",")]
    ids: list[uuid.UUID] = []
    for index, part in enumerate(parts):
        try:
            ids.append(uuid.UUID(part))
        except ValueError:
            raise _invalid(f"item {index + 1} ({part[:40]!r}) is not a run id") from None
    if not MIN_COMPARED_RUNS <= len(ids) <= MAX_COMPARED_RUNS:
        raise _invalid(
            f"give {MIN_COMPARED_RUNS} to {MAX_COMPARED_RUNS} run ids separated by commas "
            f"(got {len(ids)})"
        )
    if len(set(ids)) != len(ids):
        raise _invalid("a run is named twice")
    return ids


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"path": _RUNS_PATH, "message": message}])


def compare_runs(
    session: Session, principal: Principal, run_ids: Sequence[uuid.UUID]
) -> Comparison:
    """404 for a run that is not the organisation's; 409 for one without a plan yet."""
    return compare(load_compared(session, principal, run_ids))


def load_compared(
    session: Session, principal: Principal, run_ids: Sequence[uuid.UUID]
) -> list[ComparedRun]:
    repository = RunRepository(session, principal.organisation_id)
    rows = []
    for run_id in run_ids:  # every run is looked for before any is read
        row = repository.get(run_id)
        if row is None:
            raise NotFound(f"no run {run_id}")
        rows.append(row)
    return [compared_run(row) for row in rows]


def compared_run(row: Run) -> ComparedRun:
    if row.recommendation is None:
        raise Conflict(
            f"run {row.id} has no plan to compare yet: it is {row.state}"
            + (f" ({row.error})" if row.error else "")
        )
    recommendation = Recommendation.model_validate(row.recommendation)
    spend = recommendation.spend
    return ComparedRun(
        headline=RunHeadline(
            run_id=row.id,
            scenario_id=row.scenario_id,
            scenario_version=row.version_number,
            state=row.state,  # type: ignore[arg-type]
            status=recommendation.status,
            objective=recommendation.objective,
            bound=recommendation.bound,
            gap=recommendation.gap,
            corporation_spend=None if spend is None else spend.corporation_total,
            corporation_limit=(row.document.get("budget") or {}).get("total"),
        ),
        document=row.document,
        recommendation=recommendation,
    )


def compare(runs: Sequence[ComparedRun]) -> Comparison:
    return Comparison(
        base_run_id=runs[0].headline.run_id,
        runs=[run.headline for run in runs],
        spend=spend_lines([run.recommendation.spend for run in runs]),
        allocations=allocation_comparison(
            [run.headline.run_id for run in runs], [run.recommendation for run in runs]
        ),
        improvements=improvement_comparison([run.recommendation for run in runs]),
        differences=differences([run.document for run in runs]),
    )


# --- spend ------------------------------------------------------------------------------------


def spend_lines(spends: Sequence[Spend | None]) -> list[SpendLine]:
    """Every spend figure of any run, in first-seen order, with each run's amount and limit."""
    cells: dict[tuple[str, str, int | None], dict[int, SpendCell]] = {}

    def put(index: int, line: str, key: str, year: int | None, amount: float,
            limit: float | None) -> None:
        cells.setdefault((line, key, year), {})[index] = SpendCell(amount=amount, limit=limit)

    for index, spend in enumerate(spends):
        if spend is None:
            continue
        put(index, "corporation_total", "", None, spend.corporation_total, spend.corporation_limit)
        for y in spend.per_year:
            put(index, "year", "", y.year, y.corporation, y.limit)
        for d in spend.per_domain:
            put(index, "domain", d.domain, None, d.corporation, d.budget_total)
            for y in d.per_year:
                put(index, "domain", d.domain, y.year, y.corporation, y.limit)
        for p in spend.per_partner:
            put(index, "partner", p.partner, None, p.total, p.limit_total)
            for y in p.per_year:
                put(index, "partner", p.partner, y.year, y.corporation, y.limit)
        for area in spend.per_area:
            key = "/".join(part or "" for part in (area.municipality, area.district))
            put(index, "area", key, None, area.corporation, area.limit_total)
            for y in area.per_year:
                put(index, "area", key, y.year, y.corporation, y.limit)
    return [
        SpendLine(
            line=line,  # type: ignore[arg-type]
            key=key,
            year=year,
            runs=[by_run.get(i, SpendCell(amount=None)) for i in range(len(spends))],
        )
        for (line, key, year), by_run in cells.items()
    ]


# --- allocations ------------------------------------------------------------------------------


def funded(recommendation: Recommendation) -> dict[Key, FundedRun]:
    return {
        (a.intervention, a.neighbourhood, a.start_year): FundedRun(
            intervention=a.intervention,
            neighbourhood=a.neighbourhood,
            neighbourhood_name=a.neighbourhood_name,
            start_year=a.start_year,
        )
        for a in recommendation.allocations
    }


def funded_allocations(allocations: Iterable[Mapping[str, Any]]) -> dict[Key, FundedRun]:
    """`funded` of a stored recommendation's allocations, read without the rest of it."""
    runs = (FundedRun.model_validate(allocation) for allocation in allocations)
    return {(run.intervention, run.neighbourhood, run.start_year): run for run in runs}


def allocation_comparison(
    run_ids: Sequence[uuid.UUID], recommendations: Sequence[Recommendation]
) -> AllocationComparison:
    """`moved`: a pair (intervention, neighbourhood) every run funds, not from the same start
    years in all; its runs are in neither `only_in` nor `in_some`."""
    plans = [funded(r) for r in recommendations]
    everything: dict[Key, FundedRun] = {}
    for plan in plans:
        for key, run in plan.items():
            everything.setdefault(key, run)
    years: dict[tuple[str, str], list[list[int]]] = defaultdict(
        lambda: [[] for _ in plans]
    )
    for index, plan in enumerate(plans):
        for intervention, neighbourhood, year in plan:
            years[(intervention, neighbourhood)][index].append(year)
    moved_pairs = {
        pair: [sorted(y) for y in per_run]
        for pair, per_run in years.items()
        if all(per_run) and len({tuple(sorted(y)) for y in per_run}) > 1
    }
    in_all, in_some = [], []
    only_in: list[list[FundedRun]] = [[] for _ in plans]
    for key in sorted(everything):
        holders = [i for i, plan in enumerate(plans) if key in plan]
        if len(holders) == len(plans):
            in_all.append(everything[key])
        elif key[:2] in moved_pairs:
            continue
        elif len(holders) == 1:
            only_in[holders[0]].append(everything[key])
        else:
            in_some.append(
                InSome(allocation=everything[key], run_ids=[run_ids[i] for i in holders])
            )
    return AllocationComparison(
        in_all=in_all,
        only_in=[RunOnly(run_id=run_ids[i], allocations=only) for i, only in enumerate(only_in)],
        in_some=in_some,
        moved=[
            Moved(
                intervention=intervention,
                neighbourhood=neighbourhood,
                neighbourhood_name=next(
                    run.neighbourhood_name
                    for key, run in everything.items()
                    if key[:2] == (intervention, neighbourhood)
                ),
                start_years=per_run,
            )
            for (intervention, neighbourhood), per_run in sorted(moved_pairs.items())
        ],
    )


def enter_leave(
    before: Mapping[Key, FundedRun] | None, after: Mapping[Key, FundedRun]
) -> tuple[list[FundedRun], list[FundedRun]]:
    """What `after` funds that `before` does not, and the reverse (sorted)."""
    then = {} if before is None else before
    return (
        [after[key] for key in sorted(after.keys() - then.keys())],
        [then[key] for key in sorted(then.keys() - after.keys())],
    )


# --- improvements -----------------------------------------------------------------------------


def improvement_comparison(
    recommendations: Sequence[Recommendation],
) -> list[ImprovementComparison]:
    closed: dict[tuple[str, str], list[float | None]] = {}
    need: dict[tuple[str, str], list[float | None]] = {}
    for index, recommendation in enumerate(recommendations):
        for cell in recommendation.improvements:
            key = (cell.neighbourhood, cell.domain)
            row_closed = closed.setdefault(key, [None] * len(recommendations))
            row_need = need.setdefault(key, [None] * len(recommendations))
            row_closed[index] = (row_closed[index] or 0.0) + cell.gap_closed
            row_need[index] = (row_need[index] or 0.0) + cell.gap
    return [
        ImprovementComparison(
            neighbourhood=neighbourhood,
            domain=domain,
            gap_closed=[None if v is None else round(v, 9) for v in closed[key]],
            need=[None if v is None else round(v, 9) for v in need[key]],
        )
        for key in sorted(closed)
        for neighbourhood, domain in [key]
    ]


# --- documents --------------------------------------------------------------------------------

_ABSENT = object()


def differences(documents: Sequence[Any]) -> list[Difference]:
    """Every leaf where the documents differ, as a JSON path (`budget.per_year[1]`) with each
    document's value. Objects are compared key by key and lists item by item; where one
    document has a value (or a list item) the others lack, they show null."""
    found: list[Difference] = []
    stack: list[tuple[tuple[int | str, ...], list[Any]]] = [((), list(documents))]
    while stack:
        trail, values = stack.pop()
        present = [v for v in values if v is not _ABSENT]
        if all(isinstance(v, dict) for v in present) and present:
            keys: dict[str, None] = {}
            for v in present:
                keys.update(dict.fromkeys(v))
            for key in reversed(list(keys)):
                stack.append(
                    ((*trail, key), [_ABSENT if v is _ABSENT else v.get(key, _ABSENT)
                                     for v in values])
                )
        elif all(isinstance(v, list) for v in present) and present:
            longest = max(len(v) for v in present)
            for index in reversed(range(longest)):
                stack.append(
                    ((*trail, index),
                     [v[index] if v is not _ABSENT and index < len(v) else _ABSENT
                      for v in values])
                )
        elif not _all_equal(values):
            found.append(
                Difference(
                    path=_path(trail),
                    values=[None if v is _ABSENT else v for v in values],
                )
            )
    return found


def _all_equal(values: list[Any]) -> bool:
    first = values[0]
    return all(
        (v is _ABSENT) == (first is _ABSENT) and (v is _ABSENT or _same(v, first))
        for v in values[1:]
    )


def _same(a: Any, b: Any) -> bool:
    # 1 and 1.0 are one number in JSON; True and 1 are not the same value.
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _path(trail: Sequence[int | str]) -> str:
    """`("budget", "per_year", 1)` → `budget.per_year[1]`, as validation errors name paths."""
    path = ""
    for part in trail:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path
