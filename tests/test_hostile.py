"""Inputs that must never crash or hang the build: only our diagnostics, bounded time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankigen.cards.page import render_page
from ankigen.errors import AnkigenError
from ankigen.identity.notes import make_guid
from ankigen.output.notetype import note_type
from tests.conftest import MUTATIONS, MakeProject, identify, mutate

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "differential").glob("[0-9]*.md"))


def cards_or_problems(text: str) -> int:
    try:
        result = render_page(text)
    except AnkigenError:
        return -1
    return len(result.cards)


def test_nul_bytes_and_control_characters() -> None:
    text = '??? question "Null\x00 in title?"\n    body \x00 with \x07 bell\n'
    result = render_page(text)
    (card,) = result.cards
    assert "\x00" not in card.question_html and "\x00" not in card.answer_html


def test_lists_nested_a_thousand_deep_do_not_crash() -> None:
    deep = "".join("    " * i + "- item\n" for i in range(1000))
    text = '??? question "Deep?"\n' + "".join("    " + line + "\n" for line in deep.splitlines())
    assert cards_or_problems(text) in (-1, 1)
    quotes = "> " * 1000 + "deep quote\n"
    assert cards_or_problems(quotes) in (-1, 0)


def test_ten_thousand_cards_in_one_page_and_a_large_page_finish_quickly() -> None:
    page = "".join(
        f'??? question "Question number {i}?"\n    Answer {i}.\n\n' for i in range(10_000)
    )
    start = time.perf_counter()
    assert len(render_page(page).cards) == 10_000
    big = "word " * 2_000_000 + '\n\n??? question "After ten megabytes?"\n    Yes.\n'
    assert len(big) > 10_000_000
    assert len(render_page(big).cards) == 1
    assert time.perf_counter() - start < 120  # a hang guard, not a speed test


@pytest.mark.parametrize(
    "text",
    [
        '??? question "Unterminated fence?"\n    ```python\n    code that never closes\n',
        '??? question "Unterminated math?"\n    $$\n    x = 1\n',
        '??? question "Half inline math $x?"\n    and \\( never closed\n',
        '??? question "$x$"\n    A title that is only math.\n',
        '??? question "<b>only html</b>"\n    A title that is only HTML.\n',
        '??? question ""\n',
        '??? question "Empty body?"\n',
        '??? question "\u202eright-to-left \U0001f600 \u0301"\n    \u00e9t\u00e9\n',
    ],
)
def test_odd_pages_render_or_give_our_diagnostics(text: str) -> None:
    assert cards_or_problems(text) >= 0


def test_nfc_and_nfd_questions_are_one_card() -> None:
    nfc, nfd = "Qu'est-ce qu'un r\u00e9seau ?", "Qu'est-ce qu'un re\u0301seau ?"
    assert make_guid("ns", "p.md", nfc) == make_guid("ns", "p.md", nfd)
    page = f'??? question "{nfc}"\n    a\n\n??? question "{nfd}"\n    b\n'
    result = identify(render_page(page).cards, None, "ns", note_type(), now=1)
    assert len(result.notes) == 2 and "repeats" in result.diagnostics[0].message


def test_file_names_with_spaces_and_non_ascii(make_project: MakeProject) -> None:
    project = make_project({"réseaux de neurones/ma page à moi.md": '??? question "Q?"\n    A.\n'})
    assert project.build() == 0
    assert "réseaux de neurones/ma page à moi.md" in project.lock.read_text(encoding="utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIXTURES), st.data())
def test_mutated_fixture_pages_never_raise_anything_but_ours(
    page: Path, data: st.DataObject
) -> None:
    text = mutate(page.read_text(encoding="utf-8"), data.draw(MUTATIONS))
    start = time.perf_counter()
    try:
        result = render_page(text)
    except AnkigenError:
        return
    assert time.perf_counter() - start < 10
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for card in result.cards:
        assert 1 <= card.line <= len(lines)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises_anything_but_ours(text: str) -> None:
    cards_or_problems(text)


def test_whole_build_of_hostile_bytes_is_a_diagnostic_not_a_traceback(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"ok.md": '??? question "Q?"\n    A.\n'})
    (project.source / "bad.md").write_bytes(b'\xef\xbb\xbf??? question "x"\r\n    \xff\xfe\x00\r')
    assert project.build() == 1
    err = capsys.readouterr().err
    assert "bad.md:2:5: error: file is not valid UTF-8" in err and "Traceback" not in err
