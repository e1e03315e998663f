"""pymdownx.snippets: our expansion against the reference's, and the map of where each line
came from."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ankigen.build import plan_build
from ankigen.cards.page import render_page
from ankigen.config.project import load_config
from ankigen.errors import Diagnostic, Severity, shown_path
from ankigen.read.snippets import (
    LineMap,
    SnippetOptions,
    expand_snippets,
    expand_snippets_mapped,
)
from tests.conftest import as_ref_cards, copy_site
from tests.reference import reference_cards

SITE = Path(__file__).parent / "fixtures" / "sites" / "snippets"
EXTENSIONS = ["admonition", "pymdownx.details", "pymdownx.superfences", "pymdownx.snippets"]


def test_site_cards_match_the_reference(tmp_path: Path) -> None:
    site = copy_site(SITE, tmp_path)
    config = load_config(site)
    plan = plan_build(site, config, now=1, output=tmp_path / "x.apkg")
    ours = as_ref_cards(plan.cards)
    bases = [str(SITE / "includes"), str(SITE / "docs")]
    expected = reference_cards(
        (SITE / "docs" / "index.md").read_text(encoding="utf-8"),
        extensions=EXTENSIONS,
        extension_configs={"pymdownx.snippets": {"base_path": bases}},
    )
    assert ours == expected
    (missing,) = plan.diagnostics
    assert missing.severity is Severity.WARNING and "'nowhere.md' not found" in missing.message
    assert missing.line == 15


def _expand(text: str, files: dict[str, str], root: Path) -> tuple[str, list[str]]:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    options = SnippetOptions(base_paths=(root,), root=root)
    out, problems = expand_snippets(text, "p.md", options, lambda p: p.read_text("utf-8"))
    return out, [d.message for d in problems]


def test_indentation_ranges_blocks_and_loops(tmp_path: Path) -> None:
    files = {"a.md": "one\ntwo\nthree\n", "loop.md": '--8<-- "loop.md"\nbody\n'}
    text = '    --8<-- "a.md:2:3"\n--8<--\na.md:1:1\n;a.md\n--8<--\n--8<-- "loop.md"'
    out, problems = _expand(text, files, tmp_path)
    assert out == "    two\n    three\none\nbody"
    assert problems == []


def test_nothing_outside_the_site_is_read(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "secret.md").write_text("secret\n", encoding="utf-8")
    out, problems = _expand('--8<-- "../secret.md"\n--8<-- "https://x.example/a.md"', {}, site)
    assert "secret" not in out
    assert problems == [
        "snippet '../secret.md' lies outside the site: not read",
        "snippet 'https://x.example/a.md' is a URL; ankigen never downloads",
    ]


@pytest.mark.parametrize("check", [True, False])
def test_check_paths_makes_a_missing_snippet_an_error(tmp_path: Path, check: bool) -> None:
    options = SnippetOptions(base_paths=(tmp_path,), root=tmp_path, check_paths=check)
    _, problems = expand_snippets('--8<-- "gone.md"', "p.md", options, lambda p: None)
    assert problems[0].severity is (Severity.ERROR if check else Severity.WARNING)


def test_a_file_listed_as_a_base_path_is_found_by_its_name(tmp_path: Path) -> None:
    """pymdownx.snippets takes a file in base_path as that one file (sites list LICENSE.md
    or CHANGELOG.md so a page can include it by name)."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "NOTICE.md").write_text("Kept **as is**.\n", encoding="utf-8")
    (tmp_path / "other.md").write_text("not a snippet\n", encoding="utf-8")
    page = '??? question "Notice?"\n    --8<-- "NOTICE.md"\n\n??? question "Other?"\n    x\n'
    bases = [tmp_path / "docs", tmp_path / "NOTICE.md"]
    options = SnippetOptions(base_paths=tuple(bases), root=tmp_path, check_paths=True)
    ours, problems = expand_snippets(page, "p.md", options, lambda p: p.read_text("utf-8"))
    assert problems == []
    expected = markdown.markdown(
        page,
        extensions=["pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {"base_path": [str(b) for b in bases], "check_paths": True}
        },
    )
    assert "Kept <strong>as is</strong>." in expected
    assert markdown.markdown(ours) == expected
    _, problems = expand_snippets('--8<-- "other.md"', "p.md", options, lambda p: None)
    assert [p.severity for p in problems] == [Severity.ERROR]  # only that file, not its folder


# --------------------------------------------------------------------------- line map

LINES_SITE = Path(__file__).parent / "fixtures" / "sites" / "snippet-lines"
LINES_PAGE = "docs/index.md"


def _expand_lines_site(site: Path) -> tuple[str, list[Diagnostic], LineMap]:
    options = SnippetOptions(base_paths=(site / "includes",), root=site)
    text = (site / LINES_PAGE).read_text(encoding="utf-8")
    return expand_snippets_mapped(text, LINES_PAGE, options, lambda p: p.read_text("utf-8"))


def test_diagnostics_found_after_an_include_point_at_the_page_and_included_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lint and card problems found in the expanded text land where their text really is."""
    site = copy_site(LINES_SITE, tmp_path)
    monkeypatch.chdir(site)
    text, problems, lines = _expand_lines_site(site)
    assert problems == []
    assert lines.lines == len(text.split("\n")) == 31  # the page itself has 17 lines
    found = {
        (d.path, d.line, d.col, d.message.split(":")[0])
        for d in map(lines.relocate, render_page(text).diagnostics)
    }
    indented, empty = "answer indented {} space(s)", "card has no answer"
    assert found == {
        # a 3-space body after a 7-line include: page line 6, expanded line 12
        ("docs/index.md", 6, 1, indented.format(3)),
        ("docs/index.md", 5, 1, empty),
        # lines 7-8 of defs.md, included by a range
        ("includes/defs.md", 8, 1, indented.format(2)),
        ("includes/defs.md", 7, 1, empty),
        # included by outer.md, itself included by the page: at column 0 ...
        ("includes/inner.md", 2, 1, indented.format(3)),
        ("includes/inner.md", 1, 1, empty),
        # ... and 4 columns in (column 5 of the expanded text is column 1 of inner.md)
        ("includes/inner.md", 5, 1, indented.format(3)),
        ("includes/inner.md", 4, 1, empty),
        # the page's own lines after all of that
        ("docs/index.md", 16, 1, indented.format(3)),
        ("docs/index.md", 15, 1, empty),
    }


def test_cards_keep_page_lines_the_include_line_for_included_cards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site(LINES_SITE, tmp_path)
    monkeypatch.chdir(site)
    text, _, lines = _expand_lines_site(site)
    cards = render_page(text).cards
    assert [(lines.page_line(c.line), lines.locate(c.line)) for c in cards] == [
        (5, ("docs/index.md", 5)),
        (8, ("docs/index.md", 8)),
        (11, ("includes/defs.md", 7)),
        (13, ("includes/inner.md", 1)),
        (13, ("includes/outer.md", 5)),
        (13, ("includes/inner.md", 4)),
        (15, ("docs/index.md", 15)),
    ]


def test_every_line_of_the_lines_site_maps_to_its_file_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site(LINES_SITE, tmp_path)
    monkeypatch.chdir(site)
    text, _, lines = _expand_lines_site(site)
    expanded = text.split("\n")
    assert [lines.locate(n) for n in range(1, len(expanded) + 1)] == [
        *(("docs/index.md", n) for n in (1, 2)),
        *(("includes/intro.md", n) for n in range(1, 8)),
        *(("docs/index.md", n) for n in (4, 5, 6, 7, 8)),
        ("includes/defs.md", 4),  # the section's one line; its marker lines never show
        ("docs/index.md", 10),
        *(("includes/defs.md", n) for n in (7, 8)),
        ("docs/index.md", 12),
        *(("includes/outer.md", n) for n in (1, 2)),
        *(("includes/inner.md", n) for n in (1, 2)),
        *(("includes/outer.md", n) for n in (4, 5)),
        *(("includes/inner.md", n) for n in (4, 5)),
        *(("docs/index.md", n) for n in (14, 15, 16, 17)),
    ]
    assert_map_is_exact(text, lines, LINES_PAGE, (site / LINES_PAGE).read_text("utf-8"))


def test_the_lines_site_reads_like_the_reference(tmp_path: Path) -> None:
    """The reference scans marker lines in the page it is given: give it upstream's expansion."""
    site = copy_site(LINES_SITE, tmp_path)
    plan = plan_build(site, load_config(site), now=1, output=tmp_path / "x.apkg")
    page = (site / LINES_PAGE).read_text(encoding="utf-8")
    upstream = upstream_expand(page, [site / "includes"])
    assert _expand_lines_site(site)[0] == upstream
    expected = reference_cards(upstream, extensions=EXTENSIONS[:-1])
    assert as_ref_cards(plan.cards) == expected
    assert len(expected) == 7


def upstream_expand(text: str, bases: Sequence[Path]) -> str:
    """pymdownx.snippets' own preprocessor on ``text``.

    Normalised for three known differences: whitespace-only lines become empty (upstream
    indents an included empty line; Python-Markdown blanks it anyway); a file's final newline
    ends its last line instead of adding an empty one (pymdown-extensions 13 keeps that empty
    line, as ``text.split("\\n")``; ankigen drops it, as 10.x's ``readlines`` did); and a
    folder named as a snippet is not found (upstream raises ``IsADirectoryError``).
    """
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": {"base_path": [str(b) for b in bases]}},
    )
    processor: Any = md.preprocessors["snippet"]
    read_lines = processor.read_lines

    def read_like_ankigen(path: str) -> list[str]:
        if Path(path).is_dir():
            return []
        lines: list[str] = read_lines(path)
        return lines[:-1] if lines and lines[-1] == "" else lines

    processor.read_lines = read_like_ankigen
    lines = processor.run(text.split("\n"))
    return "\n".join(line if line.strip(" ") else "" for line in lines)


def test_a_site_build_reports_page_and_included_file_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole build relocates diagnostics with the map (see LineMap.relocate)."""
    site = copy_site(LINES_SITE, tmp_path)
    monkeypatch.chdir(site)
    plan = plan_build(site, load_config(site), now=1, output=tmp_path / "x.apkg")
    where = {(d.path, d.line) for d in plan.diagnostics if d.message.startswith("answer indented")}
    assert where == {
        ("docs/index.md", 6),
        ("docs/index.md", 16),
        ("includes/defs.md", 8),
        ("includes/inner.md", 2),
        ("includes/inner.md", 5),
    }
    assert [c.line for c in plan.cards] == [5, 8, 11, 13, 13, 13, 15]


def test_a_problem_with_a_nested_marker_names_the_file_that_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = {"inc/outer.md": 'one\ntwo\n--8<-- "gone.md"\n', "inc/ok.md": "ok\n"}
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    options = SnippetOptions(base_paths=(tmp_path / "inc",), root=tmp_path)
    page = 'a\n--8<-- "gone.md"\n--8<-- "outer.md"\n--8<-- "https://x.example/u.md"'
    text, problems, lines = expand_snippets_mapped(page, "p.md", options, _read)
    assert [(d.path, d.line, d.message) for d in problems] == [
        ("p.md", 2, "snippet 'gone.md' not found"),
        ("inc/outer.md", 3, "snippet 'gone.md' not found"),
        ("p.md", 4, "snippet 'https://x.example/u.md' is a URL; ankigen never downloads"),
    ]
    assert text == "a\none\ntwo"
    assert [lines.locate(n) for n in (1, 2, 3)] == [
        ("p.md", 1),
        ("inc/outer.md", 1),
        ("inc/outer.md", 2),
    ]


def test_blocks_escapes_and_loops_map_each_line(tmp_path: Path) -> None:
    """Block lines, an escaped marker (one ``;`` removed) and a self-include."""
    files = {"a.md": "one\ntwo\nthree\n", "loop.md": 'body\n--8<-- "loop.md"\nend\n'}
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    page = '--8<--\na.md:2:3\n\n;a.md\nloop.md\n--8<--\n  ;--8<-- "a.md"\nlast'
    options = SnippetOptions(base_paths=(tmp_path,), root=tmp_path)
    text, problems, lines = expand_snippets_mapped(page, "p.md", options, _read)
    assert problems == []
    assert text == 'two\nthree\n\nbody\nend\n  --8<-- "a.md"\nlast'
    a, loop = shown_path(tmp_path / "a.md"), shown_path(tmp_path / "loop.md")
    assert a == str(tmp_path / "a.md")  # outside the working folder: absolute
    located = [lines.locate(n) for n in range(1, 8)]
    assert located == [(a, 2), (a, 3), ("p.md", 3), (loop, 1), (loop, 3), ("p.md", 7), ("p.md", 8)]
    assert [lines.page_line(n) for n in range(1, 8)] == [2, 2, 3, 5, 5, 7, 8]
    # the escaped line lost its `;`: column 3 of the expanded line is column 4 of the page
    assert lines.column(6, 3) == 4
    assert_map_is_exact(text, lines, "p.md", page, root=tmp_path)


def test_a_page_without_markers_is_its_own_map() -> None:
    options = SnippetOptions(base_paths=(), root=Path("/nowhere"))
    page = '??? question "Q?"\n   a\n'
    text, problems, lines = expand_snippets_mapped(page, "p.md", options, _read)
    assert (text, problems) == (page, [])
    assert lines == LineMap.identity("p.md", page) and lines.is_identity
    assert [lines.locate(n) for n in (1, 2, 3)] == [("p.md", 1), ("p.md", 2), ("p.md", 3)]
    diag = Diagnostic("page.md", "m", line=2, col=4)
    assert lines.relocate(diag) == Diagnostic("p.md", "m", line=2, col=4)
    assert lines.relocate(Diagnostic("page.md", "m")) == Diagnostic("p.md", "m")


def test_out_of_range_lines_and_an_expansion_to_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    options = SnippetOptions(base_paths=(tmp_path,), root=tmp_path)
    text, _, lines = expand_snippets_mapped('--8<-- "empty.md"', "p.md", options, _read)
    assert text == "" and lines.lines == 1 and lines.locate(1) == ("p.md", 1)
    (tmp_path / "one.md").write_text("one\n", encoding="utf-8")
    _, _, lines = expand_snippets_mapped('--8<-- "one.md"', "p.md", options, _read)
    assert len(lines.segments) == 1 and not lines.is_identity  # one line, from one.md
    _, _, lines = expand_snippets_mapped('x\n--8<-- "empty.md"\ny', "p.md", options, _read)
    assert lines.locate(2) == ("p.md", 3)
    assert lines.locate(3) == ("p.md", 4)  # past the end: counts on from the last line
    assert lines.locate(0) == ("p.md", 0) and lines.page_line(-1) == -1


def test_expand_snippets_is_expand_snippets_mapped_without_the_map(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("one\ntwo\n", encoding="utf-8")
    options = SnippetOptions(base_paths=(tmp_path,), root=tmp_path)
    page = 'x\n  --8<-- "a.md"\n--8<-- "b.md"'
    text, problems, _ = expand_snippets_mapped(page, "p.md", options, _read)
    assert expand_snippets(page, "p.md", options, _read) == (text, problems)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def assert_map_is_exact(
    text: str, lines: LineMap, page: str, page_text: str, root: Path | None = None
) -> None:
    """Every expanded line is its source line (moved right by the include's indentation, or
    without an escaping ``;``), and columns map onto the same characters; page lines never go
    back."""
    sources: dict[str, list[str]] = {page: page_text.split("\n")}
    expanded = text.split("\n")
    assert lines.lines == len(expanded)
    if not text:
        return  # everything expanded to nothing: the one empty line stands for the page's first
    previous_page_line = 0
    for number, line in enumerate(expanded, start=1):
        path, at = lines.locate(number)
        if path not in sources:
            file = Path(path) if Path(path).is_absolute() or root is None else root / path
            raw = file.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\r", "\n")
            sources[path] = raw.split("\n")
        source = sources[path][at - 1]
        page_line = lines.page_line(number)
        assert page_line >= previous_page_line, (number, page_line)
        previous_page_line = page_line
        if path == page:
            assert page_line == at
        stripped = line.lstrip(" ")
        if not stripped:
            assert not source.strip(" "), (number, line, source)
            continue
        col = len(line) - len(stripped) + 1
        mapped = lines.column(number, col)
        rest = source[mapped - 1 :]
        unescaped = {rest[:i] + rest[i + 1 :] for i, char in enumerate(rest) if char == ";"}
        assert stripped == rest or stripped in unescaped, (number, line, source, mapped)


# Files a generated page may include: nesting, a loop, sections (one escaped marker inside, a
# `;` in the text before one), tabs, CRLF, an empty file, a file in a sub-folder.
SNIPPET_FILES = {
    "a.md": "one\n  two\n\tthree\n",
    "b.md": 'b1\n  --8<-- "a.md:2:3"\n;--8<-- "a.md"\nb4\n--8<-- [start:x]\nbx\n--8<-- [end:x]\n',
    "loop.md": 'loop1\n    --8<-- "loop.md"\n--8<-- "b.md:x"\nloop4\n',
    "sec.md": (
        "s1\n--8<-- [start:one]\none a\n  ;--8<-- [start:two]\none b\n"
        '--8<-- [end:one]\nx; ;--8<-- [end:two]\n--8<-- [start:two]\n\ttwo\n\t--8<-- "a.md:-1"\n'
    ),
    "crlf.md": 'c1\r\nc2\r\n--8<-- "a.md:1:1"\r\n',
    "empty.md": "",
    "dir/c.md": "--8<--\nb.md:1:2\n\n; commented\nsec.md:two\n--8<--\nc7\n",
}
TARGETS = [
    *SNIPPET_FILES,
    "a.md:2",
    "a.md::2",
    "a.md:-2",
    "a.md:2:9",
    "a.md:0:0",
    "b.md:x",
    "sec.md:one",
    "sec.md:two",
    "sec.md:none",
    "sec.md:ONE",
    "sec.md:two:",
    "missing.md",
    "dir",  # a folder: not found
]
INDENTS = ["", " ", "  ", "    ", "\t", " \t"]


RANGE = st.one_of(st.just(""), st.integers(-5, 6).map(str))
SECTION_LINES = ["{}--8<-- [start:x]", "{};--8<-- [end:x]", "t{} ;;--8<-- [START:y] z"]


@st.composite
def snippet_targets(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(TARGETS))
    spans = draw(st.lists(st.tuples(RANGE, st.none() | RANGE), min_size=1, max_size=3))
    spec = ",".join(a if b is None else f"{a}:{b}" for a, b in spans)
    return f"{draw(st.sampled_from(['a.md', 'b.md', 'sec.md']))}:{spec}"


@st.composite
def snippet_pages(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 12))):
        indent = draw(st.sampled_from(INDENTS))
        target = draw(snippet_targets())
        kind = draw(st.integers(0, 6))
        if kind == 0:
            lines.append(f'{indent}--8<-- "{target}"')
        elif kind == 1:
            lines.extend([f"{indent}--8<--", f"{indent}{target}", "", f";{target}", "--8<--"])
        elif kind == 2:
            lines.append(f'{indent};--8<-- "{target}"')
        elif kind == 3:
            lines.append(draw(st.sampled_from(SECTION_LINES)).format(indent))
        else:
            lines.append(draw(st.sampled_from(["", "text", "    body", "a ; b", "\t tab"])))
    return "\n".join(lines)


@pytest.fixture(scope="module")
def snippet_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("snippets")
    for name, content in SNIPPET_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content.encode("utf-8"))
    return root


@settings(max_examples=300, deadline=None)
@given(snippet_pages())
def test_any_page_expands_as_upstream_and_maps_every_line_exactly(
    snippet_root: Path, page: str
) -> None:
    options = SnippetOptions(base_paths=(snippet_root,), root=snippet_root)
    text, problems, lines = expand_snippets_mapped(page, "p.md", options, _read)
    blanked = "\n".join(line if line.strip(" ") else "" for line in text.split("\n"))
    assert blanked == upstream_expand(page, [snippet_root])
    assert_map_is_exact(text, lines, "p.md", page, root=snippet_root)
    for problem in problems:  # on the line that names the snippet, in the file holding it
        name = problem.message.split("'")[1]
        held = page if problem.path == "p.md" else Path(problem.path).read_text("utf-8")
        assert problem.line is not None
        assert name in held.split("\n")[problem.line - 1], problem
