"""PuLP's objects are made only for what needs them: the staged HiGHS solve of a model too large
for the full MIP reads the arrays alone, and still answers as before.

Making the objects is forbidden here by replacing the one function that makes them; a path that
reads `Model.problem`, `x`, `columns` or `rows` then fails.
"""

from __future__ import annotations

import copy
import math

import pytest
from hypothesis import given, settings

from app.optimizer import solve
from app.optimizer.model import build
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.schemas.scenario import parse_scenario
from examples.generate_random import random_scenario
from tests.optimizer.search.test_solve_paths import check_without_the_full_mip, thresholds
from tests.optimizer.test_brute_force import DESIGN_PROVEN, PROPERTY_SETTINGS
from tests.reference.evaluate import brute_force
from tests.strategies import small_scenarios

EXAMPLES = 60


class PulpObjectsMade(AssertionError):
    pass


def _refuse(*_: object) -> None:
    raise PulpObjectsMade("the PuLP objects were asked for")


@pytest.fixture
def no_pulp_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "pulp_model", _refuse)


def test_a_built_model_has_no_pulp_objects_until_asked() -> None:
    inst = compile_instance(parse_scenario(random_scenario(20, 12, 3, seed=2)))
    model = build_model(inst)
    assert not model.has_pulp_objects
    assert model.n_cols == len(model.arrays.costs)
    assert model.n_rows == len(model.row_kinds)
    names = list(model.column_names())
    assert len(model.columns) == model.n_cols  # made now
    assert model.has_pulp_objects
    assert [var.name for var in model.columns] == names
    assert len(model.x) == model.n_candidates == inst.n_candidates
    assert len(model.rows) == model.n_rows
    assert model.columns is model.columns  # once, then kept


def test_the_full_mip_still_asks_for_them(no_pulp_objects: None) -> None:
    """Where the full MIP runs (through PuLP), the objects are needed: the guard is live."""
    with pytest.raises(PulpObjectsMade):
        solve(
            parse_scenario(copy.deepcopy(DESIGN_PROVEN)), thresholds(guided_from=0, large_from=0)
        )


def test_design_example_at_national_scale_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """DESIGN §3's example without the full MIP: the relaxation's rounded plan is the proven
    optimum (10,737.17), found from the arrays alone, and the model's size is PuLP's."""
    best, _ = brute_force(DESIGN_PROVEN)
    assert best is not None
    made = build_model(compile_instance(parse_scenario(copy.deepcopy(DESIGN_PROVEN))))
    size = (len(made.columns), len(made.rows))
    monkeypatch.setattr(build, "pulp_model", _refuse)
    limits = thresholds(guided_from=0, large_from=0, no_mip_from=0)
    rec = solve(parse_scenario(copy.deepcopy(DESIGN_PROVEN)), limits)
    assert rec.objective is not None
    assert math.isclose(rec.objective, best, rel_tol=1e-6, abs_tol=1e-6)
    assert math.isclose(rec.objective, 10_737.17, abs_tol=0.01)
    assert rec.model is not None
    assert (rec.model.variables, rec.model.constraints) == size


@pytest.mark.xdist_group("brute_force")
@settings(max_examples=EXAMPLES, **PROPERTY_SETTINGS)
@given(small_scenarios())
def test_without_the_full_mip_from_the_arrays_alone(doc: dict) -> None:
    """The staged solve above the full MIP's threshold, with PuLP's objects forbidden: the plan
    keeps every rule and is worth what it claims, the bound holds, and a plan called optimal is
    the brute-force optimum."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "pulp_model", _refuse)
        check_without_the_full_mip(doc)
