"""The speed wing as a whole: its switch, its walls, its guards, and decks equal either way."""

from __future__ import annotations

import ast
import hashlib
import marshal
import os
import shutil
from pathlib import Path

import pytest

from ankigen import _speed
from ankigen._speed import guards
from ankigen.cli import main
from tests.conftest import REPO, bench_pages

PACKAGE = REPO / "ankigen"
WING = PACKAGE / "_speed"
FIXTURES = REPO / "tests" / "fixtures"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, set(_speed.SPEEDUPS)),
        ("1", set(_speed.SPEEDUPS)),
        ("0", set()),
        ("off", set()),
        ("lexer, tokens", {"lexer", "tokens"}),
        ("-gc,-zip", set(_speed.SPEEDUPS) - {"gc", "zip"}),
        ("lexer,nonsense", {"lexer"}),
    ],
)
def test_the_switch(raw: str | None, expected: set[str]) -> None:
    environ = {} if raw is None else {"ANKIGEN_SPEEDUPS": raw}
    assert _speed.active(environ) == expected


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_wing_imports_libraries_only() -> None:
    for path in sorted(WING.glob("*.py")):
        own = {m for m in _imports(path) if m.split(".")[0] == "ankigen"}
        assert all(m == "ankigen._speed" or m.startswith("ankigen._speed.") for m in own), path


# What marks code that reaches into a library's private parts; it lives in the wing only.
PRIVATE_MARKS = (
    "re._parser",
    "re._compiler",
    "re._constants",
    "sre_parse",
    "sre_compile",
    "inspect.getsource",
    "malloc_trim",
    "._options",
    "get_tokens_unprocessed",
    "gc.disable",
)


def test_nothing_outside_the_wing_touches_library_internals() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if WING in path.parents:
            continue
        text = path.read_text(encoding="utf-8")
        assert not [mark for mark in PRIVATE_MARKS if mark in text], path


@pytest.mark.pinned
@pytest.mark.parametrize("guard", guards.GUARDS, ids=lambda g: f"{g.speedup}:{g.function}")
def test_the_pinned_libraries_are_the_code_the_guards_know(guard: guards.Guard) -> None:
    """With tests/constraints.txt installed, every speed-up runs: a release that changes a
    guarded function shows up here when its pin is raised, and nowhere else."""
    assert guards.installed_digest(guard.function) in guard.digests


def test_an_unknown_function_is_not_known() -> None:
    assert guards.installed_digest("markdown_it.token:NoSuchThing") is None


def test_digests_are_kept_while_the_library_file_is_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept in the cache folder with the library file's size and mtime: given back while
    those hold, read again from the source when they do not."""
    for name, value in (("_KEPT_IN", []), ("_KEPT", {}), ("_READ", [])):
        monkeypatch.setattr(guards, name, value)  # this test's own memo, none after it
    function = "markdown_it.rules_inline.linkify:linkify"
    plain = guards.installed_digest(function)
    assert plain is not None
    guards.keep_digests_in(tmp_path)
    assert guards.installed_digest(function) == plain
    kept = tmp_path / "guards.marshal"
    table = marshal.loads(kept.read_bytes())
    assert table[function][4] == plain
    table[function] = (*table[function][:4], "planted")
    kept.write_bytes(marshal.dumps(table))
    guards.keep_digests_in(tmp_path)  # a new process: reads the kept file
    assert guards.installed_digest(function) == "planted"
    path, size, mtime, line, _ = table[function]
    table[function] = (path, size + 1, mtime, line, "planted")  # the file has changed since
    kept.write_bytes(marshal.dumps(table))
    guards.keep_digests_in(tmp_path)
    assert guards.installed_digest(function) == plain


def _inputs(tmp_path: Path) -> list[Path]:
    """Every fixture site and page folder that builds, the repository's notes, and
    generated pages, each copied to a folder of its own."""
    found: list[Path] = []
    sources = [
        *(p for p in sorted((FIXTURES / "sites").iterdir()) if (p / "mkdocs.yml").is_file()),
        FIXTURES / "differential",
        FIXTURES / "browser",
        REPO / "source",
    ]
    for i, source in enumerate(sources):
        target = tmp_path / "in" / f"{i:02d}-{source.name}"
        shutil.copytree(source, target)
        found.append(target)
    bench = tmp_path / "in" / "bench"
    bench_pages(bench, 300, seed=3)
    found.append(bench)
    return found


def _build_all(inputs: list[Path], out: Path) -> dict[str, str]:
    """Build each input into ``out``; every file written (deck, lockfile, reports), hashed."""
    digests: dict[str, str] = {}
    for source in inputs:
        target = out / source.name
        for lock in source.rglob("ankigen.lock"):
            lock.unlink()
        argv = ["build", str(source), "-o", str(target / "deck.apkg"), "--no-cache"]
        status = main(argv, {"SOURCE_DATE_EPOCH": "1767225600"})
        digests[f"{source.name}: exit"] = str(status)
        for path in sorted(target.rglob("*")):
            digests[str(path.relative_to(out))] = hashlib.sha256(path.read_bytes()).hexdigest()
        for lock in source.rglob("ankigen.lock"):
            digests[f"{source.name}: lockfile"] = hashlib.sha256(lock.read_bytes()).hexdigest()
    shutil.rmtree(out)  # the next build writes the same paths (reports name them)
    return digests


def test_decks_are_byte_identical_with_the_speed_ups_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _inputs(tmp_path)
    monkeypatch.setenv("ANKIGEN_SPEEDUPS", "1")
    fast = _build_all(inputs, tmp_path / "out")
    monkeypatch.setenv("ANKIGEN_SPEEDUPS", "0")
    plain = _build_all(inputs, tmp_path / "out")
    capsys.readouterr()
    assert len(fast) > 30
    assert fast == plain
    assert os.environ["ANKIGEN_SPEEDUPS"] == "0"
