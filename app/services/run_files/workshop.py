"""A comparison and a sweep's frontier as files, in the layout of the run files (`tables`):
numbers stay numbers, euro columns carry the euro format."""

from __future__ import annotations

import json
from typing import Any

from app.schemas.workshop import Comparison, FundedRun, SweepOut
from app.services.run_files.spreadsheet import table_csv, tables_xlsx
from app.services.run_files.tables import Table, Value

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def comparison_xlsx(comparison: Comparison) -> bytes:
    return tables_xlsx(comparison_tables(comparison))


def comparison_tables(comparison: Comparison) -> list[Table]:
    """Runs are numbered 1…k in their order (1 is the base); the runs sheet gives their ids."""
    k = range(1, len(comparison.runs) + 1)
    runs = Table("runs", ["run", "run_id", "scenario_id", "scenario_version", "status",
                          "objective", "bound", "gap", "corporation_spend", "corporation_limit"],
                 frozenset({"corporation_spend", "corporation_limit"}))
    runs.rows.extend([n, str(r.run_id), str(r.scenario_id), r.scenario_version, r.status,
                      r.objective, r.bound, r.gap, r.corporation_spend, r.corporation_limit]
                     for n, r in zip(k, comparison.runs, strict=True))
    amounts = [f"amount {n}" for n in k]
    limits = [f"limit {n}" for n in k]
    spend = Table("spend", ["line", "key", "year", *amounts, *limits],
                  frozenset({*amounts, *limits}))
    spend.rows.extend([line.line, line.key, line.year, *[c.amount for c in line.runs],
                       *[c.limit for c in line.runs]] for line in comparison.spend)
    allocations = Table("allocations", ["group", "runs", "intervention", "neighbourhood",
                                        "neighbourhood_name", "start_year"])
    number = {r.run_id: n for n, r in zip(k, comparison.runs, strict=True)}
    a = comparison.allocations
    allocations.rows.extend(_funded("in_all", "", f) for f in a.in_all)
    for only in a.only_in:
        allocations.rows.extend(_funded("only_in", str(number[only.run_id]), f)
                                for f in only.allocations)
    allocations.rows.extend(
        _funded("in_some", " ".join(str(number[r]) for r in s.run_ids), s.allocation)
        for s in a.in_some)
    moved = Table("moved", ["intervention", "neighbourhood", "neighbourhood_name",
                            *[f"start years {n}" for n in k]])
    moved.rows.extend([m.intervention, m.neighbourhood, m.neighbourhood_name,
                       *[" ".join(map(str, years)) for years in m.start_years]] for m in a.moved)
    improvements = Table("improvements", ["neighbourhood", "domain",
                                          *[f"gap closed {n}" for n in k],
                                          *[f"need {n}" for n in k]])
    improvements.rows.extend([i.neighbourhood, i.domain, *i.gap_closed, *i.need]
                             for i in comparison.improvements)
    differences = Table("differences", ["path", *[f"run {n}" for n in k]])
    differences.rows.extend([d.path, *[cell(v) for v in d.values]]
                            for d in comparison.differences)
    return [runs, spend, allocations, moved, improvements, differences]


def _funded(group: str, runs: str, f: FundedRun) -> list[Value]:
    return [group, runs, f.intervention, f.neighbourhood, f.neighbourhood_name, f.start_year]


def cell(value: Any) -> Value:
    """A scenario value as one cell: numbers, text and booleans as they are, anything else
    (objects, lists) as its JSON."""
    if value is None or isinstance(value, str | int | float | bool):
        return value  # type: ignore[no-any-return]
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def frontier_table(sweep: SweepOut) -> Table:
    table = Table("frontier", ["budget", "run_id", "state", "status", "objective", "bound",
                               "gap", "corporation_spend", "enter", "leave"],
                  frozenset({"budget", "corporation_spend"}))
    table.rows.extend([p.budget, str(p.run_id), p.state, p.status, p.objective, p.bound, p.gap,
                       p.corporation_spend, funded_text(p.enter), funded_text(p.leave)]
                      for p in sweep.points)
    return table


def funded_text(runs: list[FundedRun] | None) -> str | None:
    """`caretaker@BU05991571@2027 coach@BU05991488@2028`: the runs, space-separated."""
    if runs is None:
        return None
    return " ".join(f"{r.intervention}@{r.neighbourhood}@{r.start_year}" for r in runs)


def frontier_csv(sweep: SweepOut) -> bytes:
    return table_csv(frontier_table(sweep))


def frontier_xlsx(sweep: SweepOut) -> bytes:
    return tables_xlsx([frontier_table(sweep)])
