"""The shape of the package: rooms in pipeline order that import downward only, no import
cycles, and few modules at the top (README, "Where things live")."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ankigen"

# Lowest first: a module may import its own room and the rooms before it. The package itself
# (``ankigen``: its version) is below everything.
ORDER = [
    "codefiles", "errors", "digest", "jsonrows", "records", "files", "_speed",
    "config", "read", "syntax", "cards", "identity", "output",
    "freshness", "build", "cli", "__main__",
]  # fmt: skip


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The ankigen modules ``path`` imports (at module level only, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("ankigen"):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("ankigen"))
    return found


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_room_is_in_the_order() -> None:
    rooms = {_room(m) for m in MODULES} - {""}
    assert rooms <= set(ORDER), sorted(rooms - set(ORDER))


def test_rooms_import_downward_only() -> None:
    upward = []
    for module, path in MODULES.items():
        rank = ORDER.index(_room(module)) if _room(module) else -1
        for imported in _imports(path, top_level_only=False):
            room = _room(imported)
            if room and room in ORDER and ORDER.index(room) > rank:
                upward.append(f"{module} imports {imported}")
    assert upward == []


def test_no_import_cycles() -> None:
    graph = {
        module: {m for m in _imports(path, top_level_only=True) if m in MODULES and m != module}
        for module, path in MODULES.items()
    }
    # a package's __init__ importing its own submodules is not a cycle of its own
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for imported in sorted(graph[module]):
            cycle = visit(imported)
            if cycle is not None:
                return cycle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        assert visit(module) is None, f"import cycle: {' -> '.join(path)}"


def test_few_modules_at_the_top() -> None:
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= 15, top


def test_the_checks_see_an_upward_import(tmp_path: Path) -> None:
    page = tmp_path / "x.py"
    page.write_text("def f():\n    from ankigen.cli.run import command\n", encoding="utf-8")
    assert "ankigen.cli.run" in _imports(page, top_level_only=False)
    assert _imports(page, top_level_only=True) == set()
