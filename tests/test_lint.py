"""Stage: lint. Warnings for the mistakes authors really make, pointing at the line."""

from __future__ import annotations

from pathlib import Path

from ankigen.errors import Severity
from ankigen.pipeline import render_page

PAGE = Path(__file__).parent / "fixtures" / "lint" / "mistakes.md"


def test_each_mistake_is_a_warning_at_its_line() -> None:
    result = render_page(PAGE.read_text(encoding="utf-8"), rel="mistakes.md")
    found = sorted((d.line or 0, d.message) for d in result.diagnostics)
    assert all(d.severity is Severity.WARNING for d in result.diagnostics)
    assert found == [
        (6, "no space between '???' and 'question'"),
        (9, "title quote is not closed: the site shows this line as text and no card is made"),
        (12, "card has no answer: 'Three-space answer?'"),
        (13, "answer indented 3 space(s): the site shows it outside the box"),
        (15, "'qustion' is not a card type, so this box makes no card"),
    ]
    hints = {d.line: d.hint for d in result.diagnostics}
    assert hints[15] == "did you mean 'question'?"
    assert [c.line for c in result.cards] == [3, 6, 12]


def test_no_warnings_for_a_clean_page() -> None:
    result = render_page('??? question "Q?"\n    A.\n\n!!! note\n    text\n')
    assert result.diagnostics == ()
