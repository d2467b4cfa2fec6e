"""The command line's choices, in a module of their own so that the commands' signatures
(and so `onderbouwd --help`) need nothing heavier than an enum."""

from __future__ import annotations

from enum import StrEnum


class SolverName(StrEnum):
    highs = "highs"
    cbc = "cbc"


class ExplainChoice(StrEnum):
    standard = "standard"
    full = "full"


class SweepScale(StrEnum):
    proportional = "proportional"
    total_only = "total_only"
