"""Hash headings with no space after the hashes are headings, as on the site.

Python-Markdown reads ``#0 Topics`` and ``##Intro`` as headings; CommonMark reads them as
paragraph text. Each page here is compared with the reference renderer (Python-Markdown and
pymdownx, as mkdocs-material builds it): the same cards, with the same questions, and the
same headings."""

from __future__ import annotations

import re

import pytest

from ankigen.cards.page import render_page
from ankigen.syntax.markdown import markdown
from tests.reference import reference_cards, reference_html

PAGES = {
    # the heading ends the line before the list: the card nested in the list is a card
    "heading before a list": '#0 Topics\n1. Warm-up\n\n    ??? question "What is nested?"\n'
    "        Inside the item.\n",
    "heading inside a paragraph": 'Some text\n#Topic\n??? question "Which topic?"\n    This one.\n',
    "closing hashes": '##Topic ##\n\n??? question "After a closed heading?"\n    Yes.\n',
    "an escaped closing hash": '#Sharp C\\#\n\n??? question "Is C# sharp?"\n    Yes.\n',
    "indented: no heading": '  #tag\n\n??? question "After an indented hash?"\n    Text.\n',
    "seven hashes: no heading here": '#######x\n\n??? question "After seven?"\n    Text.\n',
}


@pytest.mark.parametrize("text", PAGES.values(), ids=PAGES.keys())
def test_unspaced_hash_headings_make_the_cards_the_site_shows(text: str) -> None:
    ours = [(c.question_text, c.anchor) for c in render_page(text).cards]
    site = [card.question for card in reference_cards(text)]
    assert [question for question, _ in ours] == site


_HEADING = re.compile(r"<h([1-6])[^>]*>(.*?)</h\1>", re.S)


@pytest.mark.parametrize(
    "text",
    [t for name, t in PAGES.items() if "seven" not in name],
    ids=[name for name in PAGES if "seven" not in name],
)
def test_unspaced_hash_headings_read_as_the_site_reads_them(text: str) -> None:
    ours = [
        (m[0], re.sub(r"<[^>]+>", "", m[1]).strip())
        for m in _HEADING.findall(markdown().render(text))
    ]
    site = [
        (m[0], re.sub(r"<[^>]+>", "", m[1]).strip()) for m in _HEADING.findall(reference_html(text))
    ]
    assert ours == site
