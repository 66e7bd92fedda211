"""The package's layers, checked from the source: each layer imports only layers below it, and no
module imports itself back through others (function-level imports count too).

    python -m tests.test_architecture      # prints the import graph between layers
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checker"
# Lowest first. A module may import its own layer and the layers before it.
LAYERS = ("text", "data", "ruleset", "facts", "engine", "verdict", "run", "report", "cli")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """The checker modules `path` imports, at any depth of the file (lazy imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from checker.data import models` imports the module checker.data.models
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target != "checker":
                found.add(target)
    return found


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2:
        return None  # checker itself: the version, importable by all
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else None


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, name, set(known)) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_every_module_sits_in_a_layer():
    loose = [m for m in modules() if m != "checker" and layer_of(m) is None]
    assert not loose, f"modules outside the layers {LAYERS}: {loose}"


def test_setup_cfg_installs_every_package():
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = {line.strip() for line in config["options"]["packages"].splitlines() if line.strip()}
    packages = {name for name, path in modules().items() if path.name == "__init__.py"}
    assert packages <= listed, f"add to setup.cfg [options] packages: {sorted(packages - listed)}"


def test_no_layer_imports_a_layer_above_it():
    upward = [f"{source} -> {target}" for source, targets in graph().items() for target in sorted(targets)
              if layer_of(source) is not None and layer_of(target) is not None
              and layer_of(target) > layer_of(source)]
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_no_import_cycle():
    assert not cycles(graph()), f"import cycles: {cycles(graph())}"


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


if __name__ == "__main__":  # pragma: no cover
    for source, targets in sorted(graph().items()):
        for target in sorted(targets):
            print(f"{source} -> {target}")
