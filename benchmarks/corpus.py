"""The scenarios every change to the solve is judged on: more than one generator, three sizes.

    python -m benchmarks.corpus [--quick] [--out DIR]      # list the cases, or write them

Three kinds of scenario, so that no stage is kept for what one generator happens to make:

- `random`: the project's own generator (`examples.generate_random`): every rule of DESIGN §3,
  area budgets, locks, correlated deprivation;
- `corporation`: a second generator with other distributions and rules
  (`benchmarks.gen_corporation`): per-home costs, partner shares, exclusive groups,
  prerequisites, a neighbourhood share and a per-home cap;
- `utrecht`: the real question the project ships (`examples/utrecht.json`, 110 buurten);
- `mutated` (outside the default corpus, `--mutated N`): the two generators' documents at other
  shapes with rules and settings changed at random (`benchmarks.gen_mutated`).

The generated ones come at 30, 300 and 3,000 neighbourhoods × 40 interventions × 3 years, with
several seeds. Every case asks for `mip_gap` 0.001; the time limit is the benchmark's to set.
"""

from __future__ import annotations

import argparse
import json
import pathlib
from dataclasses import dataclass
from typing import Any

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
INTERVENTIONS = 40
YEARS = 3
MIP_GAP = 0.001

# (generator, neighbourhoods, seeds): the default corpus, and the quick one for a first look.
DEFAULT = (
    ("random", 30, (1, 2, 3)),
    ("corporation", 30, (1, 2, 3)),
    ("random", 300, (1, 2, 3)),
    ("corporation", 300, (1, 2, 3, 4)),
    ("random", 3000, (1,)),
    ("corporation", 3000, (1,)),
)
QUICK = (
    ("random", 30, (1,)),
    ("corporation", 30, (1,)),
    ("random", 300, (1, 2)),
    ("corporation", 300, (1, 2, 3)),
)


@dataclass(frozen=True)
class Case:
    generator: str  # "random", "corporation", "utrecht" or "mutated"
    neighbourhoods: int
    seed: int = 0
    # HiGHS's random seed, on both sides: its search path (and time to proof) varies with it.
    solver_seed: int = 0

    @property
    def question(self) -> str:
        """The case without its solver seed: the runs of one question over several seeds."""
        if self.generator == "utrecht":
            return "utrecht"
        if self.generator == "mutated":
            return f"mutated-s{self.seed}"
        return f"{self.generator}-{self.neighbourhoods}-s{self.seed}"

    @property
    def name(self) -> str:
        return self.question + (f"/h{self.solver_seed}" if self.solver_seed else "")

    def document(self, time_limit_s: float) -> dict[str, Any]:
        """The scenario document, asking for `time_limit_s` and the corpus's gap."""
        if self.generator == "utrecht":
            document = json.loads((EXAMPLES / "utrecht.json").read_text())
        elif self.generator == "random":
            from examples.generate_random import random_scenario

            document = random_scenario(self.neighbourhoods, INTERVENTIONS, YEARS, self.seed)
        elif self.generator == "corporation":
            from benchmarks.gen_corporation import scenario

            document = scenario(self.neighbourhoods, INTERVENTIONS, YEARS, self.seed)
        elif self.generator == "mutated":  # its own shape (`gen_mutated`), whatever the size
            from benchmarks.gen_mutated import mutated_scenario

            document, _ = mutated_scenario(self.seed)
        else:
            raise ValueError(f"unknown generator {self.generator!r}")
        solver = dict(document.get("solver") or {})
        solver.update(
            name="highs", time_limit_s=time_limit_s, mip_gap=MIP_GAP, random_seed=self.solver_seed
        )
        document["solver"] = solver
        return document


def corpus(quick: bool = False, sizes: tuple[int, ...] | None = None) -> list[Case]:
    """The cases in a fixed order (by size, then generator, then seed), Utrecht among the
    small ones; `sizes` keeps only the generated cases of those sizes."""
    cases = [
        Case(generator, n, seed)
        for generator, n, seeds in (QUICK if quick else DEFAULT)
        for seed in seeds
        if sizes is None or n in sizes
    ]
    if sizes is None or any(n < 300 for n in sizes):
        cases.append(Case("utrecht", 110))
    return sorted(cases, key=lambda c: (c.neighbourhoods, c.generator, c.seed))


def main() -> None:
    parser = argparse.ArgumentParser(description="List (or write) the benchmark corpus.")
    parser.add_argument("--quick", action="store_true", help="the small corpus")
    parser.add_argument("--out", type=pathlib.Path, help="write each case's document here")
    parser.add_argument("--time-limit", type=float, default=60.0)
    options = parser.parse_args()
    for case in corpus(options.quick):
        if options.out is not None:
            options.out.mkdir(parents=True, exist_ok=True)
            path = options.out / f"{case.name}.json"
            path.write_text(json.dumps(case.document(options.time_limit)))
            print(path)
        else:
            print(case.name)


if __name__ == "__main__":
    main()
