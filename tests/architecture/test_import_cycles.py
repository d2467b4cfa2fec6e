"""No import cycle inside `app/`: the module import graph, read with `ast` from the sources, can
be put in an order (stdlib `graphlib` raises `CycleError` naming a cycle when it cannot).

Every import that runs counts, also one inside a function: a cycle hidden in a function body is
still a cycle a reader has to untangle. Imports under `if TYPE_CHECKING:` never run and are left
out (type hints may name each other both ways). `from app.x import y` imports `app.x.y` when that
is a module and `app.x` otherwise; importing `app.x.y` also runs `app/x/__init__.py`, so the
package counts too.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in APP.rglob("*.py")}


TYPE_ONLY = ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:`."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in TYPE_ONLY:
            skipped |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return [node for node in ast.walk(tree) if id(node) not in skipped]


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.add(full if full in known else base)
    edges = set()
    for target in targets:
        # importing a.b.c runs a/__init__ and a/b/__init__ first
        pieces = target.split(".")
        for k in range(1, len(pieces) + 1):
            prefix = ".".join(pieces[:k])
            if prefix in known and prefix != name and not name.startswith(prefix + "."):
                edges.add(prefix)
    return edges


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imported(name, path, known) for name, path in found.items()}


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle (its modules, the first repeated at the end), or [] when there is none."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_app_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 100  # the whole of app/ was read
    assert "app.optimizer.search.solvers" in graph["app.optimizer.solve"]
    assert cycle(graph) == []


def test_a_cycle_is_found() -> None:
    graph = import_graph()
    graph["app.optimizer.problem.instance"].add("app.optimizer.solve")
    found = cycle(graph)
    assert {"app.optimizer.problem.instance", "app.optimizer.solve"} <= set(found)


def test_relative_and_from_imports_are_read(tmp_path: Path) -> None:
    known = {"app", "app.a", "app.a.b", "app.a.c"}
    source = tmp_path / "c.py"
    source.write_text("from . import b\nfrom app.a.b import thing\n", encoding="utf-8")
    assert imported("app.a.c", source, known) == {"app.a.b"}
