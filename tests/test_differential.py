"""Differential: our cards against what Python-Markdown + pymdown-extensions show on the site.

For every fixture page (and the user's own page), the questions, answer text and links of our
cards must equal what the reference renderer produces, card for card.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ankigen.pipeline import render_page
from tests.conftest import SEED_PAGE
from tests.reference import RefCard, html_text, normalize_ws, reference_cards

FIXTURES = Path(__file__).parent / "fixtures" / "differential"
PAGES = [SEED_PAGE, *sorted(FIXTURES.glob("[0-9]*.md"))]


def ours(text: str) -> list[RefCard]:
    result = render_page(text)
    return [
        RefCard(
            question=normalize_ws(html_text(card.question_html)),
            answer=normalize_ws(html_text(card.answer_html)),
            links=tuple(link.href for link in card.links),
        )
        for card in result.cards
    ]


def test_there_are_enough_fixture_pages() -> None:
    assert len(PAGES) >= 13


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_cards_match_the_reference(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    expected = reference_cards(text)
    got = ours(text)
    assert len(got) == len(expected), f"{page}: {len(got)} cards, reference has {len(expected)}"
    lines = [c.line for c in render_page(text).cards]
    for line, mine, ref in zip(lines, got, expected, strict=True):
        where = f"{page}:{line}"
        assert mine.question == ref.question, f"{where}: question differs"
        assert mine.answer == ref.answer, f"{where}: answer text differs"
        assert mine.links == ref.links, f"{where}: links differ"
