"""A fresh solve of a whole model by HiGHS alone, with its own defaults (presolve with every
rule), independent of the staged solve: the check of an optimum the stages claim."""

from __future__ import annotations

import highspy

from app.optimizer.backends.highs_options import quiet_highs
from app.optimizer.model.arrays import load
from app.optimizer.model.build import build_model
from app.optimizer.problem.instance import compile_instance
from app.schemas.scenario import parse_scenario


def whole_model_optimum(doc: dict) -> float:
    """The proven optimum of the document's whole model (maximisation)."""
    h = quiet_highs()
    h.setOptionValue("presolve_rule_off", 0)
    load(h, build_model(compile_instance(parse_scenario(doc))).arrays)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return float(h.getInfo().objective_function_value)
