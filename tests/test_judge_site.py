"""scripts/judge_site.py: the real-site judge measures, on small sites written here.

The pure stages (markers, locating boxes, sorting boxes into carded / explained / lost, the
text comparison) run everywhere. The end-to-end runs need mkdocs: the current interpreter's,
or the one named by ``ANKIGEN_TEST_MKDOCS_PYTHON``; without either they skip.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from scripts import judge_site as judge

ROOT = Path(__file__).resolve().parent.parent


def test_markers_are_found_with_type_title_and_line() -> None:
    page = textwrap.dedent(
        """\
        # Title

        ??? question "Why is the sky blue?"
            Scattering.

        !!! faq
            Untitled.

        - ???+ help "In a list"
              Body.

        :   !!! question "In a definition"

        /// details | A block
            type: question
        ///

        <details class="question"><summary>Raw box</summary>

        ``` markdown
        ??? question "Only code"
            ``` python
            x = 1
            ```
        ```

        /// question | Q & A
        ///

        //// details | Classless
        ////
        """
    )
    found = judge.find_markers(page)
    assert [(m.line, m.kind, m.type, m.title) for m in found] == [
        (3, "details", "question", "Why is the sky blue?"),
        (6, "admonition", "faq", None),
        (9, "details", "help", "In a list"),
        (12, "admonition", "question", "In a definition"),
        (14, "details", "question", "A block"),
        (18, "details", "question", "Raw box"),
        (27, "admonition", "question", "Q & A"),
        (30, "details", "details", "Classless"),
    ]


def _box(summary: str, kind: str = "details", box_type: str = "question") -> judge.Box:
    return judge.Box("p.md", kind, box_type, [box_type], summary, "body")


def test_boxes_take_the_line_of_the_marker_with_their_type_and_title() -> None:
    markers = [
        judge.Marker(2, "details", "question", "First *one*"),
        judge.Marker(5, "details", "tip", "First one"),
        judge.Marker(8, "admonition", "question", None),
        judge.Marker(11, "details", "question", "Second"),
        judge.Marker(14, "details", "question", "Set [site_url][mkdocs.site_url] first"),
    ]
    boxes = [_box("Second"), _box("First one"), _box("Question", "admonition"), _box("Nowhere")]
    boxes.append(_box("Set site_url first"))
    judge.locate(boxes, markers)
    assert [b.line for b in boxes] == [11, 2, 8, None, 14]


def _card(line: int, question: str, answer: str = "<p>body</p>") -> judge.Card:
    return judge.Card("p.md", line, f"<p>{question}</p>", answer, "")


def test_each_box_is_carded_explained_or_lost_and_unmatched_cards_are_extra() -> None:
    boxes = [_box("A"), _box("B"), _box("C"), _box("D"), _box("Tip", box_type="tip")]
    for line, box in enumerate(boxes, start=1):
        box.line = line * 10
    boxes[3].line = None  # no marker found: matched by its question text
    cards = [_card(10, "A"), _card(40, "D"), _card(99, "Z")]
    diagnostics = [
        {"page": "p.md", "line": 20, "severity": "warning", "message": "card marker inside x"}
    ]
    judged, extra, comparisons = judge.judge(boxes, cards, diagnostics, ["question"])
    assert [(b.summary, b.status) for b in judged] == [
        ("A", "carded"),
        ("B", "explained"),
        ("C", "lost"),
        ("D", "carded"),
    ]
    assert [c.line for c in extra] == [99]
    assert [(c.question_equal, c.answer_equal) for c in comparisons] == [(True, True)] * 2


def test_answer_text_is_compared_with_and_without_the_links_field() -> None:
    box = _box("Q")
    box.body = "See the docs. Read more: https://example.org/a"
    card = judge.Card(
        "p.md", 1, "<p>Q</p>", "<p>See the docs.</p>", '<a href="x">https://example.org/a</a>'
    )
    result = judge.compare(box, card)
    assert (result.question_equal, result.answer_equal, result.answer_links_equal) == (
        True,
        False,
        True,
    )
    card.answer = "<p>See other docs.</p>"
    result = judge.compare(box, card)
    assert not result.answer_links_equal
    assert result.first_difference.startswith("answer @")


def _mkdocs_python() -> str | None:
    named = os.environ.get("ANKIGEN_TEST_MKDOCS_PYTHON")
    if named:
        return named
    return sys.executable if importlib.util.find_spec("mkdocs") else None


MKDOCS_YML = """\
site_name: Judge Fixture
theme:
  name: mkdocs
markdown_extensions:
  - admonition
  - footnotes
  - def_list
  - pymdownx.details
  - pymdownx.superfences
"""

AGREEING_PAGE = """\
# Agreeing page

??? question "What does a kettle do?"
    It heats water until it boils.

??? question "Which way does a compass needle point?"

    Towards magnetic north, more or less.

    - a list item
    - another one

!!! note "Not a question"
    A note box is not a card type here.
"""

DIFFERING_PAGE = """\
# Differing page

??? question
    The untitled box: the site titles it by its type.

    Its second paragraph.

??? question "A box with a footnote"
    Cited here.[^1]

Some text.

  [^1]: The footnote the site shows at the foot of the page.

??? tip "A tip"
    Tips are not card types by default.
"""


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "fixture-site"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (site / "docs" / "index.md").write_text(AGREEING_PAGE, encoding="utf-8")
    (site / "docs" / "differs.md").write_text(DIFFERING_PAGE, encoding="utf-8")
    return site


def _run(site: Path, out: Path, mkdocs: str, *extra: str) -> dict[str, object]:
    command = [sys.executable, str(ROOT / "scripts" / "judge_site.py"), str(site)]
    command += ["--ankigen", sys.executable, "--mkdocs", mkdocs, "--json", str(out), *extra]
    run = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "LOST" in run.stdout  # the summary line is printed
    result: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return result


@pytest.mark.skipif(_mkdocs_python() is None, reason="mkdocs is not installed")
def test_a_built_site_is_measured_box_by_box(tmp_path: Path) -> None:
    mkdocs = _mkdocs_python()
    assert mkdocs is not None
    site = _site(tmp_path)
    result = _run(site, tmp_path / "judge.json", mkdocs)
    assert result["mkdocs_exit"] == 0
    assert result["ankigen_exit"] == 0
    assert result["pages"] == 2
    assert result["boxes_all"] == 6  # five details boxes (one a tip) and one note
    assert result["boxes"] == 4  # of type question
    assert result["boxes_without_line"] == 0
    assert result["carded"] + result["explained"] + result["lost"] == 4  # type: ignore[operator]
    assert result["cards"] == 4
    assert result["compared"] == 4
    mismatches = {(m["page"], m["line"]): m for m in result["mismatches"]}  # type: ignore[attr-defined]
    assert ("index.md", 3) not in mismatches
    assert ("index.md", 6) not in mismatches
    # What the judge reads off the site, whatever ankigen makes of it:
    boxes = {(b["page"], b["line"]): b for b in result["judged_boxes"]}  # type: ignore[attr-defined]
    assert sorted(boxes) == [("differs.md", 3), ("differs.md", 8), ("index.md", 3), ("index.md", 6)]
    assert boxes[("differs.md", 3)]["summary"] == "Question"  # the type, as the site titles it
    assert boxes[("differs.md", 8)]["body"] == "Cited here. 1"  # the footnote is at the foot
    assert boxes[("index.md", 6)]["body"] == (
        "Towards magnetic north, more or less. a list item another one"
    )
    # The site copy keeps the original clean: ankigen's lockfile went to the copy.
    assert not (site / "ankigen.lock").exists()


@pytest.mark.skipif(_mkdocs_python() is None, reason="mkdocs is not installed")
def test_auto_types_take_every_collapsible_type_on_the_site(tmp_path: Path) -> None:
    mkdocs = _mkdocs_python()
    assert mkdocs is not None
    result = _run(_site(tmp_path), tmp_path / "judge.json", mkdocs, "--types", "auto")
    assert result["types"] == ["question", "tip"]
    assert result["boxes"] == 5
    assert result["boxes_collapsible_of_types"] == 5


def test_a_box_on_a_page_taken_out_after_an_error_is_dropped_not_lost() -> None:
    named, other = _box("Named"), _box("Other")
    named.line, other.line = 3, 9
    diagnostics = [{"page": "p.md", "line": 3, "severity": "error", "message": "repeats"}]
    judged, _, _ = judge.judge([named, other], [], diagnostics, ["question"], dropped=["p.md"])
    assert [b.status for b in judged] == ["explained", "dropped"]
    judged, _, _ = judge.judge([_box("Other")], [], [], ["question"])
    assert [b.status for b in judged] == ["lost"]


@pytest.mark.skipif(_mkdocs_python() is None, reason="mkdocs is not installed")
def test_all_types_take_the_always_open_boxes_too(tmp_path: Path) -> None:
    mkdocs = _mkdocs_python()
    assert mkdocs is not None
    result = _run(_site(tmp_path), tmp_path / "judge.json", mkdocs, "--types", "all")
    assert result["types"] == ["note", "question", "tip"]
    assert result["boxes"] == 6
