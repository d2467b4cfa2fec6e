"""What the comparison page shows: the comparison service's answer, with readable names and
charts of spend and improvement side by side."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.core.security import Principal
from app.schemas.workshop import Comparison
from app.services.planning import scenarios
from app.services.workshop import comparison
from app.web.charts import EURO_AXIS, SCHEMA, Spec
from app.web.labels import Labels

RUN_LETTERS = "ABCD"


@dataclass
class CompareView:
    comparison: Comparison
    letters: list[str]
    scenario_names: list[str]
    labels: Labels
    charts: dict[str, Spec] = field(default_factory=dict)

    def value(self, value: Any) -> str:
        """A document value as the differences table shows it."""
        if value is None:
            return "—"
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def compare_view(session: Session, principal: Principal, run_ids: list[uuid.UUID]
                 ) -> CompareView:
    loaded = comparison.load_compared(session, principal, run_ids)
    answer = comparison.compare(loaded)
    labels = Labels.of(loaded[0].document)
    names = [scenarios.get_scenario(session, principal, run.headline.scenario_id).name
             for run in loaded]
    letters = [RUN_LETTERS[i] for i in range(len(loaded))]
    view = CompareView(answer, letters, names, labels)
    view.charts = {"compare_spend": _spend_chart(answer, letters),
                   "compare_improvement": _improvement_chart(answer, letters, labels)}
    return view


def _spend_chart(answer: Comparison, letters: list[str]) -> Spec:
    values = [{"year": str(line.year), "run": letters[i], "amount": cell.amount or 0.0}
              for line in answer.spend if line.line == "year" and line.year is not None
              for i, cell in enumerate(line.runs)]
    return {
        "$schema": SCHEMA, "title": "Corporation spend per year",
        "description": "Each run's corporation spend per calendar year, side by side.",
        "data": {"values": values}, "width": "container", "height": 240,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "year", "type": "nominal", "title": "year", "axis": {"labelAngle": 0}},
            "xOffset": {"field": "run"},
            "y": {"field": "amount", "type": "quantitative", "title": "euros",
                  "axis": {"format": EURO_AXIS}},
            "color": {"field": "run", "type": "nominal", "title": "run",
                      "scale": {"scheme": "dark2"}},
            "tooltip": [{"field": "run"}, {"field": "year"},
                        {"field": "amount", "format": EURO_AXIS}],
        },
    }


def _improvement_chart(answer: Comparison, letters: list[str], labels: Labels) -> Spec:
    closed: dict[tuple[str, str], float] = defaultdict(float)
    for row in answer.improvements:
        for i, value in enumerate(row.gap_closed):
            closed[labels.domain(row.domain), letters[i]] += value or 0.0
    values = [{"domain": domain, "run": run, "closed": amount}
              for (domain, run), amount in sorted(closed.items())]
    return {
        "$schema": SCHEMA, "title": "Gap closed per domain",
        "description": "Each run's credited improvement summed over neighbourhoods and years "
        "(standard deviations × years), per domain.",
        "data": {"values": values}, "width": "container", "height": 240,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "domain", "type": "nominal", "title": None,
                  "axis": {"labelAngle": -30, "labelLimit": 160}},
            "xOffset": {"field": "run"},
            "y": {"field": "closed", "type": "quantitative", "title": "gap closed"},
            "color": {"field": "run", "type": "nominal", "scale": {"scheme": "dark2"}},
            "tooltip": [{"field": "run"}, {"field": "domain"},
                        {"field": "closed", "format": ",.2f"}],
        },
    }
