"""The VERA export validates against the VERA 4.3.0 schemas copied into `tests/data/vera/`, and
its budget lines are the plan's payments per year and payer, computed independently."""

from __future__ import annotations

import csv
import re
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from fastapi.testclient import TestClient

from tests.api.exports.test_run_files import done_run  # noqa: F401 - the fixture
from tests.api.stored import RUNS
from tests.reference.document import interventions, neighbourhoods
from tests.reference.payments import run_payments

VERA = Path(__file__).resolve().parents[2] / "data" / "vera"
ENTITIES = {"projecten": "Projectbericht", "projectdoelstellingen": "Projectdoelstellingbericht",
            "projectbudgetregels": "Projectbudgetregelbericht"}


class _JsonLoader(yaml.SafeLoader):
    """YAML as JSON sees it: timestamps in examples stay text."""


_JsonLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


@cache
def _specification() -> dict[str, Any]:
    text = (VERA / "Projectontwikkeling.yaml").read_text("utf-8")
    spec: dict[str, Any] = yaml.load(text, Loader=_JsonLoader)  # noqa: S506 - a safe loader
    return spec


def _validator(name: str) -> Any:
    schema = {"$ref": f"#/components/schemas/{name}", "components": _specification()["components"]}
    return jsonschema_rs.Draft4Validator(schema, validate_formats=True)


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = _specification()["components"]["schemas"][name]
    return schema


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Declared properties of a schema, through `$ref` and `allOf`."""
    if "$ref" in schema:
        return _properties(_schema(schema["$ref"].rsplit("/", 1)[1]))
    found = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        found.update(_properties(part))
    return found


def _undeclared(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    """JSON paths of fields VERA does not declare (its schemas allow any extra field, so the
    validator alone would not notice a misspelt name)."""
    if isinstance(value, list):
        items = schema.get("items", {})
        return [p for i, v in enumerate(value) for p in _undeclared(v, items, f"{path}[{i}]")]
    if not isinstance(value, dict):
        return []
    declared = _properties(schema)
    wrong = [f"{path}.{k}" for k in value if k not in declared]
    return wrong + [p for k, v in value.items() if k in declared
                    for p in _undeclared(v, declared[k], f"{path}.{k}")]


def _date_regexes(schema_name: str) -> dict[str, str]:
    return {name: match.group(1)
            for name, prop in _properties({"$ref": f"#/components/schemas/{schema_name}"}).items()
            if (match := re.search(r"Validatie-regex: (\S+)", prop.get("description", "")))}


@pytest.fixture
def exported(done_run: tuple[TestClient, dict[str, Any]]  # noqa: F811
             ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    client, run = done_run
    response = client.get(f"{RUNS}/{run['id']}/export", params={"format": "vera"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    again = client.get(f"{RUNS}/{run['id']}/export", params={"format": "vera"}).json()
    assert again == response.json()  # deterministic
    document = client.get(f"/api/v1/scenarios/{run['scenario_id']}/versions/1").json()["document"]
    return response.json(), run, document


def test_every_entity_validates_against_the_vera_schemas(exported: Any) -> None:
    export, _, _ = exported
    assert export["vera"]["versie"] == _specification()["info"]["version"] == "4.3.0+260116.26"
    for collection, schema in ENTITIES.items():
        validator = _validator(schema)
        regexes = _date_regexes(schema.removesuffix("bericht"))
        assert export[collection], collection
        assert f"/{collection}" in _specification()["paths"]
        for index, entity in enumerate(export[collection]):
            errors = [e.message for e in validator.iter_errors(entity)]
            assert errors == [], (collection, index, errors)
            assert _undeclared(entity, _schema(schema), f"{collection}[{index}]") == []
            for name, pattern in regexes.items():
                if name in entity:
                    assert re.fullmatch(pattern, entity[name]), (collection, name)


def test_a_misspelt_field_would_be_caught(exported: Any) -> None:
    export, _, _ = exported
    project = dict(export["projecten"][0], begindatun="2027-01-01T00:00:00Z")
    assert _undeclared(project, _schema("Projectbericht"), "p") == ["p.begindatun"]
    bad = dict(export["projectbudgetregels"][0], bedrag="veel")
    assert not _validator("Projectbudgetregelbericht").is_valid(bad)


def test_one_project_per_funded_run_with_prognosis_lines_per_year_and_payer(
    exported: Any
) -> None:
    export, run, document = exported
    allocations = run["recommendation"]["allocations"]
    codes = {(row["Soort"], row["Naam"]): row["Code"] for row in csv.DictReader(
        (VERA / "Referentiedata-projectbudgetregel.csv").open(encoding="utf-8"), delimiter=";")}
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://onderbouwd.nl/vera/projecten")
    goals = {g["idExtern"]: g for g in export["projectdoelstellingen"]}
    lines = {line["idExtern"]: line for line in export["projectbudgetregels"]}
    assert len(export["projecten"]) == len(allocations) == 3

    for project, allocation in zip(export["projecten"], allocations, strict=True):
        expected_id = uuid.uuid5(namespace, f"{run['id']}|{allocation['intervention']}|"
                                            f"{allocation['neighbourhood']}|"
                                            f"{allocation['start_year']}")
        assert project["idExtern"] == str(expected_id)
        extra = {a["naam"]: a["waarde"] for a in project["extra-attributen"]}
        assert extra["buurtcode"] == allocation["neighbourhood"]
        assert re.fullmatch(r"BU\d{8}", extra["buurtcode"])
        goal = goals[project["doelstelling"]["idExtern"]]
        assert goal["project"]["idExtern"] == project["idExtern"]

        paid: dict[tuple[str, int], float] = {}
        for ref in goal["initieleBudgetregels"]:
            line = lines[ref["idExtern"]]
            assert line["soort"]["code"] == codes[("PROJECTBUDGETREGELSOORT", "Prognose")]
            assert line["regelsoort"]["code"] == codes[("PROJECTBUDGETREGELREGELSOORT",
                                                        "Kostendetailregel")]
            line_extra = {a["naam"]: a["waarde"] for a in line["extra-attributen"]}
            year = int(line["begindatum"][:4])
            paid[(line_extra["betaler"], year)] = line["bedrag"]

        corporation, partners = run_payments(
            document, interventions(document)[allocation["intervention"]],
            neighbourhoods(document)[allocation["neighbourhood"]],
            allocation["start_year"] - document["start_year"])
        expected = {("corporatie", year): amount
                    for year, amount in zip(allocation["run_years"], corporation, strict=True)}
        for partner, amounts in partners.items():
            expected |= {(partner, year): amount
                         for year, amount in zip(allocation["run_years"], amounts, strict=True)}
        expected = {k: v for k, v in expected.items() if round(v, 2) != 0}
        assert paid.keys() == expected.keys()
        for key, amount in expected.items():
            assert paid[key] == pytest.approx(amount, abs=0.005)
        assert sum(v for (payer, _), v in paid.items() if payer == "corporatie") == (
            pytest.approx(allocation["corporation_cost"], abs=0.01))
