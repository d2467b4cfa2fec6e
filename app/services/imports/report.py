"""The running report of one import: rows read, what they do, and the problems found."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.repositories.bulk import Counts
from app.services.imports.cells import Problem

# A file with a problem on every one of 100,000 rows must not hold them all in memory or in
# the answer; the count stays exact.
MAX_PROBLEMS_KEPT = 1000


@dataclass
class Report:
    rows: int = 0
    counts: Counts = field(default_factory=Counts)
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)

    def add(self, problems: list[Problem]) -> None:
        self.problem_count += len(problems)
        room = MAX_PROBLEMS_KEPT - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def sorted_problems(self) -> list[Problem]:
        """In file order (reference problems are found a batch after the row's own)."""
        return sorted(self.problems, key=lambda p: (p.row, p.column or ""))
