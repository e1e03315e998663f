"""Differential: our cards against what Python-Markdown + pymdown-extensions show on the site.

For every fixture page (and the user's own page), the questions, answer text and links of our
cards must equal what the reference renderer produces, card for card.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ankigen.cards.page import render_page
from ankigen.config.flavor import Flavor
from tests.conftest import SEED_PAGE, as_ref_cards
from tests.reference import RefCard, reference_cards

# Every test here runs with the speed wing on and off: the cards must not differ.
pytestmark = pytest.mark.usefixtures("speedups_both_ways")

FIXTURES = Path(__file__).parent / "fixtures" / "differential"
PAGES = [SEED_PAGE, *sorted(FIXTURES.glob("[0-9]*.md"))]


def ours(text: str) -> list[RefCard]:
    return as_ref_cards(render_page(text).cards)


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


# Pages rendered with a site's extension list: NAME.md beside NAME.json holding
# {"extensions": [...], "extension_configs": {...}} exactly as Python-Markdown takes them.
EXT_FIXTURES = Path(__file__).parent / "fixtures" / "differential" / "ext"
EXT_PAGES = sorted(EXT_FIXTURES.glob("*.md")) if EXT_FIXTURES.is_dir() else []


def _site_extensions(
    page: Path,
) -> tuple[list[str], dict[str, dict[str, object]], tuple[str, ...]]:
    spec = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    types = tuple(spec.get("types", ("question", "help", "faq")))
    return list(spec["extensions"]), dict(spec.get("extension_configs", {})), types


@pytest.mark.parametrize("page", EXT_PAGES, ids=lambda p: p.name)
def test_cards_match_the_reference_with_site_extensions(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    extensions, configs, types = _site_extensions(page)
    expected = reference_cards(text, types=types, extensions=extensions, extension_configs=configs)
    flavor = Flavor.of((name, configs.get(name, {})) for name in extensions)
    result = render_page(text, types=types, flavor=flavor)
    got = as_ref_cards(result.cards)
    assert len(got) == len(expected), f"{page}: {len(got)} cards, reference has {len(expected)}"
    for card, mine, ref in zip(result.cards, got, expected, strict=True):
        where = f"{page}:{card.line}"
        assert mine.question == ref.question, f"{where}: question differs"
        assert mine.answer == ref.answer, f"{where}: answer text differs"
        assert mine.links == ref.links, f"{where}: links differ"
