"""The package's layout: stages as subpackages, imports only downwards, no loops, small modules.

Every module's imports are read with :mod:`ast` (top-level and inside functions alike, since a
lazy import is still a dependency) and resolved to ``llmstrategy`` modules. The stages, lowest
first (a module may import its own stage and any stage of a lower rank, never one of the same
or a higher rank):

0. leaf modules ``errors``, ``files``, ``fmt`` (they import nothing of the package);
1. ``inputs``; 2. ``economics``; 3. ``decision``;
4. ``views`` and ``pipeline`` (side by side: neither imports the other);
5. ``notebook`` and ``report``; 6. ``cli``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "llmstrategy"
MAX_LINES = 400

RANK = {
    "errors": 0,
    "files": 0,
    "fmt": 0,
    "inputs": 1,
    "economics": 2,
    "decision": 3,
    "views": 4,
    "pipeline": 4,
    "notebook": 5,
    "report": 5,
    "cli": 6,
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _stage(module: str) -> str | None:
    """``llmstrategy.economics.api`` → ``economics``; the package root has no stage."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The llmstrategy modules that ``module`` imports (``from x import y`` counts ``x.y`` when
    ``y`` is a module, else ``x``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "llmstrategy")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "llmstrategy":
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.add(sub if sub in known else target)
    return {m for m in out if m != module}


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {m: _imports(m, p, known) for m, p in mods.items()}


def test_every_module_belongs_to_a_stage() -> None:
    for m in _modules():
        stage = _stage(m)
        assert stage is None or stage in RANK, f"{m} is in no stage: add it to a stage or to RANK in this test"


def test_imports_only_go_down_the_stages() -> None:
    wrong = []
    for m, deps in _graph().items():
        src = _stage(m)
        if src is None:  # llmstrategy/__init__.py: only the leaf errors module
            wrong += [f"llmstrategy imports {d}" for d in deps if _stage(d) not in (None, "errors")]
            continue
        for d in deps:
            dst = _stage(d)
            if dst is None or dst == src:
                continue
            if RANK[dst] >= RANK[src]:
                wrong.append(f"{m} ({src}, rank {RANK[src]}) imports {d} ({dst}, rank {RANK[dst]})")
    assert not wrong, "imports that run back up the stages:\n" + "\n".join(sorted(wrong))


def test_leaf_modules_import_nothing_of_the_package() -> None:
    g = _graph()
    for leaf in ("llmstrategy.errors", "llmstrategy.files", "llmstrategy.fmt"):
        assert not g[leaf], f"{leaf} imports {g[leaf]}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), as sorted lists."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_loops() -> None:
    # a package's __init__ that re-exports its modules is not a loop with them
    g = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in _graph().items()}
    assert _cycles(g) == []


def test_the_loop_detector_finds_a_loop() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_direction_check_reads_relative_and_lazy_imports(tmp_path: Path) -> None:
    src = "def f():\n    from ..views import charts\n    from . import api\n"
    path = tmp_path / "api.py"
    path.write_text(src)
    known = {"llmstrategy.views.charts", "llmstrategy.economics.api"}
    deps = _imports("llmstrategy.economics.x", path, known)
    assert deps == {"llmstrategy.views.charts", "llmstrategy.economics.api"}


@pytest.mark.parametrize("module", sorted(_modules()))
def test_no_module_above_the_line_limit(module: str) -> None:
    lines = _modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES}): split it by job"
