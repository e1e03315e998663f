"""Shared fixtures: a throw-away ankigen project built through the real CLI entry point."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from markdown_it.token import Token

from ankigen._speed import guards
from ankigen._speed.tokens import tokens_known
from ankigen.cards.fields import tombstone_source_html
from ankigen.cli.commands import main
from ankigen.identity import notes as notes_module
from ankigen.identity.notes import Identified
from ankigen.records import RenderedCard
from ankigen.syntax import markdown as markdown_module
from tests.reference import RefCard, html_text, normalize_ws

# CI replays the same examples every run (a red build means a change broke them); at a desk
# every run explores new ones, and what it finds is saved in .hypothesis/ to be replayed.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
SEED_PAGE = REPO / "source" / "convolutional-neural-networks.md"
SHARED_SEED = REPO.parent / "shared" / "seed" / "000_f2d20e416df9d17b.txt"


@dataclass
class Project:
    """A user's project: ankigen.toml + source/ + build/, built with ``main([...])``."""

    root: Path
    deck: str = "Deep Learning Questions"

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def apkg(self) -> Path:
        return self.root / "build" / "deck.apkg"

    @property
    def lock(self) -> Path:
        return self.root / "ankigen.lock"

    def page(self, name: str = "convolutional-neural-networks.md") -> Path:
        return self.source / name

    def build(self, *extra: str, now: int | None = None) -> int:
        env = {} if now is None else {"SOURCE_DATE_EPOCH": str(now)}
        return main(["build", str(self.source), "-o", str(self.apkg), *extra], env=env)

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.page(name)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def package_rows(apkg: Path, query: str) -> list[tuple[Any, ...]]:
    """The rows ``query`` selects from the collection inside a built .apkg (read from a copy
    in a temporary folder)."""
    with zipfile.ZipFile(apkg) as archive:
        data = archive.read("collection.anki2")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "collection.anki2"
        db.write_bytes(data)
        conn = sqlite3.connect(db)
        try:
            return conn.execute(query).fetchall()
        finally:
            conn.close()


def copy_site(site: Path, tmp_path: Path) -> Path:
    """A fixture site copied into a repository root of its own (config lookup stops there)."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / ".git").mkdir()
    return copy


def as_ref_cards(cards: Iterable[RenderedCard]) -> list[RefCard]:
    """Our cards in the reference's terms: question, answer text, link hrefs."""
    return [
        RefCard(
            normalize_ws(html_text(card.question_html)),
            normalize_ws(html_text(card.answer_html)),
            tuple(link.href for link in card.links),
        )
        for card in cards
    ]


@pytest.fixture(autouse=True)
def own_cache_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Each test gets an empty render cache of its own (never the user's ~/.cache)."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("ANKIGEN_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    (root / "source").mkdir(parents=True)
    (root / ".git").mkdir()  # stop config discovery here, like a real repository root
    (root / "ankigen.toml").write_text('deck = "Deep Learning Questions"\n', encoding="utf-8")
    shutil.copyfile(SEED_PAGE, root / "source" / SEED_PAGE.name)
    return Project(root)


MakeProject = Callable[[dict[str, str]], Project]


@pytest.fixture
def make_project(tmp_path: Path) -> MakeProject:
    """A project whose pages are given as {relative path: text}."""

    def make(pages: dict[str, str]) -> Project:
        root = tmp_path / "made"
        (root / "source").mkdir(parents=True)
        (root / ".git").mkdir()
        (root / "ankigen.toml").write_text('deck = "Made"\n', encoding="utf-8")
        for rel, text in pages.items():
            path = root / "source" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return Project(root, deck="Made")

    return make


# Edits of real pages for property tests: (operation, position, text) triples.
def mutate(text: str, ops: list[tuple[int, int, str]]) -> str:
    """Character edits (insert, delete, newline, indent, marker) and line edits (duplicate,
    drop, swap with the next, dedent, indent by 1-3 spaces)."""
    for op, at, piece in ops:
        i = at % (len(text) + 1)
        if op == 0:
            text = text[:i] + piece + text[i:]
        elif op == 1:
            text = text[:i] + text[i + len(piece) :]
        elif op == 2:
            text = text[:i] + "\n" + text[i:]
        elif op == 3:
            text = text[:i] + "    " + text[i:]
        elif op == 4:
            text = text[:i] + '??? question "' + piece + '"\n    ' + text[i:]
        else:
            lines = text.split("\n")
            n = at % len(lines)
            if op == 5:
                lines.insert(n, lines[n])
            elif op == 6:
                del lines[n]
            elif op == 7 and n + 1 < len(lines):
                lines[n], lines[n + 1] = lines[n + 1], lines[n]
            elif op == 8:
                lines[n] = lines[n].lstrip(" \t")
            elif op == 9:
                lines[n] = " " * (1 + at % 3) + lines[n]
            text = "\n".join(lines)
    return text


MUTATIONS = st.lists(
    st.tuples(st.integers(0, 9), st.integers(0, 100_000), st.text(max_size=12)), max_size=8
)


ROOT = Path(__file__).resolve().parent.parent


def bench_pages(folder: Path, cards: int, seed: int) -> list[Path]:
    """The benchmark's generated pages (``benchmarks/bench_build.py``), written into
    ``folder``: what the fast paths are measured on is what their tests read."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_build import generate  # noqa: PLC0415
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(folder, cards, seed=seed)
    return sorted(folder.rglob("*.md"))


def token_shape(tokens: list[Token]) -> list[object]:
    """Everything of a token stream that reaches the HTML, children included."""
    return [
        (
            t.type,
            t.tag,
            t.content,
            t.map,
            t.markup,
            t.info,
            sorted(t.attrs.items()),
            t.level,
            token_shape(t.children or []),
        )
        for t in tokens
    ]


@contextmanager
def guards_unknown(*speedups: str) -> Iterator[None]:
    """Inside, the installed library code counts as changed for ``speedups``: their guards
    know no digest, so those speed-ups stay off (the parser is made afresh)."""
    saved = guards.GUARDS
    guards.GUARDS = tuple(
        replace(g, digests=frozenset()) if g.speedup in speedups else g for g in saved
    )
    _forget_parsers()
    try:
        yield
    finally:
        guards.GUARDS = saved
        _forget_parsers()


def _forget_parsers() -> None:
    guards.known.cache_clear()
    tokens_known.cache_clear()
    markdown_module._markdown.cache_clear()


CONSTRAINTS = Path(__file__).parent / "constraints.txt"


def pinned_versions() -> dict[str, str]:
    """Distribution -> version, as tests/constraints.txt pins them."""
    pins: dict[str, str] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep:
            pins[name] = version
    return pins


def unpinned() -> list[str]:
    """The pinned distributions installed at another version than the pin."""
    found = []
    for name, version in pinned_versions().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "none"
        if installed != version:
            found.append(f"{name} {installed} (pinned {version})")
    return found


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """``pinned`` tests run against the pinned versions only: elsewhere they are skipped,
    saying so, rather than red for a release nobody here has looked at yet."""
    differ = unpinned()
    if not differ:
        return
    skip = pytest.mark.skip(reason="not the pinned versions: " + ", ".join(differ))
    for item in items:
        if item.get_closest_marker("pinned") is not None:
            item.add_marker(skip)


@pytest.fixture(params=["speed-ups on", "speed-ups off"])
def speedups_both_ways(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the speed wing on, and again with it off (``ANKIGEN_SPEEDUPS=0``)."""
    monkeypatch.setenv("ANKIGEN_SPEEDUPS", "1" if request.param == "speed-ups on" else "0")
    return str(request.param)


def identify(*args: Any, **kwargs: Any) -> Identified:
    """``identity.notes.identify`` with the Source field the build gives removed notes."""
    return notes_module.identify(*args, tombstone_source=tombstone_source_html, **kwargs)
