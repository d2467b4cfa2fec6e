"""Use case: a scenario document assembled from the catalogue (DESIGN §2 → §3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.core.errors import ValidationFailed
from app.core.security import Principal
from app.repositories.catalogue import (
    DomainRepository,
    InterventionRepository,
    NeighbourhoodRepository,
    PartnerRepository,
)
from app.schemas.scenario import Scenario, ScenarioInvalid, parse_scenario
from app.schemas.stored import CatalogueSelection
from app.services.catalogue.entries import intervention_document
from app.services.catalogue.neighbourhoods import catalogue_scores


def assemble(session: Session, principal: Principal, selection: CatalogueSelection) -> Scenario:
    organisation = principal.organisation_id
    errors: list[dict[str, str]] = []

    neighbourhoods = NeighbourhoodRepository(session, organisation)
    chosen_n = (
        neighbourhoods.everything()
        if selection.neighbourhoods is None
        else _pick(
            neighbourhoods.by_keys(selection.neighbourhoods),
            selection.neighbourhoods,
            "neighbourhoods",
            "neighbourhood",
            errors,
        )
    )
    interventions = InterventionRepository(session, organisation)
    chosen_i = (
        interventions.everything()
        if selection.interventions is None
        else _pick(
            interventions.by_keys(selection.interventions),
            selection.interventions,
            "interventions",
            "intervention",
            errors,
        )
    )
    domain_rows = DomainRepository(session, organisation)
    if selection.domains is not None:
        chosen_d = _pick(
            domain_rows.by_keys(selection.domains), selection.domains, "domains", "domain", errors
        )
    else:
        chosen_d = domain_rows.everything()
    if errors:
        raise ValidationFailed(f"{errors[0]['path']}: {errors[0]['message']}", errors=errors)

    domains = (
        [{"key": d.key, "label": d.label, "weight": d.weight} for d in chosen_d]
        if chosen_d
        else None
    )
    codes = [n.code for n in chosen_n]
    scores = catalogue_scores(
        session, principal, codes, [d.key for d in chosen_d] if chosen_d else None
    )
    partner_keys = sorted(
        {c["partner"] for i in chosen_i for c in i.definition.get("partner_contributions", [])}
    )
    partners = PartnerRepository(session, organisation).by_keys(partner_keys)
    document: dict[str, Any] = {
        "name": "",
        "start_year": selection.start_year,
        "horizon_years": selection.horizon_years,
        "domains": domains,
        "neighbourhoods": [
            {
                "code": n.code,
                "name": n.name,
                "district": n.district,
                "municipality": n.municipality,
                "homes": n.homes,
                "regulated_homes": n.regulated_homes,
                "scores": {d: s.model_dump(mode="json") for d, s in scores.get(n.code, {}).items()},
            }
            for n in chosen_n
        ],
        "partners": [{"key": p.key, "name": p.name, "budget": p.budget} for p in partners.values()],
        "interventions": [intervention_document(i) for i in chosen_i],
        "budget": selection.budget.model_dump(mode="json"),
        "resources": {k: r.model_dump(mode="json") for k, r in selection.resources.items()},
        "rules": selection.rules.model_dump(mode="json"),
        "objective": selection.objective.model_dump(mode="json"),
        "solver": selection.solver.model_dump(mode="json"),
    }
    try:
        return parse_scenario(document)
    except ScenarioInvalid as invalid:
        raise ScenarioInvalid(
            [
                {
                    "path": "catalogue",
                    "message": f"the scenario assembled from the catalogue is not valid at "
                    f"{e['path'] or '(document)'}: {e['message']}",
                }
                for e in invalid.errors
            ]
        ) from None


def _pick(
    found: dict[str, Any], wanted: list[str], field: str, what: str, errors: list[dict[str, str]]
) -> list[Any]:
    for index, key in enumerate(wanted):
        if key not in found:
            errors.append(
                {
                    "path": f"catalogue.{field}[{index}]",
                    "message": f"no {what} {key!r} in the catalogue",
                }
            )
    return [found[key] for key in dict.fromkeys(wanted) if key in found]
