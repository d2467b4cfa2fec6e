"""The readable form of an explanation and a diagnosis: binding rules, next-step gains, the most
common reasons for not funding a pair, and the changes that would make a scenario feasible."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from app.schemas.explanation import REASON_ORDER, Diagnosis, Explanation, NextStep

_REASON_WORDS = {
    "not_eligible": "not eligible",
    "excluded_by_lock": "excluded by a lock",
    "no_need": "no need (no gap it would close)",
    "cannot_fit": "cannot fit (locking it in is infeasible)",
    "within_gap": "a near-tie (within the solver's gap)",
    "outcompeted": "outcompeted by the plan's runs",
}


def print_explanation(console: Console, explanation: Explanation) -> None:
    if explanation.binding:
        console.print(_binding(explanation))
    steps = [s for s in explanation.next_step if s.binding or (s.gain or 0) > 0]
    if steps:
        console.print(_next_steps(steps, len(explanation.next_step) - len(steps)))
    if explanation.candidates:
        console.print(_reasons(explanation))
    for note in explanation.notes:
        console.print(Text(f"note: {note}", style="italic"))


def print_diagnosis(console: Console, diagnosis: Diagnosis) -> None:
    table = Table(title="What would make it feasible", title_justify="left")
    table.add_column("Change", overflow="fold")
    for change in diagnosis.changes:
        table.add_row(Text(change.message))
    for option in diagnosis.alternatives:
        table.add_section()
        table.add_row(Text(option.summary, style="italic"))
    console.print(table)


def _binding(explanation: Explanation) -> Table:
    table = Table(title="Binding rules", title_justify="left")
    table.add_column("Rule", overflow="fold")
    table.add_column("Next step buys", justify="right")
    for rule in explanation.binding:
        table.add_row(Text(rule.message), "–" if rule.gain is None else f"{rule.gain:,.2f}")
    return table


def _next_steps(steps: list[NextStep], others: int) -> Table:
    title = "What the next step buys"
    if others:
        title += f" ({others} other lines cannot bind or buy nothing)"
    table = Table(title=title, title_justify="left")
    table.add_column("Line", overflow="fold")
    table.add_column("Used / limit", justify="right", overflow="fold")
    table.add_column("Step", justify="right")
    table.add_column("Gain", justify="right")
    table.add_column("Per €1,000 / unit", justify="right")
    table.add_column("Enters", overflow="fold")
    for s in sorted(steps, key=lambda s: -(s.gain or 0.0)):
        money = s.unit == "EUR"
        amount = (lambda v: f"€{v:,.0f}") if money else (lambda v: f"{v:,.4g}")
        per = None if s.gain_per_unit is None else s.gain_per_unit * (1000 if money else 1)
        enters = ", ".join(f"{r.intervention} in {r.neighbourhood}" for r in s.enters)
        table.add_row(
            Text(s.label),
            f"{amount(s.used)} / {amount(s.limit)}",
            "–" if s.step is None else amount(s.step),
            "–" if s.gain is None else f"{s.gain:,.2f}",
            "–" if per is None else f"{per:,.3f}",
            Text(enters or "–"),
        )
    return table


def _reasons(explanation: Explanation) -> Table:
    counts = Counter(row.reason for row in explanation.candidates)
    count = len(explanation.candidates)
    title = f"Why {count} pair{'s have' if count != 1 else ' has'} no run"
    table = Table(title=title, title_justify="left")
    table.add_column("Reason", overflow="fold")
    table.add_column("Pairs", justify="right")
    table.add_column("For example", overflow="fold")
    order = {reason: k for k, reason in enumerate(REASON_ORDER)}
    for reason, count in sorted(counts.items(), key=lambda rc: (-rc[1], order[rc[0]])):
        first = next(row for row in explanation.candidates if row.reason == reason)
        example = f"{first.intervention} in {first.neighbourhood}: {first.message}"
        table.add_row(_REASON_WORDS[reason], str(count), Text(example))
    return table
