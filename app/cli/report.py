"""The readable form of a recommendation, printed with rich."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from app.cli.explain_report import print_diagnosis, print_explanation
from app.core.config import Settings
from app.schemas.recommendation import Recommendation, Spend

_STATUS_STYLE = {"optimal": "bold green", "feasible": "bold yellow"}


def print_report(console: Console, recommendation: Recommendation, settings: Settings) -> None:
    console.print(_header(recommendation, settings))
    if recommendation.message:
        console.print(Text(recommendation.message, style="italic"))
    for warning in recommendation.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))
    if recommendation.diagnosis is not None:
        print_diagnosis(console, recommendation.diagnosis)
    if recommendation.status not in ("optimal", "feasible"):
        return
    console.print(_allocations(recommendation))
    if recommendation.spend is not None:
        console.print(_spend_per_year(recommendation.spend))
        if recommendation.spend.per_resource:
            console.print(_resources(recommendation.spend))
    if recommendation.explanation is not None:
        print_explanation(console, recommendation.explanation)


def _header(r: Recommendation, settings: Settings) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    solver = r.solver
    grid.add_row("Status", Text(r.status, style=_STATUS_STYLE.get(r.status, "bold red")))
    grid.add_row("Objective", _number(r.objective, 2))
    grid.add_row("Bound", _number(r.bound, 2))
    grid.add_row("Gap", "–" if r.gap is None else f"{r.gap:.4%}")
    limit = f"time limit {solver.time_limit_s:g} s"
    if solver.time_limit_capped:
        limit += f" (capped at the maximum of {settings.max_time_limit_s:g} s)"
    grid.add_row(
        "Solver",
        Text(
            f"{solver.name} ({solver.solver_version}, PuLP {solver.pulp_version}), {limit}, "
            f"mip gap {solver.mip_gap:g}"
            + (f", {solver.threads} threads" if solver.threads else "")
        ),
    )
    t = solver.timings
    grid.add_row(
        "Timings",
        f"build {t.build_s:.3f} s, solve {t.solve_s:.3f} s, "
        f"explain {t.explain_s:.3f} s, total {t.total_s:.3f} s",
    )
    if r.model is not None:
        grid.add_row(
            "Model",
            f"{r.model.candidates:,} candidates, {r.model.variables:,} "
            f"variables, {r.model.constraints:,} constraints",
        )
    return grid


def _allocations(r: Recommendation) -> Table:
    table = Table(title=f"Allocations ({len(r.allocations)} runs)", title_justify="left")
    table.add_column("Intervention", overflow="fold")
    table.add_column("Neighbourhood", overflow="fold")
    table.add_column("Start", justify="right")
    table.add_column("Run years", justify="right", overflow="fold")
    table.add_column("Corporation", justify="right", overflow="fold")
    table.add_column("Partners", overflow="fold")
    table.add_column("Value", justify="right", overflow="fold")
    table.add_column("Value / €1,000", justify="right", overflow="fold")
    for a in r.allocations:
        where = a.neighbourhood + (f" {a.neighbourhood_name}" if a.neighbourhood_name else "")
        partners = ", ".join(
            f"{key} {_euro(amount)}" for key, amount in a.partner_contributions.items() if amount
        )
        per_thousand = (
            None if a.value_per_corporation_euro is None else a.value_per_corporation_euro * 1000
        )
        table.add_row(
            Text(a.intervention),
            Text(where),
            str(a.start_year),
            _years(a.run_years),
            _euro(a.corporation_cost),
            Text(partners or "–"),
            _number(a.value, 2),
            _number(per_thousand, 3),
        )
    return table


def _spend_per_year(spend: Spend) -> Table:
    table = Table(title="Corporation spend", title_justify="left")
    table.add_column("Year")
    table.add_column("Spend", justify="right")
    table.add_column("Limit", justify="right")
    for year in spend.per_year:
        table.add_row(str(year.year), _euro(year.corporation), _euro(year.limit))
    table.add_section()
    table.add_row("Total", _euro(spend.corporation_total), _euro(spend.corporation_limit))
    table.add_row("Partners", _euro(spend.partners_total), "")
    table.add_row("All funders", _euro(spend.cost_total), "")
    return table


def _resources(spend: Spend) -> Table:
    table = Table(title="Resource use", title_justify="left")
    table.add_column("Resource", overflow="fold")
    table.add_column("Year")
    table.add_column("Used", justify="right")
    table.add_column("Limit", justify="right")
    for use in spend.per_resource:
        table.add_row(Text(use.resource), str(use.year), f"{use.used:,.2f}", f"{use.limit:,.2f}")
    return table


def _years(years: list[int]) -> str:
    if not years:
        return "–"
    if years == list(range(years[0], years[-1] + 1)):
        return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def _euro(amount: float | None) -> str:
    return "–" if amount is None else f"€{amount:,.0f}"


def _number(value: float | None, decimals: int) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}"
