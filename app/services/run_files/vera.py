"""The recommendation in the shape of Aedes VERA 4.3.0 (informatiedomein Projectontwikkeling).

VERA (`Aedes-datastandaarden/vera-openapi`, release 4.3.0+260116.26) has no project type for a
liveability intervention and no place for a buurt on a project, so the mapping is:

- each funded run (intervention × buurt × start year) is a `Project`, with a
  `Projectdoelstelling` that holds its wanted start and end and lists its budget lines
  (`initieleBudgetregels`): VERA links budget lines to a project through its doelstelling;
- each year × payer (the corporation, or a partner) with an amount is a `Projectbudgetregel` of
  soort PRO (*Prognose*) and regelsoort KDT (*Kostendetailregel*), reference data
  PROJECTBUDGETREGELSOORT and PROJECTBUDGETREGELREGELSOORT;
- what VERA has no attribute for (the buurt's CBS code and name, the intervention, the domain,
  the payer, the run) goes into `extra-attributen` (`naam`, `waarde`: text).

`idExtern` is a UUIDv5 of the run id, intervention, buurt and start year (and for a budget line
also year and payer), so exporting the same run again gives the same ids; `id` is left out, as
VERA asks for a POST. Amounts (`bedrag`) are nominal euros, as the scenario's costs are.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.optimizer.problem.payments import run_payments
from app.schemas.recommendation import Allocation, Recommendation
from app.schemas.scenario import Scenario

VERA_VERSION = "4.3.0+260116.26"
VERA_SOURCE = "https://github.com/Aedes-datastandaarden/vera-openapi"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://onderbouwd.nl/vera/projecten")
CORPORATION = "corporatie"

PROGNOSE = {"code": "PRO", "naam": "Prognose", "soort": {"code": "PROJECTBUDGETREGELSOORT"}}
KOSTENDETAILREGEL = {"code": "KDT", "naam": "Kostendetailregel",
                     "soort": {"code": "PROJECTBUDGETREGELREGELSOORT"}}


def project_id(run_id: uuid.UUID, allocation: Allocation) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "|".join([str(run_id), allocation.intervention,
                                           allocation.neighbourhood, str(allocation.start_year)]))


def _start(year: int) -> str:
    return f"{year}-01-01T00:00:00Z"


def _end(year: int) -> str:
    return f"{year}-12-31T23:59:59Z"


def _extra(**attributes: Any) -> list[dict[str, str]]:
    return [{"naam": name, "waarde": str(value)} for name, value in attributes.items()
            if value is not None]


def vera_document(run_id: uuid.UUID, scenario: Scenario,
                  recommendation: Recommendation) -> dict[str, Any]:
    """`projecten`, `projectdoelstellingen` and `projectbudgetregels`: each list holds the
    bodies to POST, one by one, to the VERA path of the same name."""
    names = {i.key: i.name or i.key for i in scenario.interventions}
    projects: list[dict[str, Any]] = []
    goals: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for allocation in recommendation.allocations:
        key = project_id(run_id, allocation)
        code = (f"OBD-{run_id.hex[:8]}-{allocation.neighbourhood}-{allocation.intervention}-"
                f"{allocation.start_year}")
        goal_id = uuid.uuid5(key, "projectdoelstelling")
        first, last = allocation.run_years[0], allocation.run_years[-1]
        buurt = allocation.neighbourhood_name or allocation.neighbourhood
        payments = run_payments(scenario, allocation.intervention, allocation.neighbourhood,
                                allocation.start_year)
        payers = {CORPORATION: payments.corporation, **payments.partners}
        project_lines = []
        for payer, amounts in payers.items():
            for year, amount in zip(payments.years, amounts, strict=True):
                if round(amount, 2) == 0:
                    continue
                line_id = uuid.uuid5(key, f"projectbudgetregel|{year}|{payer}")
                project_lines.append({
                    "idExtern": str(line_id),
                    "code": f"{code}-{year}-{payer}",
                    "soort": PROGNOSE,
                    "regelsoort": KOSTENDETAILREGEL,
                    "omschrijving": f"Prognose {year}: {names[allocation.intervention]} in "
                                    f"{buurt}, betaald door {payer}",
                    "begindatum": _start(year),
                    "einddatum": _end(year),
                    "bedrag": round(amount, 2),
                    "doelstelling": {"idExtern": str(goal_id), "code": code},
                    "extra-attributen": _extra(project=key, jaar=year, betaler=payer,
                                               buurtcode=allocation.neighbourhood),
                })
        projects.append({
            "idExtern": str(key),
            "code": code,
            "naam": f"{names[allocation.intervention]} in {buurt}",
            "omschrijving": (
                f"Leefbaarheidsinterventie {names[allocation.intervention]} "
                f"({allocation.intervention}) in buurt {buurt} ({allocation.neighbourhood}), "
                f"{first}-{last}: aanbevolen door Onderbouwd (run {run_id})."),
            "begindatum": _start(first),
            "einddatum": _end(last),
            "doelstelling": {"idExtern": str(goal_id), "code": code},
            "extra-attributen": _extra(
                buurtcode=allocation.neighbourhood, buurtnaam=allocation.neighbourhood_name,
                interventie=allocation.intervention, domein=allocation.primary_domain,
                startjaar=allocation.start_year,
                effectjaren=" ".join(str(y) for y in allocation.effect_years),
                totaleKosten=allocation.total_cost, kostenCorporatie=allocation.corporation_cost,
                waarde=allocation.value, onderbouwdRun=run_id),
        })
        goals.append({
            "idExtern": str(goal_id),
            "code": code,
            "gewensteBegindatum": _start(first),
            "gewensteEinddatum": _end(last),
            "project": {"idExtern": str(key), "code": code},
            "initieleBudgetregels": [{"idExtern": line["idExtern"], "code": line["code"]}
                                     for line in project_lines],
        })
        lines.extend(project_lines)
    return {
        "vera": {"versie": VERA_VERSION, "informatiedomein": "Projectontwikkeling",
                 "bron": VERA_SOURCE},
        "run": {"id": str(run_id), "status": recommendation.status,
                "objective": recommendation.objective},
        "projecten": projects,
        "projectdoelstellingen": goals,
        "projectbudgetregels": lines,
    }
