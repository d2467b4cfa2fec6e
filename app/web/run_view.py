"""What the run page shows, gathered from the services: the run, its scenario document's names,
the charts, and the what-if panel's starting values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.core.security import Principal
from app.schemas.recommendation import Recommendation
from app.schemas.stored import RunOut
from app.services.planning import runs, scenarios
from app.web.charts import Spec, gap_cells, run_charts
from app.web.labels import Labels

FORCE_IN_CHOICES = 40  # the most valuable candidates without a run offered to lock in


@dataclass(frozen=True)
class Pair:
    intervention: str
    neighbourhood: str
    label: str

    @property
    def value(self) -> str:
        return f"{self.intervention}|{self.neighbourhood}"


@dataclass
class RunView:
    run: RunOut
    scenario_name: str
    document: dict[str, Any]
    labels: Labels
    charts: dict[str, Spec] = field(default_factory=dict)
    heatmap_cells: int = 0
    funded_pairs: list[Pair] = field(default_factory=list)
    unfunded_pairs: list[Pair] = field(default_factory=list)

    @property
    def recommendation(self) -> Recommendation | None:
        return self.run.recommendation

    @property
    def finished(self) -> bool:
        return self.run.state in ("done", "failed", "cancelled")

    @property
    def explanation_state(self) -> str | None:
        return explanation_state(self.run)

    @property
    def years(self) -> list[int]:
        start = int(self.document["start_year"])
        return list(range(start, start + int(self.document["horizon_years"])))

    @property
    def year_budgets(self) -> list[float | None]:
        per_year = (self.document.get("budget") or {}).get("per_year")
        return list(per_year) if per_year else [None for _ in self.years]

    @property
    def locks(self) -> list[dict[str, Any]]:
        return list((self.document.get("rules") or {}).get("locks") or [])

    @property
    def max_neighbourhood_share(self) -> float | None:
        value = (self.document.get("rules") or {}).get("max_neighbourhood_share")
        return None if value is None else float(value)


def explanation_state(run: RunOut) -> str | None:
    """`pending` only while the explanation is really still to come."""
    state = getattr(run, "explanation_state", None)
    if state == "pending" and run.recommendation is not None and (
            run.recommendation.explanation is not None or run.state != "done"):
        return "ready" if run.recommendation.explanation is not None else None
    return state if isinstance(state, str) else None


def run_document(session: Session, principal: Principal, run_id: uuid.UUID) -> dict[str, Any]:
    """The scenario document the run solved (its version's snapshot)."""
    run = runs.get_run(session, principal, run_id)
    return scenarios.get_version(session, principal, run.scenario_id,
                                 run.scenario_version).document


def run_view(session: Session, principal: Principal, run_id: uuid.UUID) -> RunView:
    run = runs.get_run(session, principal, run_id)
    scenario = scenarios.get_scenario(session, principal, run.scenario_id)
    version = scenarios.get_version(session, principal, run.scenario_id, run.scenario_version)
    labels = Labels.of(version.document)
    view = RunView(run=run, scenario_name=scenario.name, document=version.document,
                   labels=labels)
    recommendation = run.recommendation
    if recommendation is None:
        return view
    view.charts = run_charts(recommendation, labels)
    view.heatmap_cells = len(gap_cells(recommendation, labels))
    funded = {(a.intervention, a.neighbourhood) for a in recommendation.allocations}
    view.funded_pairs = [_pair(labels, i, n) for i, n in sorted(funded)]
    if recommendation.explanation is not None:
        candidates = sorted(
            (c for c in recommendation.explanation.candidates
             if c.reason in ("outcompeted", "within_gap")),
            key=lambda c: -(c.standalone_value or 0.0),
        )[:FORCE_IN_CHOICES]
        view.unfunded_pairs = [_pair(labels, c.intervention, c.neighbourhood)
                               for c in candidates]
    return view


def _pair(labels: Labels, intervention: str, neighbourhood: str) -> Pair:
    return Pair(intervention, neighbourhood,
                f"{labels.intervention(intervention)} in {labels.neighbourhood(neighbourhood)}")
