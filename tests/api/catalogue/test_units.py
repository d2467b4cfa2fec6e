"""Rentable units: their measurements add up per buurt as each indicator says (checked against
a hand calculation), those buurt values feed the normalisation like values stored on the
buurt, a buurt's homes and regulated homes can be derived from its units, and buurt codes are
CBS codes."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.schemas.units import UnitWrite
from tests.conftest import ClientFactory
from tests.tenants import Tenant

V1 = "/api/v1"
BUURT_1, BUURT_2 = "BU00000001", "BU00000002"

# vhe → (buurt, regulated)
UNITS = {
    "A": (BUURT_1, True), "B": (BUURT_1, True), "C": (BUURT_1, False), "D": (BUURT_1, True),
    "E": (BUURT_2, False),
}
# (vhe, indicator, year, value)
MEASUREMENTS = [
    ("A", "satisfaction", 2025, 7.5), ("B", "satisfaction", 2025, 8.0),
    ("C", "satisfaction", 2025, 6.0), ("A", "satisfaction", 2024, 5.0),
    ("E", "satisfaction", 2025, 9.0),
    ("A", "arrears", 2025, 120.0), ("B", "arrears", 2025, 0.0), ("C", "arrears", 2025, 35.5),
    ("E", "arrears", 2025, 0.0),
    ("A", "nuisance", 2025, 2.0), ("D", "nuisance", 2025, 1.0), ("E", "nuisance", 2025, 3.0),
]
# By hand. Buurt 1 has 4 units, buurt 2 one.
#   satisfaction (mean over the units measured): buurt 1 2025 (7.5 + 8 + 6) / 3, 2024 5 / 1;
#                buurt 2 2025 9 / 1
#   arrears (share of all units above 0): buurt 1 A and C of 4 = 50 %; buurt 2 none of 1 = 0 %
#   nuisance (count per 100 units): buurt 1 (2 + 1) / 4 * 100 = 75; buurt 2 3 / 1 * 100 = 300
EXPECTED = {
    (BUURT_1, "satisfaction", 2025): (21.5 / 3, 4, 3),
    (BUURT_1, "satisfaction", 2024): (5.0, 4, 1),
    (BUURT_2, "satisfaction", 2025): (9.0, 1, 1),
    (BUURT_1, "arrears", 2025): (50.0, 4, 3),
    (BUURT_2, "arrears", 2025): (0.0, 1, 1),
    (BUURT_1, "nuisance", 2025): (75.0, 4, 2),
    (BUURT_2, "nuisance", 2025): (300.0, 1, 1),
}
INDICATORS = {
    "satisfaction": {"domain": "social_cohesion", "direction": "higher_is_better",
                     "unit_aggregation": "mean"},
    "arrears": {"domain": "rent_arrears", "direction": "higher_is_worse",
                "unit_aggregation": "share"},
    "nuisance": {"domain": "nuisance_safety", "direction": "higher_is_worse",
                 "unit_aggregation": "count"},
}


def put_catalogue(client: TestClient, indicators: dict[str, dict[str, object]]) -> None:
    for key, body in indicators.items():
        assert client.put(f"{V1}/indicators/{key}", json=body).status_code == 201, key
    for code, homes in ((BUURT_1, 400), (BUURT_2, 120)):
        assert client.put(f"{V1}/neighbourhoods/{code}", json={"homes": homes}
                          ).status_code == 201


@pytest.fixture
def measured(client_factory: ClientFactory) -> TestClient:
    client = client_factory(role="planner")
    put_catalogue(client, INDICATORS)
    for vhe, (buurt, regulated) in UNITS.items():
        response = client.put(f"{V1}/units/{vhe}", json={"neighbourhood": buurt,
                                                         "regulated": regulated})
        assert response.status_code == 201, response.text
    response = client.post(f"{V1}/units/measurements", json={"measurements": [
        {"unit": vhe, "indicator": key, "year": year, "value": value}
        for vhe, key, year, value in MEASUREMENTS]})
    assert response.status_code == 200, response.text
    assert response.json()["created"] == len(MEASUREMENTS)
    return client


def test_aggregates_equal_the_hand_calculation(measured: TestClient) -> None:
    items = measured.get(f"{V1}/units/aggregates").json()["items"]

    found = {(i["neighbourhood"], i["indicator"], i["year"]): (i["value"], i["units"],
                                                                i["measured"]) for i in items}
    assert found.keys() == EXPECTED.keys()
    for key, (value, units, count) in EXPECTED.items():
        assert found[key][0] == pytest.approx(value, rel=1e-12), key
        assert found[key][1:] == (units, count), key
    aggregations = {i["indicator"]: i["aggregation"] for i in items}
    assert aggregations == {key: body["unit_aggregation"] for key, body in INDICATORS.items()}


def test_aggregates_filter_by_buurt_and_indicator(measured: TestClient) -> None:
    items = measured.get(f"{V1}/units/aggregates", params={
        "neighbourhood": BUURT_2, "indicator": "nuisance"}).json()["items"]
    assert [(i["neighbourhood"], i["indicator"], i["year"], i["value"]) for i in items] == [
        (BUURT_2, "nuisance", 2025, 300.0)]


def test_unit_values_score_as_the_same_values_stored_on_the_buurt(
    measured: TestClient, client_factory: ClientFactory, tenant_b: Tenant
) -> None:
    """Organisation B stores the hand-calculated buurt values directly; both score alike."""
    direct = TestClient(client_factory(role=None).app, headers=tenant_b.headers("planner"))
    plain = {key: {k: v for k, v in body.items() if k != "unit_aggregation"}
             for key, body in INDICATORS.items()}
    put_catalogue(direct, plain)
    for code in (BUURT_1, BUURT_2):
        values = [{"indicator": key, "year": year, "value": value}
                  for (buurt, key, year), (value, _, _) in EXPECTED.items() if buurt == code]
        homes = 400 if code == BUURT_1 else 120
        assert direct.put(f"{V1}/neighbourhoods/{code}", json={
            "homes": homes, "indicator_values": values}).status_code == 200

    for code in (BUURT_1, BUURT_2):
        from_units = measured.get(f"{V1}/neighbourhoods/{code}/scores")
        stored = direct.get(f"{V1}/neighbourhoods/{code}/scores")
        assert from_units.status_code == stored.status_code == 200
        assert from_units.json()["scores"].keys() == stored.json()["scores"].keys() == {
            "social_cohesion", "rent_arrears", "nuisance_safety"}
        for domain, score in stored.json()["scores"].items():
            assert from_units.json()["scores"][domain] == pytest.approx(score), domain


def test_derived_homes_equal_the_unit_counts(measured: TestClient) -> None:
    response = measured.post(f"{V1}/units/derive-homes", json={})

    assert response.status_code == 200, response.text
    by_hand = {BUURT_1: (4, 3), BUURT_2: (1, 0)}
    answered = {i["code"]: (i["homes"], i["regulated_homes"], i["homes_before"])
                for i in response.json()["items"]}
    assert answered == {BUURT_1: (4, 3, 400), BUURT_2: (1, 0, 120)}
    for code, (homes, regulated) in by_hand.items():
        stored = measured.get(f"{V1}/neighbourhoods/{code}").json()
        assert (stored["homes"], stored["regulated_homes"]) == (homes, regulated)


def test_derived_homes_follow_a_unit_that_moves(measured: TestClient) -> None:
    moved = measured.put(f"{V1}/units/D", json={"neighbourhood": BUURT_2, "regulated": True})
    assert moved.status_code == 200

    measured.post(f"{V1}/units/derive-homes", json={"neighbourhoods": [BUURT_1, BUURT_2]})

    stored = {code: measured.get(f"{V1}/neighbourhoods/{code}").json()
              for code in (BUURT_1, BUURT_2)}
    assert (stored[BUURT_1]["homes"], stored[BUURT_1]["regulated_homes"]) == (3, 2)
    assert (stored[BUURT_2]["homes"], stored[BUURT_2]["regulated_homes"]) == (2, 1)


def test_a_measurement_of_an_unknown_unit_or_unaggregated_indicator_writes_nothing(
    measured: TestClient
) -> None:
    assert measured.put(f"{V1}/indicators/plain", json={"direction": "higher_is_worse"}
                        ).status_code == 201
    response = measured.post(f"{V1}/units/measurements", json={"measurements": [
        {"unit": "A", "indicator": "satisfaction", "year": 2023, "value": 9.0},
        {"unit": "Z", "indicator": "satisfaction", "year": 2023, "value": 9.0},
        {"unit": "B", "indicator": "plain", "year": 2023, "value": 1.0},
    ]})

    assert response.status_code == 422
    paths = {error["path"] for error in response.json()["errors"]}
    assert paths == {"measurements[1].unit", "measurements[2].indicator"}
    years = {m["year"] for m in measured.get(f"{V1}/units/A").json()["measurements"]}
    assert 2023 not in years


# --- buurt codes ---------------------------------------------------------------------------

CBS_BUURT = re.compile(r"BU[0-9]{8}")


@pytest.mark.parametrize("code", ["BU0344083", "BU034408311", "bu03440831", "GM0344",
                                  "WK034408", "BU0344O831", "BU03440831 ", ""])
def test_a_unit_with_a_buurt_code_that_is_no_cbs_code_is_a_422(
    measured: TestClient, code: str
) -> None:
    response = measured.put(f"{V1}/units/F", json={"neighbourhood": code, "regulated": True})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["path"] for error in response.json()["errors"]] == ["neighbourhood"]
    assert measured.get(f"{V1}/units/F").status_code == 404


def test_a_unit_in_a_buurt_not_in_the_catalogue_is_a_422(measured: TestClient) -> None:
    response = measured.put(f"{V1}/units/F", json={"neighbourhood": "BU99999999",
                                                   "regulated": True})
    assert response.status_code == 422
    assert [error["path"] for error in response.json()["errors"]] == ["neighbourhood"]


@given(st.one_of(st.from_regex(CBS_BUURT, fullmatch=True), st.text(max_size=12)))
def test_a_buurt_code_is_accepted_exactly_when_it_is_bu_and_8_digits(code: str) -> None:
    is_cbs = CBS_BUURT.fullmatch(code) is not None and code.isascii()
    try:
        UnitWrite(neighbourhood=code, regulated=False)
    except ValidationError:
        assert not is_cbs
    else:
        assert is_cbs
