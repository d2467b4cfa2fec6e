"""The arrays kept from the build are the PuLP model's own numbers, and the PuLP objects made in
bulk are the ones PuLP makes itself.

`build_model` gathers rows and columns as numpy arrays and makes both the PuLP problem and the
HiGHS arrays from them; `arrays_from_rows` reads the arrays back from the PuLP objects. Both must
agree bit for bit, on small generated scenarios, random larger ones and the examples.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pulp
import pytest
from hypothesis import HealthCheck, given, settings

from app.optimizer.model.arrays import arrays_from_rows, model_arrays
from app.optimizer.model.build import Model, build_model
from app.optimizer.model.value_rows import _direct_value
from app.optimizer.problem.instance import Instance, compile_instance
from app.optimizer.problem.value import cell_factor
from app.schemas.scenario import ScenarioInvalid, parse_scenario
from examples.generate_random import random_scenario
from tests.strategies import small_scenarios

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
FIELDS = (
    "costs",
    "col_lower",
    "col_upper",
    "integer",
    "starts",
    "index",
    "value",
    "row_lower",
    "row_upper",
)


def _instance(document: dict) -> Instance:
    return compile_instance(parse_scenario(copy.deepcopy(document)))


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _uncapped(document: dict) -> dict:
    changed = copy.deepcopy(document)
    changed.setdefault("objective", {})["cap_at_target"] = False
    return changed


def assert_same_arrays(model: Model) -> None:
    kept, walked = model_arrays(model), arrays_from_rows(model)
    for name in FIELDS:
        a, b = getattr(kept, name), getattr(walked, name)
        assert a.shape == b.shape, name
        assert a.tobytes() == b.tobytes(), name  # bit for bit, −0.0 and all


def assert_pulp_made(model: Model) -> None:
    """Every column and row has exactly the attributes PuLP gives one it makes itself."""
    fresh = pulp.LpProblem("fresh", pulp.LpMaximize)
    locked = {id(v) for v in model.x if v.upBound == 0}
    for var in model.columns:
        binary = var.cat == pulp.LpInteger
        original = 1 if binary else var._upbound_original
        made = fresh.add_variable(
            var.name, 0, original, pulp.LpBinary if binary else pulp.LpContinuous
        )
        if id(var) in locked:
            made.upBound = 0
        mine, theirs = dict(vars(var)), dict(vars(made))
        assert mine.pop("hash") == id(var)
        theirs.pop("hash")
        assert list(mine.items()) == list(theirs.items())
        assert [type(v) for v in mine.values()] == [type(v) for v in theirs.values()]
    for k, row in enumerate(model.rows):
        made_row = pulp.LpConstraint(
            pulp.LpAffineExpression(list(row.items())), sense=row.sense, rhs=-row.constant
        )
        fresh.addConstraint(made_row, f"r{k}")
        assert list(vars(row.expr).items()) == list(vars(made_row.expr).items())
        assert list(row.items()) == list(made_row.items())
        assert type(row.expr) is pulp.LpAffineExpression
        assert list(vars(row)) == list(vars(made_row))
        for key, value in vars(made_row).items():
            if key != "expr":
                assert vars(row)[key] == value, key
    problem = model.problem
    assert list(problem._constraints) == [f"r{k}" for k in range(len(model.rows))]
    assert all(a is b for a, b in zip(problem._constraints.values(), model.rows, strict=True))
    assert problem.modifiedConstraints == model.rows
    first_seen: dict[int, pulp.LpVariable] = {}
    for row in model.rows:
        for var in row:
            first_seen.setdefault(id(var), var)
    assert [id(v) for v in problem._variables] == list(first_seen)
    assert problem._variable_ids == {v.hash: v for v in first_seen.values()}


def assert_consistent(model: Model) -> None:
    assert len(model.row_kinds) == len(model.rows)
    assert model.x == model.columns[: len(model.x)]
    assert_same_arrays(model)


class TestArraysMatchPulp:
    @pytest.mark.parametrize("name", ["utrecht.json", "design_example.json"])
    @pytest.mark.parametrize("plain", [False, True])
    def test_examples(self, name: str, plain: bool) -> None:
        model = build_model(_instance(_example(name)), plain=plain)
        assert_consistent(model)
        assert_pulp_made(model)

    @pytest.mark.parametrize(("size", "seed"), [(3, 1), (20, 2), (60, 3)])
    @pytest.mark.parametrize("capped", [True, False])
    def test_random(self, size: int, seed: int, capped: bool) -> None:
        document = random_scenario(size, 12, 3, seed=seed)
        model = build_model(_instance(document if capped else _uncapped(document)))
        assert_consistent(model)
        assert_pulp_made(model)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(small_scenarios())
    def test_small(self, document: dict) -> None:
        try:
            inst = _instance(document)
        except ScenarioInvalid:
            return
        for plain in (False, True):
            model = build_model(inst, plain=plain)
            assert_consistent(model)
            assert_pulp_made(model)


def test_direct_value_in_steps_equals_one_sum() -> None:
    """Without `cap_at_target`, the direct value is summed in steps of candidates: the same
    numbers as one sum over all of them."""
    inst = _instance(_uncapped(random_scenario(400, 40, 3, seed=3)))
    factor = cell_factor(inst)
    whole = np.einsum(
        "cd,cdt->c",
        inst.effects[inst.cand_i],
        factor[inst.cand_n] * inst.effect_years[:, None, :],
    )
    assert inst.n_candidates > 16384
    assert _direct_value(inst, factor).tobytes() == whole.tobytes()
