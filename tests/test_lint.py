"""Stage: lint. Warnings for the mistakes authors really make, pointing at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

import ankigen.cards.lint as lint_module
from ankigen.cards.page import render_page
from ankigen.errors import Severity

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


@pytest.mark.parametrize(
    ("text", "line", "inside"),
    [
        ('- item\n??? question "After an item?"\n    A.\n', 2, "paragraph text"),
        ('<br>\n??? question "After a tag?"\n    A.\n', 2, "an HTML block"),
        ('$$\nx\n??? question "In math?"\n    A.\n$$\n', 3, "display math"),
        ('```\ncode\n\n??? question "After an open fence?"\n    A.\n', 4, "a code fence"),
        # indented 4 spaces more than its opener, the last ``` closes nothing: still open
        ('```\n    ```\n??? question "Q1?"\n    ```', 3, "a code fence"),
        # the site gives up the indented fence at the ``` indented less, which opens nothing
        # there; for CommonMark that line opens a fence closed only after the marker
        (
            'Text\n    ```md\n    x\n```\n\n??? question "Lost?"\n    A.\n\n    ```\n    y\n```\n',
            6,
            "a code fence the site does not read as one",
        ),
        (
            '1. One\n\n  2. Two\n\n    - Nested\n\n        ??? question "Deep?"\n            A.\n',
            7,
            "indented code in or after a list",
        ),
    ],
)
def test_a_marker_that_makes_no_card_is_named_with_what_swallowed_it(
    text: str, line: int, inside: str
) -> None:
    result = render_page(text)
    assert not result.cards
    (diag,) = [d for d in result.diagnostics if "card marker inside" in d.message]
    assert (diag.line, diag.col, diag.severity) == (
        line,
        text.split("\n")[line - 1].index("?") + 1,
        Severity.WARNING,
    )
    assert f"card marker inside {inside}" in diag.message
    assert diag.hint


@pytest.mark.parametrize(
    "text",
    [
        '```\n??? question "Shown as code"\n    x\n```\n',
        '  ```\n  ??? question "Indented fence, shown as code"\n  ```\n',
        '~~~~\n```\n??? question "Inside a longer fence"\n```\n~~~~\n',
        '# Example\n\nText.\n\n    ??? question "Indented code, no list above"\n        x\n',
        '??? note "Not a card type"\n    x\n- item\n??? note "Still not"\n',
    ],
)
def test_code_the_site_shows_as_code_and_other_types_are_left_alone(text: str) -> None:
    assert not [d for d in render_page(text).diagnostics if "card marker inside" in d.message]


def test_what_swallows_markers_is_worked_out_once_per_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once per page, not once per lost marker: a page of 10,000 list items each followed
    by a marker was quadratic (3.5 s at 2,000)."""
    calls: list[int] = []
    real = lint_module._containers

    def counted(*args: object) -> object:
        calls.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(lint_module, "_containers", counted)
    text = "".join(f'- item {i}\n??? question "Q{i}?"\n    A.\n\n' for i in range(50))
    result = render_page(text)
    assert len([d for d in result.diagnostics if "card marker inside" in d.message]) == 50
    assert calls == [1]


@pytest.mark.parametrize(
    "marker",
    [
        '???- question "Dash?"',
        '??? - question "Spaced dash?"',
        '??? note question "Two classes?"',
        '???+- question "Open dash?"',
        '!!! tip question "Admonition?"',
    ],
)
def test_a_box_with_a_card_type_among_its_classes_is_a_card_without_a_warning(
    marker: str,
) -> None:
    result = render_page(f"{marker}\n    Yes.\n")
    assert [c.kind for c in result.cards] == ["question"]
    assert result.diagnostics == ()


def test_a_dash_glued_to_the_type_is_named_with_the_fix() -> None:
    result = render_page('??? -question "Glued dash?"\n    No card.\n')
    assert not result.cards
    (diag,) = result.diagnostics
    assert diag.message == "'-question' is not a card type, so this box makes no card"
    assert diag.hint == (
        "a dash glued to the type makes another class: write '??? question' (or '???- question')"
    )


def test_a_glued_type_warns_with_a_hint_that_names_the_site_reading() -> None:
    (diag,) = render_page('???question "Glued?"\n    Yes.\n').diagnostics
    assert diag.message == "no space between '???' and 'question'"
    assert diag.hint == (
        "the site reads it as a question box; write '??? question' so other tools do too"
    )
