"""`ankigen diff` shows what changed: under each changed note, a short unified diff of each
changed field (earlier text from the deck at -o OUT), and it writes nothing."""

from __future__ import annotations

import pytest

from ankigen.cli.commands import main
from ankigen.output.earlier import MAX_LINES, field_diff, field_text
from tests.conftest import MakeProject

PAGE = (
    "# P\n\n"
    '??? question "What is a kernel?"\n'
    "    A small matrix slid over the image.\n\n"
    "    It has weights.\n\n"
    '??? question "Why pool?"\n'
    "    To shrink the **map**.\n\n"
    '??? question "Untouched?"\n'
    "    Yes.\n"
)


def test_diff_shows_the_old_and_new_text_of_a_changed_field(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"p.md": PAGE})
    assert project.build() == 0
    before = {p: p.read_bytes() for p in [project.apkg, project.lock]}
    project.edit("p.md", "It has weights.", "It has learned weights.")
    project.edit("p.md", "**map**", "*map*")
    capsys.readouterr()
    assert main(["diff", str(project.source), "-o", str(project.apkg)], env={}) == 0
    out = capsys.readouterr().out.splitlines()
    at = out.index("  changed  p.md:3: What is a kernel?")
    assert out[at + 1 : at + 6] == [
        "      Answer:",
        "        @@ -1,2 +1,2 @@",
        "         A small matrix slid over the image.",
        "        -It has weights.",
        "        +It has learned weights.",
    ]
    at = out.index("  changed  p.md:8: Why pool?")
    assert out[at + 1 : at + 5] == [  # the same text, other markup: the HTML is shown
        "      Answer:",
        "        @@ -1 +1 @@",
        "        -<p>To shrink the <strong>map</strong>.</p>",
        "        +<p>To shrink the <em>map</em>.</p>",
    ]
    assert not any("Untouched" in line for line in out)
    assert {p: p.read_bytes() for p in before} == before  # diff writes nothing


def test_diff_without_the_deck_says_why_fields_are_not_shown(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"p.md": PAGE})
    assert project.build() == 0
    project.edit("p.md", "It has weights.", "It has learned weights.")
    capsys.readouterr()
    assert main(["diff", str(project.source), "-o", str(project.root / "elsewhere")], env={}) == 0
    out = capsys.readouterr().out
    assert "  changed  p.md:3: What is a kernel?" in out and "Answer:" not in out
    assert "not shown: no earlier package at" in out and "-o OUT" in out


def test_field_text_and_long_diffs_are_cut() -> None:
    html = "<p>One &amp; two</p><ul><li>three</li><li>four</li></ul><pre><code>a\nb</code></pre>"
    assert field_text(html) == ["One & two", "three", "four", "a", "b"]
    old = "".join(f"<p>line {i}</p>" for i in range(40))
    new = "".join(f"<p>line {i}!</p>" for i in range(40))
    lines = field_diff(["Answer"], [old], [new])
    assert lines[0] == "      Answer:"
    assert len(lines) == 1 + MAX_LINES + 1
    assert lines[-1].endswith("more line(s)")
