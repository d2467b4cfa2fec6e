"""`onderbouwd solve FILE`: read, validate, solve, print (a readable report or JSON)."""

from __future__ import annotations

import ctypes
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from app.cli.choices import SolverName
from app.cli.report import print_report
from app.core.config import Settings
from app.core.errors import ProblemTooLarge
from app.optimizer.explain import ExplainLevel
from app.schemas.recommendation import Recommendation
from app.schemas.scenario import ScenarioInvalid, parse_scenario

EXIT_OK = 0
EXIT_NO_PLAN = 1  # the scenario is valid but no plan was found (infeasible or solver error)
EXIT_BAD_INPUT = 2


class InputError(Exception):
    """The file cannot be used as a scenario; each message is printed on its own line."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def run_solve(
    file: Path,
    *,
    as_json: bool,
    solver: SolverName | None,
    time_limit: float | None,
    mip_gap: float | None,
    settings: Settings,
    explain: bool = True,
    explain_level: str = "standard",
) -> int:
    """Solve `file` and print the outcome; return the exit code."""
    try:
        document = read_document(file)
        apply_overrides(document, solver=solver, time_limit=time_limit, mip_gap=mip_gap)
        scenario = parse_scenario(document)
    except InputError as error:
        _print_errors(error.messages)
        return EXIT_BAD_INPUT
    except ScenarioInvalid as error:
        _print_errors([f"{e['path'] or '(document)'}: {e['message']}" for e in error.errors])
        return EXIT_BAD_INPUT
    try:
        from app.services.planning.solving import check_problem_size  # loads the solvers

        check_problem_size(scenario, settings.max_problem_size)
    except ProblemTooLarge as error:
        _print_errors([error.detail])
        return EXIT_BAD_INPUT

    with _stdout_to_stderr():
        from app.optimizer.guard import fork_children
        from app.services.planning.solving import solve_inline

        fork_children()  # this process is one thread and has run no solver: a copy is safe

        level: ExplainLevel = "full" if explain_level == "full" else "standard"
        recommendation = solve_inline(scenario, settings, explain=explain, explain_level=level)

    if as_json:
        sys.stdout.write(recommendation.model_dump_json(indent=2) + "\n")
    else:
        print_report(_report_console(), recommendation, settings)
    return EXIT_OK if _has_plan(recommendation) else EXIT_NO_PLAN


def read_document(file: Path) -> Any:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([f"{file}: no such file"]) from None
    except IsADirectoryError:
        raise InputError([f"{file}: is a directory, not a scenario file"]) from None
    except UnicodeDecodeError:
        raise InputError([f"{file}: not UTF-8 text, so not a JSON scenario"]) from None
    except OSError as error:
        raise InputError([f"{file}: cannot be read ({error.strerror})"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            [f"{file}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"]
        ) from None
    except RecursionError:
        raise InputError([f"{file}: not a usable JSON document (nested too deeply)"]) from None


def apply_overrides(
    document: Any,
    *,
    solver: SolverName | None,
    time_limit: float | None,
    mip_gap: float | None,
) -> None:
    """Command-line options replace `solver.*` before validation, so they are checked too."""
    overrides: dict[str, Any] = {}
    if solver is not None:
        overrides["name"] = solver.value
    if time_limit is not None:
        overrides["time_limit_s"] = time_limit
    if mip_gap is not None:
        overrides["mip_gap"] = mip_gap
    if not overrides or not isinstance(document, dict):
        return
    settings = document.setdefault("solver", {})
    if isinstance(settings, dict):
        settings.update(overrides)


def _has_plan(recommendation: Recommendation) -> bool:
    return recommendation.status in ("optimal", "feasible")


def _report_console() -> Console:
    console = Console()
    if not console.is_terminal:  # written to a file or a pipe: wide enough for every column
        console = Console(width=160)
    return console


def _print_errors(messages: list[str]) -> None:
    console = Console(stderr=True)
    for message in messages:
        console.print(Text(message, style="red"), soft_wrap=True)


def _flush_c_stdout() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # no C library to flush (not POSIX)
        pass


@contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Keep whatever solver libraries print at C level off stdout, so that `--json` output
    stays a single JSON document."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (e.g. a detached process)
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        _flush_c_stdout()
        os.dup2(saved, 1)
        os.close(saved)
