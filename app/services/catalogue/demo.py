"""Use case: the demo organisation, a corporation working in Utrecht.

Its buurten, homes and measurements are real (see `app.services.catalogue.demo_data`); its domains,
interventions, partners and the stored scenario are an illustrative planning question with
realistic orders of magnitude. Everything is loaded through the same use cases the API offers,
so the demo also shows the audit trail and the scenario assembled from the catalogue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.core.security import Principal, Role
from app.schemas.catalogue import (
    DomainWrite,
    IndicatorValue,
    IndicatorWrite,
    InterventionWrite,
    NeighbourhoodWrite,
    PartnerWrite,
)
from app.schemas.stored import CatalogueSelection, ScenarioWrite
from app.services.access import keys
from app.services.catalogue import entries as catalogue
from app.services.catalogue import neighbourhoods
from app.services.catalogue.demo_data import KWB_YEAR, load_buurten, social_assistance_reference
from app.services.planning import scenarios

DEMO_KEY_NAME = "demo key printed by serve"
DEMO_LOCALE = "nl"  # a Utrecht corporation: its web pages write € 1.250.000 and 0,15
CBS = "CBS, Kerncijfers wijken en buurten 2023 (CC BY 4.0)"
LBM = "Leefbaarometer 3.0, Ministerie van BZK"

DOMAINS: dict[str, tuple[str, float]] = {
    "physical_environment": ("Fysieke omgeving", 0.8),
    "housing_stock": ("Woningvoorraad", 0.8),
    "amenities": ("Voorzieningen", 0.6),
    "social_cohesion": ("Sociale samenhang", 1.0),
    "nuisance_safety": ("Overlast en onveiligheid", 1.0),
    "vulnerable_residents": ("Kwetsbare bewoners", 0.9),
}

LBM_INDICATORS: dict[str, tuple[str, str]] = {
    "lbm_fys": ("Leefbaarometer: fysieke omgeving", "physical_environment"),
    "lbm_won": ("Leefbaarometer: woningvoorraad", "housing_stock"),
    "lbm_vrz": ("Leefbaarometer: voorzieningen", "amenities"),
    "lbm_soc": ("Leefbaarometer: sociale samenhang", "social_cohesion"),
    "lbm_onv": ("Leefbaarometer: overlast en onveiligheid", "nuisance_safety"),
}


def _indicators() -> dict[str, IndicatorWrite]:
    found = {
        key: IndicatorWrite(
            label=label,
            domain=domain,
            direction="higher_is_better",
            unit="deviation from the national reference",
            source=LBM,
            reference_value=0.0,
        )
        for key, (label, domain) in LBM_INDICATORS.items()
    }
    found["lbm_afw"] = IndicatorWrite(
        label="Leefbaarometer: total score, deviation from the national reference",
        direction="higher_is_better",
        unit="deviation from the national reference",
        source=LBM,
    )
    found["social_assistance"] = IndicatorWrite(
        label="Social-assistance benefits per 1,000 inhabitants",
        domain="vulnerable_residents",
        direction="higher_is_worse",
        unit="per 1,000 inhabitants",
        source=CBS,
        reference_value=round(social_assistance_reference(), 6),
    )
    found["corporation_share"] = IndicatorWrite(
        label="Homes owned by housing corporations",
        direction="higher_is_better",
        unit="%",
        source=CBS,
    )
    found["low_income_households"] = IndicatorWrite(
        label="Low-income households (CBS suppresses this at buurt level in 2023)",
        direction="higher_is_worse",
        unit="%",
        source=CBS,
    )
    return found


PARTNERS = {
    "gemeente_utrecht": PartnerWrite(name="Gemeente Utrecht", budget={"total": 450000}),
    "welzijnspartner": PartnerWrite(name="Welzijnsorganisatie", budget={"total": 300000}),
}


def _fields(**fields: Any) -> dict[str, Any]:
    return fields


def _interventions() -> dict[str, dict[str, Any]]:
    return {
        "caretaker": _fields(
            name="Buurtbeheerder",
            domain="nuisance_safety",
            evidence_level="promising",
            effects={
                "nuisance_safety": 0.15,
                "social_cohesion": 0.05,
                "physical_environment": 0.04,
            },
            cost={"fixed": 68000},
            duration_years=None,
            exclusive_group="toezicht",
            partner_contributions=[{"partner": "gemeente_utrecht", "share": 0.25}],
            uses={"staff_fte": 1.0},
            eligible={"min_gap": {"nuisance_safety": 0.3}},
        ),
        "mediation": _fields(
            name="Buurtbemiddeling",
            domain="nuisance_safety",
            evidence_level="effective",
            effects={"nuisance_safety": 0.08, "social_cohesion": 0.04},
            cost={"fixed": 7000, "per_home": 2.5},
            duration_years=2,
            partner_contributions=[{"partner": "gemeente_utrecht", "share": 0.5}],
            uses={"staff_fte": 0.05},
            eligible={"min_gap": {"nuisance_safety": 0.25}},
        ),
        "neighbourhood_coach": _fields(
            name="Buurtcoach",
            domain="social_cohesion",
            evidence_level="promising",
            effects={"social_cohesion": 0.1, "vulnerable_residents": 0.04},
            cost={"fixed": [32000, 28000], "per_home": 2.0},
            duration_years=2,
            lag_years=1,
            partner_contributions=[{"partner": "welzijnspartner", "share": 0.4}],
            uses={"staff_fte": 0.2},
            eligible={"min_gap": {"social_cohesion": 0.2}},
        ),
        "debt_counselling": _fields(
            name="Vroegsignalering en schuldhulpverlening",
            domain="vulnerable_residents",
            evidence_level="effective",
            effects={"vulnerable_residents": 0.15, "social_cohesion": 0.02},
            cost={"fixed": 12000, "per_home": 5},
            duration_years=2,
            partner_contributions=[{"partner": "gemeente_utrecht", "share": 0.3}],
            uses={"staff_fte": 0.2},
            eligible={"min_gap": {"vulnerable_residents": 0.25}},
        ),
        "front_door_visits": _fields(
            name="Achter-de-voordeuraanpak",
            domain="vulnerable_residents",
            evidence_level="theoretically sound",
            effects={"vulnerable_residents": 0.12, "nuisance_safety": 0.04},
            cost={"fixed": 8000, "per_home": 9},
            duration_years=1,
            partner_contributions=[{"partner": "welzijnspartner", "share": 0.35}],
            uses={"staff_fte": 0.4},
            eligible={"min_gap": {"vulnerable_residents": 0.5}},
        ),
        "facade_renewal": _fields(
            name="Gevel- en entreerenovatie",
            domain="housing_stock",
            evidence_level="promising",
            effects={"housing_stock": 0.3, "physical_environment": 0.1},
            cost={"fixed": [15000, 5000], "per_home": [30, 10]},
            duration_years=2,
            lag_years=1,
            effect_persists=True,
            uses={"staff_fte": 0.1},
            eligible={"min_gap": {"housing_stock": 0.5}},
            max_total=4,
            counts_toward_cap=False,
        ),
        "greening": _fields(
            name="Vergroenen openbare ruimte en tuinen",
            domain="physical_environment",
            evidence_level="theoretically sound",
            effects={"physical_environment": 0.12, "social_cohesion": 0.02},
            cost={"fixed": 20000, "per_home": 6},
            lag_years=1,
            effect_persists=True,
            partner_contributions=[{"partner": "gemeente_utrecht", "share": 0.5}],
            uses={"staff_fte": 0.05},
            eligible={"min_gap": {"physical_environment": 0.5}},
        ),
        "playground": _fields(
            name="Renovatie speelplaats",
            domain="amenities",
            evidence_level="promising",
            effects={"amenities": 0.15, "social_cohesion": 0.03},
            cost={"fixed": 55000},
            lag_years=1,
            effect_persists=True,
            partner_contributions=[{"partner": "gemeente_utrecht", "amount_per_year": 20000}],
            uses={"staff_fte": 0.05},
            eligible={"min_gap": {"amenities": 0.5}},
            max_total=5,
        ),
    }


SCENARIO_NAME = "Utrecht 2027–2029 (from the catalogue)"
SCENARIO = CatalogueSelection(
    start_year=2027,
    horizon_years=3,
    budget={"total": 2100000, "per_year": [800000, 750000, 700000]},
    resources={"staff_fte": {"per_year": [10, 11, 11]}},
    rules={
        "domain_share": {"nuisance_safety": {"min": 0.2, "max": 0.5}},
        "max_neighbourhood_share": 0.12,
        "cap_per_regulated_home": 130,
    },
    solver={"name": "highs", "time_limit_s": 10, "mip_gap": 0.01},
)


def ensure_demo(session: Session, name: str) -> str | None:
    """Load the demo organisation when it has no catalogue yet; a summary, or None."""
    organisation, _ = keys.ensure_organisation(session, name)
    principal = keys.cli_principal(organisation)
    if catalogue.list_domains(session, principal, limit=1, cursor=None).items:
        return None
    organisation.locale = DEMO_LOCALE
    return load_demo(session, principal)


def load_demo(session: Session, principal: Principal) -> str:
    for key, (label, weight) in DOMAINS.items():
        catalogue.put_domain(session, principal, key, DomainWrite(label=label, weight=weight))
    for key, indicator in _indicators().items():
        catalogue.put_indicator(session, principal, key, indicator)
    for key, partner in PARTNERS.items():
        catalogue.put_partner(session, principal, key, partner)
    for key, fields in _interventions().items():
        catalogue.put_intervention(
            session, principal, key, InterventionWrite.model_validate(fields)
        )
    buurten = load_buurten()
    for buurt in buurten:
        values = [
            IndicatorValue(indicator=indicator, year=year, value=value)
            for (indicator, year), value in sorted(buurt.values.items())
        ]
        neighbourhoods.put_neighbourhood(
            session,
            principal,
            buurt.code,
            NeighbourhoodWrite(
                name=buurt.name,
                district=buurt.district,
                municipality="Utrecht",
                homes=buurt.homes,
                regulated_homes=buurt.regulated_homes,
                indicator_values=values,
            ),
        )
    scenarios.create_scenario(
        session, principal, ScenarioWrite(name=SCENARIO_NAME, catalogue=SCENARIO), None
    )
    measurements = sum(len(b.values) for b in buurten)
    return (
        f"{len(buurten)} buurten with {measurements:,} measurements (CBS KWB {KWB_YEAR}, "
        f"Leefbaarometer 2002–2024), {len(DOMAINS)} domains, "
        f"{len(_interventions())} interventions, {len(PARTNERS)} partners, 1 scenario"
    )


def fresh_demo_key(session: Session, organisation: str, key_name: str) -> str:
    """A new planner key for the demo organisation; earlier keys of that name are revoked."""
    principal = keys.organisation_principal(session, organisation)
    keys.revoke_keys_named(session, principal, key_name)
    return keys.create_key(session, principal, key_name, Role.planner).key
