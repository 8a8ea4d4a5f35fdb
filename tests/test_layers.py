"""The flow in the tree: imports go down the layers only, and no module imports itself back.

content -> config -> document -> render -> pipeline -> batch, lint -> cli, with errors, output,
cache, resources and i18n shared below them all. Every import counts, including those made
inside a function to keep start-up fast: they are imports all the same.
"""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "procguide"

# Higher may import lower or equal-ranked shared layers; never the other way.
RANKS = {
    "errors": 0,
    "characters": 0,
    "output": 0,
    "cache": 0,
    "resources": 0,
    "i18n": 0,
    "content": 1,
    "config": 2,
    "document": 3,
    "render": 4,
    "pipeline": 5,
    "batch": 6,
    "lint": 6,
    "record": 6,
    "cli": 7,
}
# What one layer may not import even at its own rank or below: siblings stay apart.
SIBLINGS = {
    ("batch", "lint"),
    ("lint", "batch"),
    ("record", "batch"),
    ("batch", "record"),
    ("record", "lint"),
    ("lint", "record"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.add(base)
            # `from procguide.cli import batch` imports the module procguide.cli.batch.
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {m for m in found if m.startswith("procguide.") and m != name}


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}
GRAPH = {name: {m for m in _imports(path) if m in MODULES} for name, path in MODULES.items()}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_module_belongs_to_a_layer():
    layers = {_layer(m) for m in MODULES} - {None, "__main__"}
    assert layers <= set(RANKS), f"add these to RANKS: {layers - set(RANKS)}"


def upward(module: str, imported: set[str]) -> list[str]:
    """The modules in ``imported`` that ``module`` may not import."""
    here = _layer(module)
    if here in (None, "__main__"):
        return []
    found = []
    for other in sorted(imported):
        there = _layer(other)
        if there is None or there == here:
            continue
        if RANKS[there] > RANKS[here] or (here, there) in SIBLINGS:
            found.append(other)
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_flow(module):
    assert not upward(module, GRAPH[module]), f"{module} imports up the flow"


def test_no_import_cycles():
    # Tarjan's strongly connected components; any component of two or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert not cycles, f"import cycles: {cycles}"


def test_the_layer_check_sees_upward_and_sideways_imports():
    # The check itself must be able to fail.
    assert upward("procguide.content.model", {"procguide.cli.core"}) == ["procguide.cli.core"]
    assert upward("procguide.render.pdf", {"procguide.pipeline"}) == ["procguide.pipeline"]
    assert upward("procguide.lint.check", {"procguide.batch.plan"}) == ["procguide.batch.plan"]
    assert upward("procguide.cli.core", {"procguide.content.model", "procguide.errors"}) == []


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_and_functions_stay_small_enough_to_read(module):
    path = MODULES[module]
    source = path.read_text(encoding="utf-8")
    assert source.count("\n") <= MAX_MODULE_LINES, f"{module}: split it by what it does"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{module}: {long}"
