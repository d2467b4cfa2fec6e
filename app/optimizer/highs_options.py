"""HiGHS settings shared by the MIPs that only need to prove, not to search."""

from __future__ import annotations

import highspy

# HiGHS's primal heuristics, each with its own switch besides the overall effort.
_HEURISTIC_SWITCHES = (
    "mip_heuristic_run_feasibility_jump",
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
    "mip_heuristic_run_zi_round",
    "mip_heuristic_run_shifting",
)


def without_heuristics(h: highspy.Highs) -> None:
    """Every primal heuristic off, the effort setting included (alone it leaves feasibility
    jump and the root's RINS, RENS and reduced-cost sub-MIPs running)."""
    h.setOptionValue("mip_heuristic_effort", 0.0)
    for switch in _HEURISTIC_SWITCHES:
        h.setOptionValue(switch, False)
