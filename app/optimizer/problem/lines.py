"""The scenario's money and capacity lines, read from the compiled instance, with plain names.

A *line* is a limit Σ_c a(c) × x(c) ≤ limit, with a(c) in euros (the corporation's part, a
partner's payments) or in resource units, per calendar year or over the horizon (DESIGN §3
points 2, 3 and 11; the cap per regulated home is one line per buurt and year). `limit_lines`
lists every line the scenario sets, in the order the model builds them, whether or not the
model kept its row (a row is left out when funding every candidate fits: then it cannot bind).
Coefficients are kept sparse (`members`, `values`), so that a national scenario's thousands of
cap lines stay small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.optimizer.problem.instance import Instance
from app.schemas.scenario import AreaBudget, Limit

MONEY_SCALE = 1000.0  # euros per model unit: the model counts money in k€


@dataclass(frozen=True)
class Line:
    key: str  # "budget:2027", "partner:gemeente:total", "resource:staff_fte:2028", …
    row_kind: str  # the model's name of the row: "budget:0", "partner:gemeente:total", …
    kind: str  # budget | partner | resource | domain_budget | area_budget | cap_per_regulated_home
    family: str  # the rule the line belongs to, e.g. "budget", "resource:staff_fte"
    label: str  # "the 2027 corporation budget"
    unit: str  # "EUR" or the resource key
    year: int | None
    limit: float  # euros or resource units
    members: np.ndarray  # candidates with a nonzero coefficient
    values: np.ndarray  # their coefficients, euros or resource units

    @property
    def money(self) -> bool:
        return self.unit == "EUR"

    @property
    def scale(self) -> float:
        """Scenario units per model unit (money rows are in k€ inside the model)."""
        return MONEY_SCALE if self.money else 1.0

    def dot(self, x: np.ndarray) -> float:
        return float(self.values @ np.asarray(x, dtype=float)[self.members])

    def dense(self, n_candidates: int) -> np.ndarray:
        out = np.zeros(n_candidates)
        out[self.members] = self.values
        return out

    def amount(self, value: float) -> str:
        return euros(value) if self.money else f"{value:,.6g} {self.unit}"


def euros(value: float) -> str:
    return f"€{value:,.0f}"


def area_name(area: AreaBudget) -> str:
    parts = [p for p in (area.district, area.municipality) if p]
    return ", ".join(parts) if parts else "every buurt"


def domain_label(inst: Instance, key: str) -> str:
    return inst.domain_labels.get(key, key)


def hood_name(inst: Instance, n: int) -> str:
    hood = inst.scenario.neighbourhoods[n]
    return hood.name or hood.code


def area_members(inst: Instance, area: AreaBudget) -> np.ndarray:
    """(N,) bool: the buurten an area budget covers (both names must match when both given)."""
    return np.array(
        [area.covers(n) for n in inst.scenario.neighbourhoods],
        dtype=bool,
    )


def _sparse(members: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = values != 0
    return members[keep].astype(np.int64), values[keep].astype(float)


class _Lines:
    def __init__(self, inst: Instance):
        self.inst = inst
        self.out: list[Line] = []

    def add(
        self, key: str, row: str, kind: str, family: str, label: str, unit: str,
        year: int | None, limit: float, members: np.ndarray, values: np.ndarray,
    ) -> None:  # fmt: skip
        members, values = _sparse(members, values)
        self.out.append(Line(key, row, kind, family, label, unit, year, limit, members, values))

    def limit(
        self, kind: str, family: str, label: str, members: np.ndarray, per_year: np.ndarray,
        limit: Limit | AreaBudget,
    ) -> None:  # fmt: skip
        """A `total` line and one per year, over `members` with `per_year` (C,H) amounts."""
        inst = self.inst
        if limit.total is not None:
            self.add(
                f"{family}:total",
                f"{family}:total",
                kind,
                family,
                f"the total {label}",
                "EUR",
                None,
                float(limit.total),
                members,
                per_year[members].sum(axis=1),
            )
        for t, amount in enumerate(limit.per_year or []):
            year = inst.calendar(t)
            self.add(
                f"{family}:{year}",
                f"{family}:{t}",
                kind,
                family,
                f"the {year} {label}",
                "EUR",
                year,
                float(amount),
                members,
                per_year[members, t],
            )


def limit_lines(inst: Instance, with_caps: bool = True) -> list[Line]:
    s = inst.scenario
    lines = _Lines(inst)
    every = np.arange(inst.n_candidates)
    lines.limit("budget", "budget", "corporation budget", every, inst.corporation, s.budget)
    for p, partner in enumerate(s.partners):
        lines.limit(
            "partner",
            f"partner:{partner.key}",
            f"budget of partner {partner.name or partner.key}",
            every,
            inst.partner_pay[:, p, :],
            partner.budget,
        )
    for r, (key, resource) in enumerate(s.resources.items()):
        for t, capacity in enumerate(resource.per_year):
            year = inst.calendar(t)
            lines.add(
                f"resource:{key}:{year}",
                f"resource:{key}:{t}",
                "resource",
                f"resource:{key}",
                f"{key} in {year}",
                key,
                year,
                float(capacity),
                every,
                inst.uses[:, r, t],
            )
    primary = inst.primary_domain()
    for key, limit in s.rules.domain_budget.items():
        members = np.flatnonzero(primary == inst.domain_keys.index(key))
        lines.limit(
            "domain_budget",
            f"domain_budget:{key}",
            f"budget for {domain_label(inst, key)}",
            members,
            inst.corporation,
            limit,
        )
    for a, area in enumerate(s.rules.area_budget):
        members = np.flatnonzero(area_members(inst, area)[inst.cand_n])
        lines.limit(
            "area_budget",
            f"area_budget:{a}",
            f"area budget of {area_name(area)}",
            members,
            inst.corporation,
            area,
        )
    cap = s.rules.cap_per_regulated_home
    if with_caps and cap is not None and inst.n_candidates:
        counting = np.array([i.counts_toward_cap for i in s.interventions], dtype=bool)
        counted = np.flatnonzero(counting[inst.cand_i])
        order = counted[np.argsort(inst.cand_n[counted], kind="stable")]
        bounds = np.searchsorted(inst.cand_n[order], np.arange(len(inst.codes) + 1))
        for n, hood in enumerate(s.neighbourhoods):
            members = order[bounds[n] : bounds[n + 1]]
            if not members.size:
                continue
            for t in range(inst.horizon):
                year = inst.calendar(t)
                lines.add(
                    f"cap_per_regulated_home:{hood.code}:{year}",
                    f"cap_per_regulated_home:{n}:{t}",
                    "cap_per_regulated_home",
                    "cap_per_regulated_home",
                    f"the cap of {euros(cap)} per regulated home in "
                    f"{hood.name or hood.code} in {year}",
                    "EUR",
                    year,
                    cap * float(inst.regulated_homes[n]),
                    members,
                    inst.corporation[members, t],
                )
    return lines.out
