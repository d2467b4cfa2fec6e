"""The command line starts without the optimizer, the database layer or the web framework:
each command imports what it needs when it runs (`onderbouwd --help` stays quick)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# (the settings too: pydantic-settings alone took half of `--help`'s start)
HEAVY = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "pulp",
    "highspy",
    "numpy",
    "app.optimizer",
    "app.core.config",
)


def _loaded_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_importing_the_command_line_loads_none_of_the_heavy_packages() -> None:
    loaded = _loaded_after("import app.cli.main")
    assert [m for m in HEAVY if m in loaded] == []


def test_help_loads_none_of_them_either() -> None:
    code = (
        "import sys\nfrom app.cli.main import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = _loaded_after(code)
    assert [m for m in HEAVY if m in loaded] == []
    # and the probe is able to see them: the solve command does load the optimizer
    solving = _loaded_after("import app.cli.solve_command")
    assert "app.optimizer" in solving
    assert "highspy" in solving


def test_solving_a_file_loads_neither_the_database_layer_nor_the_web_framework() -> None:
    """`onderbouwd solve` needs the optimizer and the settings, not SQLAlchemy (a sixth of its
    start) or FastAPI."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    code = (
        "from app.cli.main import app\n"
        "try:\n"
        f"    app(['solve', {str(examples / 'design_example.json')!r}, '--json'])\n"
        "except SystemExit as end:\n"
        "    assert end.code == 0, end.code\n"
    )
    loaded = _loaded_after(code)
    assert "app.optimizer" in loaded  # it did solve
    assert [m for m in ("sqlalchemy", "fastapi", "starlette", "app.models") if m in loaded] == []
