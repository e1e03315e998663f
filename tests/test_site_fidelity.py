"""Answers exactly as the site shows them, where comparing text (tests/test_differential.py)
is not enough: the TeX of display math character for character, boxes open on the back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from ankigen.cards.page import render_page
from ankigen.config.flavor import Flavor
from tests.anki_harness import fresh_collection, import_apkg, notes, render_card
from tests.conftest import MakeProject, as_ref_cards
from tests.reference import reference_cards, reference_html

EXT = Path(__file__).parent / "fixtures" / "differential" / "ext"


def _spec(page: Path) -> tuple[list[str], dict[str, dict[str, object]]]:
    spec = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    return list(spec["extensions"]), dict(spec.get("extension_configs", {}))


def _display_math(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    return [t.get_text() for t in soup.find_all("div", class_="arithmatex") if isinstance(t, Tag)]


@pytest.mark.parametrize(
    "name",
    ["math-in-tabs.md", "math-arithmatex.md", "block-material-site.md", "strike-and-math.md"],
)
def test_display_math_keeps_the_sites_spacing(name: str) -> None:
    page = EXT / name
    text = page.read_text(encoding="utf-8")
    extensions, configs = _spec(page)
    site = _display_math(reference_html(text, extensions, configs))
    flavor = Flavor.of((n, configs.get(n, {})) for n in extensions)
    ours = [
        m
        for card in render_page(text, flavor=flavor).cards
        for m in _display_math(card.answer_html)
    ]
    assert site, "a page without display math proves nothing"
    assert ours == site


NESTED = (
    '??? question "What does a learning-rate warm-up do?"\n'
    "    Think about the first steps first.\n\n"
    '    ??? tip "Answer"\n'
    "        It raises the rate from near zero over the first steps.\n\n"
    "        ??? note\n"
    "            Deeper boxes open too.\n\n"
    '    !!! info "Not collapsible"\n'
    "        Stays a plain box.\n"
)


def test_a_nested_answer_box_is_open_on_the_back_and_reads_like_the_site() -> None:
    (card,) = render_page(NESTED).cards
    assert card.answer_html.count("<details") == 2
    assert card.answer_html.count('<details class="tip" open>') == 1
    assert card.answer_html.count('<details class="note" open>') == 1
    assert '<div class="admonition info">' in card.answer_html
    assert "<details" not in card.question_html
    site = reference_cards(NESTED)
    assert as_ref_cards([card]) == site  # the same text as the site, only opened


@pytest.mark.e2e
def test_the_nested_answer_box_is_open_in_anki(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project({"warmup.md": NESTED})
    assert project.build() == 0
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, project.apkg)
        (note,) = notes(col)
        front, back = render_card(col, note.card_ids[0])
    assert "It raises the rate" not in front
    assert '<details class="tip" open>' in back
    assert "It raises the rate from near zero" in back
