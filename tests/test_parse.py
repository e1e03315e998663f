"""Stage: parse. Which boxes are cards, and where each body starts and ends."""

from __future__ import annotations

import markdown
import pytest

from ankigen.cards.find import parse_page
from ankigen.cards.render import plain_text
from ankigen.records import Card, SourceFile
from ankigen.syntax.admonition import parse_marker_line
from ankigen.syntax.linklist import blocks
from tests.conftest import SEED_PAGE

TYPES = ("question", "help", "faq")


def cards(text: str, types: tuple[str, ...] = TYPES) -> tuple[Card, ...]:
    return parse_page(SourceFile(path=SEED_PAGE, rel="p.md", text=text), types)


def body_text(card: Card) -> str:
    return plain_text(card.body)


@pytest.mark.parametrize(
    ("line", "marker", "classes", "title"),
    [
        ('??? question "What?"', "???", ("question",), "What?"),
        ('???+ question "What?"', "???+", ("question",), "What?"),
        ('!!! question "What?"', "!!!", ("question",), "What?"),
        ("??? question", "???", ("question",), None),
        ('??? question ""', "???", ("question",), ""),
        ('??? Question "Case"', "???", ("question",), "Case"),
        (
            '??? question inline end "Extra classes"',
            "???",
            ("question", "inline", "end"),
            "Extra classes",
        ),
        ('??? question  "Two spaces"', "???", ("question",), "Two spaces"),
        ('??? question "He said "hi" twice"', "???", ("question",), 'He said "hi" twice'),
        ('???question "No space"', "???", ("question",), "No space"),
        ('??? question "Trailing spaces"   ', "???", ("question",), "Trailing spaces"),
        ('??? "Only a title"', "???", (), "Only a title"),
    ],
)
def test_marker_line_grammar_matches_the_reference(
    line: str, marker: str, classes: tuple[str, ...], title: str | None
) -> None:
    header = parse_marker_line(line)
    assert header is not None
    assert (header.marker, header.classes, header.title) == (marker, classes, title)


@pytest.mark.parametrize(
    "line", ["???", '??? question "unclosed', "!!!", '!!! "no type"', "?? question", "???? q"]
)
def test_lines_that_are_not_markers(line: str) -> None:
    assert parse_marker_line(line) is None


def test_seed_page_has_two_cards_with_the_whole_first_body() -> None:
    found = cards(SEED_PAGE.read_text(encoding="utf-8"))
    assert [(c.line, c.kind) for c in found] == [(1, "question"), (22, "question")]
    first = found[0]
    # The body runs past two blank lines and a whitespace-only line to the last URL.
    assert [b[0].type for b in blocks(first.body)] == [
        "ordered_list_open",
        "paragraph_open",
        "bullet_list_open",
    ]
    assert "msail.github.io" in body_text(first)
    assert plain_text(first.title).startswith("Why do we use Convolutional")


def test_blank_runs_and_whitespace_only_lines_do_not_end_a_body() -> None:
    text = '??? question "Q"\n    one\n\n\n\n       \n\t\n    two\n  \n    three\n'
    (card,) = cards(text)
    assert body_text(card) == "one two three"


def test_first_less_indented_line_ends_the_body() -> None:
    text = '??? question "Q"\n    inside\n\n  outside, indented two\n\n    not in the card\n'
    (card,) = cards(text)
    assert body_text(card) == "inside"


def test_lazy_line_ends_the_body_even_mid_paragraph() -> None:
    (card,) = cards('??? question "Q"\n    first line\nlazy line\n')
    assert body_text(card) == "first line"


def test_tab_counts_as_four_columns() -> None:
    (card,) = cards('??? question "Q"\n\tline one\n\n\t- item\n')
    assert body_text(card) == "line one item"
    assert [b[0].type for b in blocks(card.body)] == ["paragraph_open", "bullet_list_open"]


def test_eight_space_lines_are_code_inside_the_body() -> None:
    (card,) = cards('??? question "Q"\n    text\n\n        code line\n')
    assert [b[0].type for b in blocks(card.body)] == ["paragraph_open", "code_block"]


def test_fenced_code_showing_admonition_syntax_is_not_a_card() -> None:
    text = '```markdown\n??? question "fake"\n    body\n```\n\n~~~\n!!! faq "fake too"\n~~~\n'
    assert cards(text) == ()


def test_fence_inside_a_card_keeps_its_fake_marker_as_code() -> None:
    text = '??? question "Real"\n    ```\n    ??? question "fake"\n    ```\n'
    (card,) = cards(text)
    assert card.body[0].type == "fence"
    assert '??? question "fake"' in card.body[0].content


def test_indented_code_block_is_not_a_card() -> None:
    assert cards('Text.\n\n    ??? question "in code"\n        body\n') == ()


def test_marker_must_start_at_the_container_column() -> None:
    assert cards('  ??? question "indented two"\n      body\n') == ()


def test_other_types_are_content_and_configurable() -> None:
    text = '!!! note "Note"\n    n\n\n??? example "Ex"\n    e\n\n??? help "H"\n    h\n'
    assert [c.kind for c in cards(text)] == ["help"]
    assert [c.kind for c in cards(text, ("example", "note"))] == ["note", "example"]


def test_types_are_case_insensitive_like_the_site() -> None:
    assert [c.kind for c in cards('??? FAQ "Upper"\n    a\n')] == ["faq"]


def test_marker_interrupts_a_paragraph_like_the_reference() -> None:
    (card,) = cards('Some prose\n??? question "Q"\n    a\n')
    assert card.line == 2


def test_nested_card_is_a_card_and_stays_in_its_parent_body() -> None:
    text = '??? question "Outer"\n    outer answer\n\n    ??? question "Inner"\n        inner\n'
    outer, inner = cards(text)
    assert plain_text(inner.title) == "Inner"
    assert "inner" in body_text(outer)
    assert inner.line == 4 and inner.col == 5


def test_untitled_card_has_no_title_tokens() -> None:
    (card,) = cards("??? question\n    What is a tensor?\n\n    An n-d array.\n")
    assert card.title == ()
    (empty_title,) = cards('??? question ""\n    Q?\n\n    A.\n')
    assert empty_title.title == ()


def test_nearest_heading_is_recorded() -> None:
    text = '# Page\n\n## Convolutions\n\n??? question "Q"\n    a\n'
    (card,) = cards(text)
    assert card.heading == "Convolutions"


def test_body_at_end_of_file_without_newline() -> None:
    (card,) = cards('??? question "Q"\n    last')
    assert body_text(card) == "last"


def test_card_in_a_list_item_needs_four_spaces_like_the_site() -> None:
    four = '- Item\n\n    ??? question "In the item?"\n        Yes.\n'
    two = '- Item\n\n  ??? question "In the item?"\n      No.\n'
    assert [plain_text(c.title) for c in cards(four)] == ["In the item?"]
    assert cards(two) == ()
    reference = markdown.Markdown(extensions=["admonition", "pymdownx.details"])
    assert "<details" in reference.convert(four)
    assert "<details" not in reference.reset().convert(two)


def test_a_list_cannot_interrupt_a_paragraph_like_the_site() -> None:
    (card,) = cards('??? question "Q"\n    Steps:\n    - one\n    - two\n')
    assert [b[0].type for b in blocks(card.body)] == ["paragraph_open"]
    assert body_text(card) == "Steps: - one - two"
