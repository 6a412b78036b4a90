"""The layers hold: the ground floor imports nothing above it, no two modules import each
other round a cycle (a lazy import inside a function counts too), no module outside
migrations and tests grows past its limit."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("core", "workcalendar", "history", "agencies", "proposals", "replies", "followup", "notifications", "search", "members", "public",
        "demo", "config")
MAX_LINES = 520


def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]):
    """(module imported, line) for every import in the module, lazy ones included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, *([node.module] if node.module else [])])
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found = set()
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + ".") and target not in found:
                found.add(target)
                yield target, node.lineno


def test_the_ground_floor_imports_nothing_above_it():
    known = modules()
    upward = [
        f"{name}:{line} imports {target}"
        for name, path in known.items() if name.split(".")[0] == "core"
        for target, line in imports(name, path, known) if target.split(".")[0] != "core"
    ]
    assert upward == []


def test_no_import_cycle_even_through_lazy_imports():
    known = modules()
    graph = defaultdict(set)
    for name, path in known.items():
        graph[name] = {target for target, _line in imports(name, path, known)}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in list(known):
        if name not in index:
            visit(name)
    assert cycles == []


def test_the_layer_check_sees_a_lazy_upward_import(tmp_path):
    """The checks read imports inside functions too."""
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from proposals.models import Proposal\n", encoding="utf-8")
    known = {"core.m": source, "proposals.models": source}
    assert list(imports("core.m", source, known)) == [("proposals.models", 2)]


def test_no_module_is_past_its_limit():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
