"""The what-if panel's form, read as an RFC 7396 merge patch of the run's scenario document:
only what the form changed is in the patch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.core.errors import ValidationFailed


@dataclass(frozen=True)
class WhatIfForm:
    keep_locks: Sequence[str]  # indices of the document's locks still ticked
    leave_out: Sequence[str]  # "intervention|neighbourhood" pairs to lock out
    force_in: str  # one pair to lock in, or ""
    budgets: dict[int, str]  # calendar year → the field's text ("" = no limit)
    max_neighbourhood_share: str


def _pair(value: str, field: str) -> tuple[str, str]:
    intervention, _, neighbourhood = value.partition("|")
    if not intervention or not neighbourhood:
        raise _invalid(field, f"{value!r} is not an intervention|neighbourhood pair")
    return intervention, neighbourhood


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", errors=[{"path": field, "message": message}])


def _number(text: str, field: str) -> float | None:
    text = text.strip().replace(" ", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise _invalid(field, f"{text!r} is not a number") from None


def whatif_patch(document: dict[str, Any], form: WhatIfForm) -> dict[str, Any]:
    """The merge patch; empty when the form changes nothing."""
    patch: dict[str, Any] = {}
    rules = document.get("rules") or {}

    existing = list(rules.get("locks") or [])
    kept = {int(i) for i in form.keep_locks if i.isdigit()}
    locks = [lock for index, lock in enumerate(existing) if index in kept]
    for value in form.leave_out:
        intervention, neighbourhood = _pair(value, "leave_out")
        locks.append({"intervention": intervention, "neighbourhood": neighbourhood,
                      "fund": False})
    if form.force_in:
        intervention, neighbourhood = _pair(form.force_in, "force_in")
        locks.append({"intervention": intervention, "neighbourhood": neighbourhood,
                      "fund": True})
    if locks != existing:
        patch.setdefault("rules", {})["locks"] = locks

    budget = document.get("budget") or {}
    current = budget.get("per_year")
    wanted = [_number(text, f"budget_{year}") for year, text in sorted(form.budgets.items())]
    if any(value is not None and value < 0 for value in wanted):
        raise _invalid("budget", "a year's budget cannot be negative")
    if all(value is None for value in wanted):
        if current is not None:
            patch["budget"] = {"per_year": None}
    elif any(value is None for value in wanted):
        raise _invalid("budget", "give every year a budget, or leave them all empty")
    elif current is None or [float(v) for v in current] != wanted:
        patch["budget"] = {"per_year": wanted}

    share = _number(form.max_neighbourhood_share, "max_neighbourhood_share")
    old_share = rules.get("max_neighbourhood_share")
    if share != (None if old_share is None else float(old_share)):
        patch.setdefault("rules", {})["max_neighbourhood_share"] = share
    return patch
