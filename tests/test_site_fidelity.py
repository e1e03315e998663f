"""Answers exactly as the site shows them, where comparing text (tests/test_differential.py)
is not enough: the TeX of display math character for character, boxes open on the back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from ankigen.cards.page import render_page
from ankigen.config.flavor import Flavor
from tests.reference import reference_html

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
