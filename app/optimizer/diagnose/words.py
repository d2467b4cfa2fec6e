"""Plain words, with amounts, for the changes an elastic solution makes (see `diagnose`).

Money is rounded up to whole euros and capacity to 1e-4 units, shares towards the change at
0.01 %, the cap up to the cent: applying a change as written always keeps it sufficient.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from app.optimizer.problem.instance import Instance
from app.optimizer.problem.lines import Line, domain_label, euros, hood_name
from app.optimizer.problem.rules import lock_label
from app.schemas.explanation import DiagnosisChange


@dataclass
class Slack:
    """An elastic column: how far one row may give, in the row's model units."""

    col: int
    row: int
    key: str  # a line key, a share rule's row kind, or a structural rule's key
    line: Line | None


def sentence(changes: list[DiagnosisChange]) -> str:
    text = "; ".join(c.message for c in changes)
    return text[0].upper() + text[1:] + "."


def lock_changes(inst: Instance, released: list[int]) -> list[DiagnosisChange]:
    return [
        DiagnosisChange(
            kind="release_lock", target=f"lock:{k}", message=f"release {lock_label(inst, k)}"
        )
        for k in sorted(released)
    ]


def limit_changes(
    inst: Instance, used: list[tuple[Slack, float]], chosen: np.ndarray
) -> list[DiagnosisChange]:
    """Plain-words changes for the slacks an elastic solution used (amounts rounded up)."""
    out: list[DiagnosisChange] = []
    caps = [
        (s, amount)
        for s, amount in used
        if s.line is not None and s.line.kind == "cap_per_regulated_home"
    ]
    for slack, amount in used:
        line = slack.line
        if line is None or line.kind == "cap_per_regulated_home":
            continue
        needed = amount * line.scale
        more = math.ceil(needed - 1e-6) if line.money else math.ceil(needed * 1e4 - 1e-6) / 1e4
        proposed = line.limit + more
        if line.money:
            message = (
                f"add {euros(more)} to {line.label} (from {euros(line.limit)} to {euros(proposed)})"
            )
        else:
            message = f"raise {line.label} from {line.limit:g} to {proposed:g}"
        out.append(
            DiagnosisChange(
                kind="raise_limit",
                target=line.key,
                current=line.limit,
                proposed=proposed,
                amount=more,
                message=message,
            )
        )
    if caps:
        out.append(_cap_change(inst, chosen))
    out += _share_changes(inst, [s for s, _ in used if s.line is None], chosen)
    return out


def _cap_change(inst: Instance, chosen: np.ndarray) -> DiagnosisChange:
    cap = float(inst.scenario.rules.cap_per_regulated_home or 0.0)
    counts = [i.counts_toward_cap for i in inst.scenario.interventions]
    counting = np.array(counts, dtype=bool)[inst.cand_i]
    needed = cap
    for n in range(len(inst.codes)):
        members = counting & (inst.cand_n == n) & (chosen > 0.5)
        spend = inst.corporation[members].sum(axis=0)
        homes = float(inst.regulated_homes[n])
        if spend.max(initial=0.0) > cap * homes + 1e-6:
            needed = max(needed, math.inf if homes == 0 else float(spend.max()) / homes)
    proposed = math.ceil(needed * 100 - 1e-6) / 100 if math.isfinite(needed) else None
    message = (
        f"raise the cap per regulated home from {euros(cap)} to €{proposed:,.2f}"
        if proposed is not None
        else "lift the cap per regulated home for buurten without regulated homes"
    )
    return DiagnosisChange(
        kind="change_rule",
        target="cap_per_regulated_home",
        current=cap,
        proposed=proposed,
        amount=None if proposed is None else round(proposed - cap, 6),
        message=message,
    )


def _share_changes(
    inst: Instance, slacks: list[Slack], chosen: np.ndarray
) -> list[DiagnosisChange]:
    rules = inst.scenario.rules
    spend = inst.corporation.sum(axis=1) * (chosen > 0.5)
    total = float(spend.sum())
    primary = inst.primary_domain()
    out: list[DiagnosisChange] = []
    kinds = {s.key for s in slacks}
    for kind in sorted(kinds):
        rule, _, key = kind.partition(":")
        if rule == "max_neighbourhood_share":
            continue
        bounds = rules.domain_share[key]
        share = float(spend[primary == inst.domain_keys.index(key)].sum()) / total if total else 0.0
        if rule == "domain_share_min":
            proposed = math.floor(share * 1e4 + 1e-6) / 1e4
            words = (
                f"lower the minimum share of {domain_label(inst, key)} "
                f"from {bounds.min:.2%} to {proposed:.2%}"
            )
            current = bounds.min
        else:
            proposed = math.ceil(share * 1e4 - 1e-6) / 1e4
            words = (
                f"raise the maximum share of {domain_label(inst, key)} "
                f"from {bounds.max:.2%} to {proposed:.2%}"
            )
            current = bounds.max
        out.append(
            DiagnosisChange(
                kind="change_rule",
                target=f"{rule}:{key}",
                current=current,
                proposed=proposed,
                amount=round(proposed - current, 6),
                message=words,
            )
        )
    if any(k.startswith("max_neighbourhood_share") for k in kinds):
        current = float(rules.max_neighbourhood_share or 1.0)
        shares = (
            [float(spend[inst.cand_n == n].sum()) / total for n in range(len(inst.codes))]
            if total
            else [0.0]
        )
        proposed = min(1.0, math.ceil(max(shares) * 1e4 - 1e-6) / 1e4)
        worst = int(np.argmax(shares)) if total else 0
        out.append(
            DiagnosisChange(
                kind="change_rule",
                target="max_neighbourhood_share",
                current=current,
                proposed=proposed,
                amount=round(proposed - current, 6),
                message=f"raise the maximum share of one buurt from {current:.2%} "
                f"to {proposed:.2%} ({hood_name(inst, worst)} needs it)",
            )
        )
    return out


def structural_words(rule: str) -> str:
    kind, _, rest = rule.partition(":")
    if kind == "exclusive_group":
        return f"exclusive group {rest} allows only one run per buurt"
    if kind == "requires":
        dependant, _, required = rest.partition(":")
        return f"{dependant} needs {required} in the same buurt, started no later"
    if kind == "max_per_neighbourhood":
        return f"{rest} may run only so many times per buurt"
    return f"{rest} may run in only so many buurten (max_total)"
