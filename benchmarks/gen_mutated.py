"""Scenarios neither generator makes alone: the two generators' documents at other shapes, with
rules and settings changed at random, seeded.

    python -m benchmarks.gen_mutated SEED > s.json

Each seed picks a generator (the project's, `examples.generate_random`, or the second one,
`benchmarks.gen_corporation`), a shape (8 to 400 neighbourhoods, 3 to 70 interventions, 1 to 8
years) and a handful of changes: budgets from a fiftieth to fifty times, linear equity, other
segment counts, no cap at the target, a steep discount, no limit on runs per pair, limits on
neighbourhoods per intervention, domain shares and budgets, locks, missing scores, steep trends.
Many of them are hard in ways the corpus is not (a buurt share that asks for dozens of buurten,
shares nobody serves, locks nobody can pay): the solve must answer within its limit, with a plan
that keeps every rule, an explicit "no plan", or a diagnosis.
"""

from __future__ import annotations

import json
import random
import sys
from typing import Any

from benchmarks.gen_corporation import scenario as corporation_scenario
from examples.generate_random import random_scenario


def mutated_scenario(seed: int) -> tuple[dict[str, Any], str]:
    """The document and a name that says what was changed."""
    pick = random.Random(seed)
    neighbourhoods = pick.choice([8, 25, 60, 120, 250, 400])
    interventions = pick.choice([3, 8, 20, 40, 70])
    years = pick.choice([1, 2, 3, 5, 8])
    generator = pick.choice(["random", "corporation"])
    make = random_scenario if generator == "random" else corporation_scenario
    doc = make(neighbourhoods, interventions, years, seed)
    changes: list[str] = []

    scale = pick.choice([0.02, 0.2, 1, 1, 3, 50])
    if scale != 1:
        changes.append(f"budget x{scale}")
        budget = doc["budget"]
        if budget.get("total") is not None:
            budget["total"] *= scale
        if budget.get("per_year"):
            budget["per_year"] = [amount * scale for amount in budget["per_year"]]
    objective = doc.setdefault("objective", {})
    rules = doc.setdefault("rules", {})
    if pick.random() < 0.25:
        objective["equity"] = "linear"
        changes.append("linear")
    if pick.random() < 0.2:
        objective["segments"] = pick.choice([1, 2, 9])
        changes.append(f"{objective['segments']} segments")
    if pick.random() < 0.2:
        objective["cap_at_target"] = False
        changes.append("no cap at target")
    if pick.random() < 0.2:
        objective["discount_rate"] = 0.15
        changes.append("discount 15 %")
    if pick.random() < 0.2:
        for intervention in doc["interventions"]:
            intervention["max_per_neighbourhood"] = None
        changes.append("runs per pair unlimited")
    if pick.random() < 0.2:
        for intervention in doc["interventions"][::3]:
            intervention["max_total"] = pick.randint(1, 4)
        changes.append("max_total")
    if pick.random() < 0.2:
        rules["domain_share"] = {"amenities": {"min": 0.3}, "housing_stock": {"max": 0.05}}
        changes.append("domain shares")
    if pick.random() < 0.15:
        rules["domain_budget"] = {"physical_environment": {"total": 1000.0}}
        changes.append("domain budget")
    if pick.random() < 0.2:
        locks = rules.setdefault("locks", [])
        for _ in range(pick.randint(1, 6)):
            intervention = pick.choice(doc["interventions"])
            hood = pick.choice(doc["neighbourhoods"])
            locks.append(
                {
                    "intervention": intervention["key"],
                    "neighbourhood": hood["code"],
                    "fund": pick.random() < 0.5,
                }
            )
        changes.append("locks")
    if pick.random() < 0.15:
        for hood in doc["neighbourhoods"][::2]:
            for domain in list(hood["scores"])[:4]:
                del hood["scores"][domain]
        changes.append("missing scores")
    if pick.random() < 0.15:
        for hood in doc["neighbourhoods"]:
            for score in hood["scores"].values():
                score["trend"] = -0.2
        changes.append("steep trends")
    shape = f"{generator} {neighbourhoods}x{interventions}x{years}"
    return doc, f"{shape} ({', '.join(changes) or 'as generated'})"


if __name__ == "__main__":
    document, _ = mutated_scenario(int(sys.argv[1]))
    json.dump(document, sys.stdout)
