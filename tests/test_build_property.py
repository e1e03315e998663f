"""Property: any page, built through the real command line, gives a trustworthy result.

Arbitrary text, and arbitrary mutations of the real fixture pages (``tests/fixtures/
differential/*.md`` and ``source/``), are written into a throw-away project beside a page with
one ordinary card, and built with ``ankigen.cli.commands.main(["build", ..., "--format", "json"])``,
sometimes over the output of an earlier build. Then:

a. nothing but our diagnostics comes out: no other exception, exit status 0 or 1 only, and a
   failed build (exit 1, explained by at least one error) leaves the earlier output byte for
   byte as it was (or no output at all), with no temporary file left behind;
b. every build finishes in bounded time (5 s, checked; a 60 s alarm stops a hang);
c. no card is lost in silence: each card the reference sees (Python-Markdown +
   pymdown-extensions, ``tests/reference.py``, the site's view) is a note of the built .apkg on
   its marker line, or named by a diagnostic at that page and line; and every note of the page
   sits on the line of a card the reference sees, once. The .apkg's notes are matched to lines
   through the report written beside the deck (page, line and GUID of every note); the lockfile
   (GUID -> page) and each note's Source field must agree with it. The lockfile records no line.

Checked in (c) only when the build succeeds (a failed build writes no deck to look into; (a)
covers it) and when the reference can say which lines are cards: it refuses pages whose marker
lines do not line up with its HTML (e.g. a marker in indented code), and so does this test when
a marker line does not hold the text of the question zipped with it (its scan takes an indented
```` ``` ```` for a fence that Python-Markdown reads as indented code, so the count can agree
while the lines do not).

The generator is restricted in one way: characters that ``str.splitlines`` takes for line ends
besides ``\\n`` and ``\\r`` (``\\v``, ``\\f``, ``\\x1c``-``\\x1e``, ``\\x85``, U+2028, U+2029)
become spaces, since the reference's marker scan counts lines with ``splitlines`` while
Python-Markdown and ankigen break lines only at ``\\n`` and ``\\r``: a test artefact.

Where ankigen's CommonMark reading of a page parts from the site's (a marker right after a
list item's text or a HTML tag line, inside display math closed later, after a fence left
open, in indented code in or after a list), it makes no card but warns at the marker line
(``lint._lost``); (c) accepts that. The regression tests at the end pin each such case, the
U+001F field separator, and a build that fails while writing.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event

from ankigen.cards.page import render_page
from ankigen.cli.commands import main
from tests.conftest import MUTATIONS, REPO, SEED_PAGE, mutate, package_rows
from tests.reference import (
    DEFAULT_EXTENSIONS,
    DEFAULT_TYPES,
    ReferenceMismatchError,
    card_elements,
    reference_cards,
    reference_html,
    scan_markers,
)

FIXTURES = [*sorted((REPO / "tests" / "fixtures" / "differential").glob("[0-9]*.md")), SEED_PAGE]
PAGE = "page.md"
ANCHOR = "zz-anchor.md"  # one ordinary card, so an empty page is no "no cards" error
ANCHOR_TEXT = '??? question "Is there always one card?"\n    Yes, this one.\n'
TIME_LIMIT = 5.0  # seconds per build
HANG_LIMIT = 60  # seconds per example, then SIGALRM

# Pieces of arbitrary pages; `{n}` becomes a number unique in the page.
PIECES = [
    '??? question "Q{n}?"',
    '???+ faq "F{n}?"',
    '!!! help "H{n}?"',
    '??? question "Same?"',
    "??? question",
    "???+ faq",
    '!!! help ""',
    "???question",
    "??? note",
    '!!! tip "T"',
    "    ",
    "\t",
    "",
    "",
    "    answer {n}",
    "        nested",
    "    - item",
    "        code",
    "* https://a.example/{n}",
    "Read more:",
    "```",
    "~~~",
    "    ```",
    "$",
    "$$",
    "\\[",
    "\\]",
    "\\(",
    "| a | b |",
    "|---|---|",
    "1. item",
    "- item",
    "> quote",
    "# Heading",
    "Heading\n===",
    "<details>",
    "</details>",
    "<!-- c -->",
    "**",
    "[x](https://x.example/)",
    '"',
    "é",
    "\u0301",
    "\r\n",
    "\x00",
]


# --------------------------------------------------------------------------- generators


@st.composite
def arbitrary_pages(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40))
    counter = iter(range(1, 1_000))
    return "\n".join(re.sub(r"\{n\}", lambda _: str(next(counter)), part) for part in parts)


@st.composite
def mutated_pages(draw: st.DrawFn) -> str:
    page = draw(st.sampled_from(FIXTURES))
    return mutate(page.read_text(encoding="utf-8"), draw(MUTATIONS))


# ------------------------------------------------------------------------- restriction

_LINE_ENDS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines only


def restricted(text: str) -> str:
    """``text`` with the one restriction of the module docstring applied."""
    return text.translate({ord(c): " " for c in _LINE_ENDS})


def reference_lines(text: str) -> list[int] | None:
    """Marker lines of the reference's cards, in order; None when it cannot tell."""
    try:
        cards = reference_cards(text)
    except ReferenceMismatchError:
        return None
    markers = [m for m in scan_markers(text) if m.is_card(DEFAULT_TYPES)]
    lines = text.split("\n")
    for marker, card in zip(markers, cards, strict=True):
        if not marker.untitled and not _subsequence(card.question, lines[marker.line - 1]):
            return None  # the scan zipped this card with another card's marker line
    return [m.line for m in markers]


def _subsequence(short: str, long: str) -> bool:
    """The letters and digits of ``short`` appear in ``long`` in order."""
    rest = iter(c for c in long.casefold() if c.isalnum())
    return all(c in rest for c in short.casefold() if c.isalnum())


# -------------------------------------------------------------------------- the build


def note(what: str) -> None:
    """A hypothesis event (shown with --hypothesis-show-statistics), when under hypothesis."""
    if currently_in_test_context():
        event(what)


@dataclass(frozen=True)
class Built:
    status: int
    diagnostics: list[dict[str, object]]
    seconds: float


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"no result after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def new_project(folder: Path, pages: dict[str, str]) -> Path:
    """A project (config, repository root, source pages) in ``folder``/project."""
    root = folder / "project"
    (root / ".git").mkdir(parents=True)
    (root / "source").mkdir()
    (root / "ankigen.toml").write_text('deck = "Property"\n', encoding="utf-8")
    for name, text in pages.items():
        (root / "source" / name).write_text(text, encoding="utf-8")
    return root


def environment(root: Path) -> dict[str, str]:
    """A pinned clock, and a render cache of the project's own beside it (never ~/.cache)."""
    return {"SOURCE_DATE_EPOCH": "1700000000", "ANKIGEN_CACHE_DIR": str(root.parent / "cache")}


def build(root: Path) -> Built:
    out, err = io.StringIO(), io.StringIO()
    args = ["build", str(root / "source"), "-o", str(root / "build" / "deck.apkg")]
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([*args, "--format", "json"], env=environment(root))
    seconds = time.perf_counter() - start
    assert err.getvalue() == "", err.getvalue()
    report = json.loads(out.getvalue())
    assert report["ok"] is (status == 0)
    return Built(status, report["diagnostics"], seconds)


def outputs(root: Path) -> dict[str, bytes]:
    """Every file a build may write: all but the sources and the config."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and path.relative_to(root).parts[0] not in ("source", ".git")
        and path.name != "ankigen.toml"
    }


def apkg_notes(apkg: Path) -> dict[str, list[str]]:
    """GUID -> fields of every note in the package."""
    with zipfile.ZipFile(apkg) as archive:
        assert sorted(archive.namelist())[:2] == ["collection.anki2", "media"]
    rows = package_rows(apkg, "SELECT guid, flds FROM notes")
    notes = {str(guid): str(fields).split("\x1f") for guid, fields in rows}
    assert len(notes) == len(rows), "a GUID twice in one package"
    for guid, fields in notes.items():  # Anki refuses a package with any other count
        assert len(fields) == 4, f"note {guid} has {len(fields)} fields: {fields}"
    return notes


def check_build(text: str, earlier: bool) -> None:
    text = restricted(text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = reference_lines(lines)
    with tempfile.TemporaryDirectory(prefix="ankigen-property-") as tmp, alarm(HANG_LIMIT):
        root = new_project(Path(tmp), {ANCHOR: ANCHOR_TEXT})
        if earlier:
            assert build(root).status == 0
        before = outputs(root)
        page = root / "source" / PAGE
        page.write_bytes(text.encode("utf-8"))
        built = build(root)
        assert built.status in (0, 1)  # (a)
        assert built.seconds < TIME_LIMIT, f"{built.seconds:.1f} s"  # (b)
        after = outputs(root)
        assert not [name for name in after if name.endswith(".tmp")], "temporary files left"
        if built.status == 1:  # (a): explained, and nothing written
            note("exit 1")
            assert any(d["severity"] == "error" for d in built.diagnostics), built.diagnostics
            assert after == before, "a failed build changed its output"
            return
        if expected is None:
            note("reference cannot tell the cards")
            return
        note("cards checked")
        account_for_cards(root, page, expected, built.diagnostics)


def account_for_cards(
    root: Path, page: Path, expected: list[int], diagnostics: list[dict[str, object]]
) -> None:
    """(c): every reference card is a note or a diagnostic; every note is a reference card."""
    report = json.loads((root / "build" / "deck.report.json").read_text(encoding="utf-8"))
    lock = json.loads((root / "ankigen.lock").read_text(encoding="utf-8"))
    notes = apkg_notes(root / "build" / "deck.apkg")
    entries = report["notes"]
    assert sorted(e["guid"] for e in entries) == sorted(notes), "report and .apkg differ"
    pages = {entry["guid"]: entry["page"] for entry in lock["notes"]}
    lines: Counter[int] = Counter()
    for entry in entries:
        assert pages[entry["guid"]] == entry["page"], "lockfile and report differ"
        question, _answer, _links, source = notes[entry["guid"]]
        if entry["page"] != PAGE or entry["status"] in ("removed", "gone"):
            continue
        assert question, entry
        assert f'<span class="ankigen-page">{PAGE}</span>' in source, source
        lines[entry["line"]] += 1
    named = {
        d["line"]
        for d in diagnostics
        if isinstance(d["path"], str) and Path(d["path"]).resolve() == page.resolve()
    }
    lost = [line for line in expected if line not in lines and line not in named]
    assert not lost, f"reference cards on lines {lost}: neither a note nor a diagnostic"
    unexpected = sorted(line for line in lines if line not in expected)
    assert not unexpected, f"notes on lines {unexpected}: no card there for the reference"
    twice = sorted(line for line, count in lines.items() if count > 1)
    assert not twice, f"lines {twice} made more than one note"


# -------------------------------------------------------------------------- properties

PROPERTY = settings(
    max_examples=500,
    deadline=None,  # timed inside, per build: generating and checking are not the build
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(arbitrary_pages(), st.booleans())
def test_arbitrary_pages_build_or_fail_cleanly_and_lose_no_card(text: str, earlier: bool) -> None:
    check_build(text, earlier)


@PROPERTY
@given(mutated_pages(), st.booleans())
def test_mutated_fixture_pages_build_or_fail_cleanly_and_lose_no_card(
    text: str, earlier: bool
) -> None:
    check_build(text, earlier)


@pytest.mark.parametrize("page", FIXTURES, ids=lambda p: p.name)
def test_every_fixture_page_builds_with_every_card(page: Path) -> None:
    """The unmutated pages: the restrictions change nothing, every card is accounted for."""
    text = page.read_text(encoding="utf-8")
    assert restricted(text) == text
    check_build(text, earlier=False)


# --------------------------------------------------- regressions the property found
#
# Each was a card lost with no diagnostic (or a deck Anki refused, or a failed build that had
# already written), found by the properties above; each now holds.


def site_cards(text: str) -> int:
    """How many cards the site shows (card elements of the reference HTML; no marker scan)."""
    return len(list(card_elements(reference_html(text))))


def expect_cards(text: str, site: int) -> None:
    """The site shows ``site`` cards; ankigen makes a card or warns at each marker line."""
    assert site_cards(text) == site  # premise
    result = render_page(text)
    made = {card.line for card in result.cards}
    named = {d.line for d in result.diagnostics}
    markers = [n for n, line in enumerate(text.split("\n"), 1) if "??? question" in line]
    assert len(markers) == site  # premise: one marker line per card the site shows
    lost = [n for n in markers if n not in made and n not in named]
    if lost:
        raise LostCardError(f"marker lines {lost}: no card and no diagnostic")


class LostCardError(AssertionError):
    """A card the site shows is neither made nor named by a diagnostic."""


@pytest.mark.parametrize(
    "text",
    [
        '- item\n??? question "After a list item?"\n    Answer.\n',
        '1. item\n   more\n??? question "After a lazy line?"\n    Answer.\n',
        '1. item\n\n    More.\n??? question "After a continuation paragraph?"\n    Answer.\n',
        '??? question "Outer?"\n    - item\n    ??? question "Inner?"\n        Answer.\n',
    ],
)
def test_a_marker_right_after_a_list_item_is_a_card(text: str) -> None:
    """Read as continuation text of the list item: a warning at the marker."""
    expect_cards(text, site=text.count("??? question"))


@pytest.mark.parametrize(
    "text",
    [
        '$$\nx\n??? question "Inside dollars?"\n    Answer.\n$$\n',
        '$$\nx\n\n??? question "Inside dollars, after a blank line?"\n    Answer.\n\n$$\n',
        '\\[\nx\n??? question "Inside brackets?"\n    Answer.\n\\]\n',
        '\\begin{align}\nx\n??? question "Inside an environment?"\n    Answer.\n\\end{align}\n',
    ],
)
def test_a_marker_inside_display_math_delimiters_is_a_card(text: str) -> None:
    """Taken as TeX, with a warning. The site shows the card with arithmatex on, too."""
    expect_cards(text, site=1)
    extensions = [*DEFAULT_EXTENSIONS, "pymdownx.arithmatex"]
    assert len(list(card_elements(reference_html(text, extensions)))) == 1


@pytest.mark.parametrize(
    "text",
    [
        '</details>\n??? question "After a closing tag?"\n    Answer.\n',
        '<br>\n??? question "After a line break tag?"\n    Answer.\n',
        'Text\n</div>\n??? question "After a paragraph and a tag?"\n    Answer.\n',
    ],
)
def test_a_marker_right_after_a_html_tag_line_is_a_card(text: str) -> None:
    """A CommonMark HTML block runs to the next blank line: a warning at the marker."""
    expect_cards(text, site=1)


@pytest.mark.parametrize(
    "text",
    [
        '```python\ncode\n\n??? question "After a fence left open?"\n    Answer.\n',
        '```python\ncode\n    ```\n\n??? question "After an indented closer?"\n    Answer.\n',
        '??? question "Outer?"\n    ```\n    x\n        ```\n\n    ??? question "Inner?"\n'
        "        Answer.\n",
    ],
)
def test_a_marker_after_an_unclosed_fence_is_a_card(text: str) -> None:
    """The fence runs on to the end of its container: a warning at the marker."""
    expect_cards(text, site=text.count("??? question"))


@pytest.mark.parametrize(
    "text",
    [
        '1. One\n\n  2. Two\n\n    - Nested\n\n        ??? question "Two lists deep?"\n'
        "            Answer.\n",
        '1. One\n\n  2. Two\n    - Nested\n\n        ??? question "Two lists deep?"\n'
        "            Answer.\n",
        '1. One\n\n    !!! note "Box"\nLazy line.\n2. Two\n\n    - Nested\n\n'
        '        ??? question "Two lists deep?"\n            Answer.\n',
    ],
)
def test_a_marker_after_a_list_item_off_the_grid_is_a_card_or_a_warning(text: str) -> None:
    """Indented code, or paragraph text, for ankigen; a card on the site: a warning."""
    expect_cards(text, site=1)


@pytest.mark.parametrize(
    "text",
    [
        '??? question "Unit\x1fseparator?"\n    Answer.\n',
        '??? question "Separator in the answer?"\n    An\x1fswer.\n',
        '??? question "Separator in a link?"\n    Read more:\n\n    * [a\x1fb](https://a.example/)\n',
    ],
)
def test_a_unit_separator_in_the_text_keeps_four_fields(tmp_path: Path, text: str) -> None:
    """An .apkg with a 5-field note cannot be imported at all; U+001F becomes a space."""
    root = new_project(tmp_path, {PAGE: text})
    assert build(root).status == 0
    notes = apkg_notes(root / "build" / "deck.apkg")  # asserts 4 fields per note
    assert any(" " in "".join(fields) for fields in notes.values())


def test_a_build_that_fails_while_writing_leaves_the_earlier_output(tmp_path: Path) -> None:
    """(a) outside the generated pages: exit 1 must mean nothing written, also when the
    failure comes while writing (here the report cannot be written: a folder is in its way)."""
    root = new_project(tmp_path, {ANCHOR: ANCHOR_TEXT})
    assert build(root).status == 0
    (root / "source" / PAGE).write_text('??? question "New?"\n    Yes.\n', encoding="utf-8")
    report = root / "build" / "deck.report.json"
    report.unlink()
    report.mkdir()
    before = outputs(root)
    with contextlib.redirect_stderr(io.StringIO()):
        status = main(
            ["build", str(root / "source"), "-o", str(root / "build" / "deck.apkg")],
            env=environment(root),
        )
    assert status == 1  # premise
    after = outputs(root)
    changed = sorted(name for name in {*before, *after} if before.get(name) != after.get(name))
    assert not changed, f"exit 1, yet written: {changed}"


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ('</details>\n```\n    \n```\n??? question "After the fence?"\n', 1),
        ('</details>\n```\n    \n??? question "Inside the fence?"\n```\n', 0),
        ('<br>\n~~~\ncode\n~~~\n??? question "After a tilde fence?"\n    A.\n', 1),
    ],
)
def test_a_fence_right_after_a_html_tag_line_pairs_as_on_the_site(text: str, site: int) -> None:
    """A HTML block ends before a fence opener: the fences below pair as the site pairs
    them, so a card between them is a card (or code) for both."""
    assert site_cards(text) == site  # premise
    assert len(render_page(text).cards) == site


def test_a_fence_closed_outside_the_block_that_opened_it_loses_no_card() -> None:
    """Found by the property test at a desk (random seeds; CI replays fixed ones). The site
    pairs fence lines by their indentation: the indented opener is given up at the line
    indented less, which opens nothing there; for CommonMark that line opens a fence that
    swallows the card. A warning at the marker."""
    text = (
        "Some text\n    ```markdown\n    example\n```\n\n"
        '??? question "Is this a card?"\n    Yes.\n\n    ```python\n    code\n```\n'
    )
    expect_cards(text, site=1)
