"""Vega-Lite specifications of the pages' charts, built from a recommendation. The browser only
draws them (vega-embed); every number is the recommendation's own."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.schemas.recommendation import Recommendation
from app.schemas.workshop import SweepOut
from app.web.labels import Labels

Spec = dict[str, Any]
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
LIMIT_COLOUR = "#b3261e"
BAR_COLOUR = "#1f5f8b"
EURO_AXIS = "$,.0f"


def _base(title: str, description: str, values: list[dict[str, Any]]) -> Spec:
    return {"$schema": SCHEMA, "title": title, "description": description,
            "data": {"values": values}, "width": "container"}


def gap_cells(recommendation: Recommendation, labels: Labels) -> list[dict[str, Any]]:
    """One cell per neighbourhood × domain: the need gap averaged over the horizon's years,
    without the plan and with it (gap minus the credited improvement)."""
    before: dict[tuple[str, str], list[float]] = defaultdict(list)
    after: dict[tuple[str, str], list[float]] = defaultdict(list)
    for row in recommendation.improvements:
        before[row.neighbourhood, row.domain].append(row.gap)
        after[row.neighbourhood, row.domain].append(max(0.0, row.gap - row.gap_closed))
    return [
        {"code": code, "neighbourhood": labels.neighbourhood(code), "domain": labels.domain(d),
         "before": sum(gaps) / len(gaps), "after": sum(after[code, d]) / len(after[code, d])}
        for (code, d), gaps in sorted(before.items())
    ]


def heatmap(cells: list[dict[str, Any]], field: str, title: str) -> Spec:
    largest = max([c["before"] for c in cells] or [1.0]) or 1.0
    spec = _base(title, f"{title}: one cell per neighbourhood and domain; darker is a larger "
                 "gap to the target (standard deviations).", cells)
    spec.update({
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {"field": "domain", "type": "nominal", "title": None,
                  "axis": {"labelAngle": -30, "orient": "top"}},
            "y": {"field": "neighbourhood", "type": "nominal", "title": None,
                  "sort": {"field": "before", "order": "descending"}},
            "color": {"field": field, "type": "quantitative", "title": "gap (sd)",
                      "scale": {"scheme": "orangered", "domain": [0, largest]}},
            "tooltip": [{"field": "neighbourhood"}, {"field": "domain"},
                        {"field": "before", "title": "gap without the plan", "format": ",.2f"},
                        {"field": "after", "title": "gap with the plan", "format": ",.2f"}],
        },
        "height": {"step": 9},
    })
    return spec


def _bars_with_limits(title: str, description: str, bars: list[dict[str, Any]],
                      limits: list[dict[str, Any]], category: str) -> Spec:
    spec = _base(title, description, bars)
    x = {"field": "category", "type": "nominal", "title": category, "sort": None,
         "axis": {"labelAngle": -30 if category == "domain" else 0, "labelLimit": 160}}
    spec["layer"] = [
        {"mark": {"type": "bar", "color": BAR_COLOUR, "tooltip": True},
         "encoding": {"x": x, "y": {"field": "amount", "type": "quantitative",
                                    "title": "euros", "axis": {"format": EURO_AXIS}},
                      "tooltip": [{"field": "category", "title": category},
                                  {"field": "amount", "title": "spend", "format": EURO_AXIS}]}},
        {"data": {"values": limits},
         "mark": {"type": "tick", "color": LIMIT_COLOUR, "thickness": 3, "tooltip": True},
         "encoding": {"x": x, "y": {"field": "limit", "type": "quantitative"},
                      "tooltip": [{"field": "category", "title": category},
                                  {"field": "kind", "title": "limit"},
                                  {"field": "limit", "title": "euros", "format": EURO_AXIS}]}},
    ]
    spec["height"] = 240
    return spec


def spend_per_year(recommendation: Recommendation) -> Spec:
    assert recommendation.spend is not None
    rows = recommendation.spend.per_year
    return _bars_with_limits(
        "Corporation spend per year", "The corporation's part per calendar year; the red "
        "ticks are the year budgets.",
        [{"category": str(r.year), "amount": r.corporation} for r in rows],
        [{"category": str(r.year), "limit": r.limit, "kind": "year budget"}
         for r in rows if r.limit is not None], "year")


def spend_per_domain(recommendation: Recommendation, labels: Labels) -> Spec:
    assert recommendation.spend is not None
    spend = recommendation.spend
    total = spend.corporation_total
    limits = []
    for row in spend.per_domain:
        name = labels.domain(row.domain)
        if row.budget_total is not None:
            limits.append({"category": name, "limit": row.budget_total, "kind": "domain budget"})
        if row.max_share is not None:
            limits.append({"category": name, "limit": row.max_share * total,
                           "kind": "largest share"})
        if row.min_share is not None:
            limits.append({"category": name, "limit": row.min_share * total,
                           "kind": "smallest share"})
    return _bars_with_limits(
        "Corporation spend per domain", "Spend by each intervention's primary domain; red "
        "ticks are the domain budgets and the share bounds at this plan's total.",
        [{"category": labels.domain(r.domain), "amount": r.corporation}
         for r in spend.per_domain], limits, "domain")


def spend_per_partner(recommendation: Recommendation, labels: Labels) -> Spec:
    assert recommendation.spend is not None
    rows = recommendation.spend.per_partner
    return _bars_with_limits(
        "Partner contributions", "What each co-funder pays over the horizon; the red ticks "
        "are their budgets.",
        [{"category": labels.partner(r.partner), "amount": r.total} for r in rows],
        [{"category": labels.partner(r.partner), "limit": r.limit_total, "kind": "budget"}
         for r in rows if r.limit_total is not None], "partner")


def run_charts(recommendation: Recommendation, labels: Labels) -> dict[str, Spec]:
    """The run page's charts by name, in the order the presenter view steps through them."""
    charts: dict[str, Spec] = {}
    if recommendation.spend is not None:
        charts["spend_year"] = spend_per_year(recommendation)
        charts["spend_domain"] = spend_per_domain(recommendation, labels)
        if recommendation.spend.per_partner:
            charts["spend_partner"] = spend_per_partner(recommendation, labels)
    cells = gap_cells(recommendation, labels)
    if cells:
        charts["gap_before"] = heatmap(cells, "before", "Gap without the plan")
        charts["gap_after"] = heatmap(cells, "after", "Gap with the plan")
    return charts


def frontier(sweep: SweepOut) -> Spec:
    """The budget–value frontier: one point per solved budget, each a link to its run."""
    values = [{"budget": p.budget, "objective": p.objective, "spend": p.corporation_spend,
               "status": p.status or p.state, "href": f"/runs/{p.run_id}"}
              for p in sweep.points if p.objective is not None]
    encoding = {
        "x": {"field": "budget", "type": "quantitative", "title": "corporation budget",
              "axis": {"format": EURO_AXIS}, "scale": {"zero": False}},
        "y": {"field": "objective", "type": "quantitative", "title": "objective",
              "scale": {"zero": False}},
    }
    spec = _base("Budget–value frontier", "The plan's value at each budget of the sweep; "
                 "click a point to open its run.", values)
    spec["height"] = 320
    spec["layer"] = [
        {"mark": {"type": "line", "color": BAR_COLOUR}, "encoding": encoding},
        {"mark": {"type": "point", "filled": True, "size": 120, "color": BAR_COLOUR,
                  "cursor": "pointer", "tooltip": True},
         "encoding": {**encoding, "href": {"field": "href"}, "tooltip": [
             {"field": "budget", "format": EURO_AXIS}, {"field": "objective", "format": ",.1f"},
             {"field": "spend", "title": "spend", "format": EURO_AXIS},
             {"field": "status"}]}},
    ]
    return spec
