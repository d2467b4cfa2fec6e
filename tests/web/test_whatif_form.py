"""The what-if panel's form as a merge patch: applying the patch gives what the form says."""

from __future__ import annotations

import copy
from typing import Any

import json_merge_patch
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import ValidationFailed
from app.web.whatif_form import WhatIfForm, whatif_patch

DOCUMENT: dict[str, Any] = {
    "start_year": 2027, "horizon_years": 3,
    "budget": {"total": 500000, "per_year": [200000, 200000, 200000]},
    "rules": {"max_neighbourhood_share": 0.7,
              "locks": [{"intervention": "caretaker", "neighbourhood": "BU1", "fund": True,
                         "start_year": None}]},
}


def _form(**changes: Any) -> WhatIfForm:
    fields: dict[str, Any] = {
        "keep_locks": ["0"], "leave_out": [], "force_in": "",
        "budgets": {2027: "200000", 2028: "200000", 2029: "200000"},
        "max_neighbourhood_share": "0.7"}
    return WhatIfForm(**{**fields, **changes})


def test_an_unchanged_form_is_an_empty_patch() -> None:
    assert whatif_patch(DOCUMENT, _form()) == {}


def test_leaving_a_run_out_adds_a_lock_and_keeps_the_rest() -> None:
    patch = whatif_patch(DOCUMENT, _form(leave_out=["coach|BU2"]))
    assert patch == {"rules": {"locks": [
        DOCUMENT["rules"]["locks"][0],
        {"intervention": "coach", "neighbourhood": "BU2", "fund": False}]}}


def test_unticking_a_lock_removes_it_and_a_cleared_rule_is_null() -> None:
    patch = whatif_patch(DOCUMENT, _form(keep_locks=[], max_neighbourhood_share=""))
    assert patch == {"rules": {"locks": [], "max_neighbourhood_share": None}}
    patched = json_merge_patch.merge(copy.deepcopy(DOCUMENT), patch)
    assert "max_neighbourhood_share" not in patched["rules"]


def test_half_filled_budgets_name_the_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        whatif_patch(DOCUMENT, _form(budgets={2027: "1", 2028: "", 2029: "3"}))
    assert refused.value.errors == [{"path": "budget", "message":
                                     "give every year a budget, or leave them all empty"}]


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=3, max_size=3),
       st.sampled_from(["", "0.25", "0.7", "1"]), st.booleans())
def test_the_patched_document_says_what_the_form_says(
        budgets: list[int], share: str, force: bool) -> None:
    form = _form(budgets={2027 + k: str(v) for k, v in enumerate(budgets)},
                 max_neighbourhood_share=share, force_in="coach|BU3" if force else "")
    patched = json_merge_patch.merge(copy.deepcopy(DOCUMENT), whatif_patch(DOCUMENT, form))
    assert patched["budget"]["per_year"] == budgets
    assert patched["budget"]["total"] == 500000
    assert patched["rules"].get("max_neighbourhood_share") == (float(share) if share else None)
    expected_locks = DOCUMENT["rules"]["locks"] + (
        [{"intervention": "coach", "neighbourhood": "BU3", "fund": True}] if force else [])
    assert patched["rules"]["locks"] == expected_locks
