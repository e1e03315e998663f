"""``ankigen preview`` in a real headless Chromium (Debian's, driven by Playwright offline as
``scripts/render_cards.py`` drives it): what a learner looks at.

The preview of the plugin fixture site (math, code, a table and an image in its cards) is
opened with every request logged and anything not a local file blocked. The tests check
that Anki desktop's MathJax typeset every formula (when ``aqt`` is installed, as the test
extras install it), that the images loaded, that code is highlighted in light and in night
mode with different colors, that nothing was fetched from the network, and that a 360 px
wide screen shows no text past its right edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page

from ankigen.cli.commands import main
from ankigen.output.preview import find_anki_web
from scripts.render_cards import (
    FIXTURE,
    LivePage,
    Theme,
    contrast,
    find_chromium,
    is_local,
    launch_chromium,
    open_page,
    png_size,
    render_reviewer,
)
from scripts.render_cards import build_deck as build_fixture_deck
from scripts.render_cards import render_card as render_with_anki
from tests.conftest import copy_site

CHROMIUM = find_chromium()
ANKI = find_anki_web()
SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "plugin"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium binary on PATH (Debian: apt-get install chromium; .ci/run installs it)",
)
needs_anki = pytest.mark.skipif(
    ANKI is None, reason="Anki desktop (aqt) is not installed: pip install -e '.[test]'"
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("preview")
    site = copy_site(SITE, tmp)
    out = tmp / "preview"
    assert main(["preview", str(site), "-o", str(out), "--no-cache"], env={}) == 0
    return out / "index.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with launch_chromium(CHROMIUM) as launched:
        yield launched


def _load(live: LivePage, index: Path, theme: str = "light") -> Page:
    """Open the preview in ``theme`` (the page's #light / #night) and wait for MathJax,
    when the page loads it, to say it is done."""
    page = live.page
    page.goto(f"{index.as_uri()}#{theme}")
    if ANKI is not None:
        page.wait_for_function("document.body.dataset.math !== undefined", timeout=60_000)
    page.evaluate("document.fonts.ready.then(() => true)")
    return page


def _math_in_file(index: Path) -> int:
    """The formulas the cards hold before typesetting: each \\( or \\[ opens one."""
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    text = "".join(face.get_text() for face in soup.select(".apv-side > .card"))
    return text.count("\\(") + text.count("\\[")


@needs_anki
def test_math_is_typeset_by_ankis_mathjax(browser: Browser, index: Path) -> None:
    formulas = _math_in_file(index)
    # home: 1 on the front, 4 on the back; pooling: 1 on the front, 1 + 1 display on the back
    assert formulas == 8
    with open_page(browser) as live:
        page = _load(live, index)
        assert page.evaluate("document.body.dataset.math") == "typeset"
        counts = page.evaluate(
            """() => ({
              containers: document.querySelectorAll(".card mjx-container").length,
              display: document.querySelectorAll('.card mjx-container[display="true"]').length,
              errors: document.querySelectorAll("mjx-merror, [data-mjx-error]").length,
              tex: [...document.querySelectorAll(".card")].filter(
                (e) => /\\\\[([]/.test(e.textContent)).length,
            })"""
        )
    assert counts == {"containers": formulas, "display": 1, "errors": 0, "tex": 0}


def test_images_load_and_nothing_leaves_the_machine(browser: Browser, index: Path) -> None:
    with open_page(browser) as live:
        page = _load(live, index)
        images = page.evaluate(
            "[...document.images].map((i) => [i.getAttribute('src'), i.complete, i.naturalWidth])"
        )
        requests = live.log.requests()
    assert images and all(done and width > 0 for _, done, width in images)
    assert all(src.startswith("media/") for src, _, _ in images)
    assert [r for r in requests if not is_local(r.url) or r.blocked or r.error] == []
    names = {r.url.rsplit("/", 1)[-1] for r in requests}
    assert "index.html" in names and any(n.endswith(".png") for n in names)
    if ANKI is not None:
        assert {"reviewer.css", "mathjax.js", "tex-chtml-full.js"} <= names
        assert any(n.endswith(".woff") for n in names)  # MathJax's fonts, from the copy


_COLORS = """() => {
  const style = (selector) => {
    const e = document.querySelector(selector);
    return e && [getComputedStyle(e).color, getComputedStyle(e).backgroundColor];
  };
  const tokens = {};
  for (const span of document.querySelectorAll(".highlight pre span[class]")) {
    if (!span.textContent.trim()) continue;  // whitespace tokens show no color
    tokens[span.className] ??= getComputedStyle(span).color;
  }
  return {night: document.body.classList.contains("nightMode"), face: style(".apv-back > .card"),
          pre: style(".highlight pre"), tokens};
}"""


def test_code_is_highlighted_in_both_themes(browser: Browser, index: Path) -> None:
    """The toggle switches Anki's night mode classes; code tokens take other colors there,
    each readable on its block's background."""
    with open_page(browser) as live:
        page = _load(live, index, "light")
        light = page.evaluate(_COLORS)
        page.click("#apv-theme")
        night = page.evaluate(_COLORS)
        classes = page.evaluate("document.body.className")
    assert (light["night"], night["night"]) == (False, True)
    assert "nightMode" in classes and "night_mode" in classes
    assert light["face"] != night["face"] and light["pre"][1] != night["pre"][1]
    keyword = "k"  # `def` and `return` in the schedule card's code
    assert keyword in light["tokens"] and keyword in night["tokens"]
    changed = [name for name in light["tokens"] if light["tokens"][name] != night["tokens"][name]]
    assert keyword in changed and len(changed) >= 3
    assert len(set(light["tokens"].values())) >= 3  # highlighted, not one color
    for theme in (light, night):
        for color in theme["tokens"].values():
            assert contrast(color, theme["pre"][1]) >= 3, (color, theme["pre"])


_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  // Code blocks and display math scroll inside their own box, as in Anki.
  const scroller = (e) => e.matches("pre, .arithmatex, mjx-container");
  const past = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest("script, style")) continue;
    // Each box that clips or scrolls what overflows it: the text must fit inside it.
    const boxes = [];
    let inScroller = false;
    for (let e = node.parentElement; e && e !== document.documentElement; e = e.parentElement) {
      if (getComputedStyle(e).overflowX === "visible") continue;
      if (scroller(e)) { inScroller = true; break; }
      boxes.push(e.getBoundingClientRect());
    }
    if (inScroller) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const outside = [...range.getClientRects()].some((rect) => rect.width > 0 && (
      rect.right > width + 0.5 || rect.left < -0.5 ||
      boxes.some((box) => rect.right > box.right + 0.5 || rect.left < box.left - 0.5)));
    if (outside) past.push(node.textContent.trim().slice(0, 40));
  }
  return {page: [document.documentElement.scrollWidth, width], past};
}"""


@pytest.mark.parametrize("theme", ["light", "night"])
def test_a_phone_screen_shows_all_text_within_its_width(
    browser: Browser, index: Path, theme: str, tmp_path: Path
) -> None:
    scheme: Theme = "night" if theme == "night" else "light"
    with open_page(browser, width=360, height=740, theme=scheme) as live:
        page = _load(live, index, theme)
        found = page.evaluate(_OVERFLOW)
        shot = tmp_path / f"preview-360-{theme}.png"
        page.screenshot(path=str(shot), full_page=True)
    assert found["page"] == [360, 360]
    assert found["past"] == []
    assert png_size(shot.read_bytes())[0] == 360


@needs_anki
def test_card_screenshots_with_ankis_reviewer_css_and_mathjax(
    browser: Browser, tmp_path: Path
) -> None:
    """``scripts/render_cards.py``'s card, rendered by Anki after import, shown as the desktop
    reviewer shows it: its reviewer CSS linked, its MathJax typesetting the back's three
    formulas (two inline, one display), nothing fetched from outside."""
    assert ANKI is not None
    card = render_with_anki(build_fixture_deck(FIXTURE, tmp_path), tmp_path)
    with render_reviewer(tmp_path / "out", browser, card, ANKI) as shots:
        counted = {
            shot.name: shot.live.page.evaluate(
                """() => [document.body.dataset.math,
                          document.querySelectorAll("#qa mjx-container").length,
                          document.querySelectorAll('#qa mjx-container[display="true"]').length,
                          document.querySelectorAll("mjx-merror").length]"""
            )
            for shot in shots
        }
    assert counted == {
        "front-light": ["typeset", 0, 0, 0],
        "front-night": ["typeset", 0, 0, 0],
        "back-light": ["typeset", 3, 1, 0],
        "back-night": ["typeset", 3, 1, 0],
    }
    for shot in shots:
        assert any(s and s.endswith("/_anki/css/reviewer.css") for s in shot.visit.stylesheets)
        assert all(is_local(r.url) and not r.blocked and not r.error for r in shot.visit.requests)
        assert png_size(shot.png.read_bytes())[0] == 800
        assert all(image.complete and image.width > 0 for image in shot.visit.images)
