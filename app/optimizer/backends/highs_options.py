"""HiGHS settings shared by every instance we make, and by the MIPs that only need to prove.

Every HiGHS run in the process uses one thread. HiGHS keeps one thread pool per process, sized
by the first run, and refuses (with an error, not an answer) any later run whose `threads`
differs from it: a solve asking for one thread after one that asked for none would fail. HiGHS's
own threads bought little here (300 neighbourhoods: the Lagrangian bound and the full MIP within
noise of one thread).
"""

from __future__ import annotations

import os

import highspy

HIGHS_THREADS = 1
# Our own threads instead run separate HiGHS instances side by side (the neighbourhood MIPs of
# the Lagrangian bound, see `pricing`): at most this many, and no more than the cores.
MAX_WORKERS = 4

# HiGHS's primal heuristics, each with its own switch besides the overall effort.
_HEURISTIC_SWITCHES = (
    "mip_heuristic_run_feasibility_jump",
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
    "mip_heuristic_run_zi_round",
    "mip_heuristic_run_shifting",
)


# Presolve's probing, as its bit of HiGHS's `presolve_rule_off` mask: left out of every run.
# Of presolve's passes it heeds the clock least, and on some models it takes the whole limit.
# Measured (7 December, 2 cores, 30 s limits, probing on / off in every MIP of the solve, one
# run each, interleaved): the second generator with a fifth of its budget and no neighbourhood
# share, 60 x 20 x 4, proven in 12.9 / 2.7 s (HiGHS alone 19.2 / 3.0 s); `corporation` 300 seed
# 4 0.11 % at 30 s / proven in 14.7 s; `corporation` 30 seed 1 6.4 / 3.8 s; two mutated
# scenarios (25 x 40 x 5, 60 x 20 x 2) 15.6 / 11.0 and 13.1 / 11.0 s, one (120 x 20 x 8) 1.23 /
# 0.50 % at 30 s; Utrecht, `corporation` 300 seeds 1-3 and 30 seed 2 the same; `random` 30
# seed 1 7.1 / 8.2 s and 300 seed 2 8.5 / 12.4 s. In the warnings' re-solves it once ran 1.8 s
# past the deadline and found nothing (`plan_warnings`).
PROBING_OFF = 1 << 15
# Presolve's enumeration (of the points of small rows), as its bit: left out of the re-solves
# that must end on time and whose speed it does not decide (`plan_warnings`). It looks at the
# clock only when it ends: releasing the neighbourhood share of mutated scenario 84 (400 x 40 x
# 1, 15,491 columns), it ran 7 s of a presolve that takes 0.7 s without it, and the answer
# of a 6 s limit came after 10.97 s (4.5 s of processor time past the deadline; 0.2-2.4 s at
# 5, 7 and 10 s). Without it, 0.0-0.07 s at 3-12 s limits. Left in the solve's own MIPs: there
# it pays (the quick corpus without it, one run each at 5 and 10 s: Utrecht proven in 5.6 s
# instead of 2.5, `corporation` 30 seed 1 in 4.3-4.9 s instead of 3.5-3.6).
ENUMERATION_OFF = 1 << 16


def presolve_rules(h: highspy.Highs, enumeration: bool = True) -> None:
    """Presolve without probing, and without enumeration when `enumeration` is False."""
    h.setOptionValue("presolve_rule_off", PROBING_OFF | (0 if enumeration else ENUMERATION_OFF))


def without_heuristics(h: highspy.Highs) -> None:
    """Every primal heuristic off, the effort setting included (alone it leaves feasibility
    jump and the root's RINS, RENS and reduced-cost sub-MIPs running)."""
    h.setOptionValue("mip_heuristic_effort", 0.0)
    for switch in _HEURISTIC_SWITCHES:
        h.setOptionValue(switch, False)


def workers(threads: int | None) -> int:
    """How many HiGHS runs may go at once: the client's `threads`, else every core, within
    MAX_WORKERS and the cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:  # pragma: no cover (not on Linux)
        cores = os.cpu_count() or 1
    wanted = cores if threads is None else threads
    return max(1, min(MAX_WORKERS, cores, wanted))


def quiet_highs(seed: int = 0) -> highspy.Highs:
    """A HiGHS instance that prints nothing, breaks ties the same way every run (by `seed`)
    and uses one thread (see above)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("threads", HIGHS_THREADS)
    presolve_rules(h)
    return h
