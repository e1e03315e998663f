"""Stage: render. Field HTML for Anki: math, code, tables, links."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ankigen.build import plan_build
from ankigen.cards.cache import CacheEntry, dump_entry, load_entry
from ankigen.cards.page import render_page
from ankigen.config.project import load_config
from ankigen.errors import AnkigenError
from ankigen.output.notetype import note_type
from ankigen.records import RenderedCard
from ankigen.syntax.codecss import code_css
from ankigen.syntax.markdown import markdown


def one(body: str, title: str = "Q") -> RenderedCard:
    indented = "".join(f"    {line}\n" if line else "\n" for line in body.split("\n"))
    result = render_page(f'??? question "{title}"\n{indented}')
    (card,) = result.cards
    return card


def test_inline_and_display_dollar_math_become_mathjax_delimiters() -> None:
    card = one("Area $a < b \\& c > d$ and\n\n$$\nx^2 < y\n$$")
    assert "\\(a &lt; b \\&amp; c &gt; d\\)" in card.answer_html
    assert '<div class="arithmatex">\\[\nx^2 &lt; y\n\\]</div>' in card.answer_html
    assert "$" not in card.answer_html


def test_bracket_math_is_kept_as_mathjax() -> None:
    card = one("Inline \\(a<b\\) and display \\[e^{i\\pi}\\]")
    assert "\\(a&lt;b\\)" in card.answer_html
    assert "\\[e^{i\\pi}\\]" in card.answer_html


def test_lone_dollar_and_prices_are_text() -> None:
    card = one("It costs $5 and $10 today.")
    assert "\\(" not in card.answer_html
    assert "$5 and $10" in card.answer_html


def test_math_inside_code_is_code() -> None:
    card = one("Use `$x$` literally.")
    assert "<code>$x$</code>" in card.answer_html


def test_math_in_the_title() -> None:
    card = one("a", title="What is $\\sigma(x)$?")
    assert card.question_html == "What is \\(\\sigma(x)\\)?"


def test_fenced_code_is_highlighted_with_css_classes_not_inline_styles() -> None:
    card = one("```python\ndef f(x):\n    return x < 1\n```")
    soup = BeautifulSoup(card.answer_html, "html.parser")
    block = soup.select_one("div.highlight pre code.language-python")
    assert block is not None
    assert block.select("span.k") and block.select("span.nf")
    assert "style=" not in card.answer_html
    assert block.get_text() == "def f(x):\n    return x < 1\n"


def test_unknown_language_is_escaped_plain_code() -> None:
    card = one("```nosuchlang\n<tag> & co\n```")
    assert "&lt;tag&gt; &amp; co" in card.answer_html


def test_note_type_css_has_light_and_night_code_styles() -> None:
    css = note_type().css
    assert ".highlight .k" in css and ".nightMode .highlight .k" in css
    assert code_css() in css
    assert "http" not in css.replace("https://", "") and "<script" not in css
    assert "@import" not in css and "url(" not in css


def test_templates_have_no_script_and_no_remote_resources() -> None:
    nt = note_type()
    for template in (nt.front, nt.back):
        assert "<script" not in template and "http" not in template


def test_tables_and_strikethrough() -> None:
    card = one("| a | b |\n|---|---|\n| 1 | ~~2~~ |")
    assert "<table>" in card.answer_html and "<s>2</s>" in card.answer_html


def test_bare_url_in_prose_becomes_a_link_but_stays_in_the_answer() -> None:
    card = one("See https://example.org/page for details.")
    assert '<a href="https://example.org/page">' in card.answer_html
    assert card.links == ()


def test_filenames_are_not_fuzzy_linked() -> None:
    card = one("Edit config.py and README.md.")
    assert "<a " not in card.answer_html


def test_links_field_lists_links_in_order() -> None:
    card = one("A.\n\nRead more:\n\n* https://a.example/?x=1&y=2\n* [B](https://b.example/)")
    soup = BeautifulSoup(card.links_html, "html.parser")
    assert [(a["href"], a.get_text()) for a in soup.find_all("a")] == [
        ("https://a.example/?x=1&y=2", "https://a.example/?x=1&y=2"),
        ("https://b.example/", "B"),
    ]


def test_non_card_admonition_inside_answer_is_styled_like_the_site() -> None:
    card = one('!!! note "Careful"\n    inner text\n\n??? tip\n    hidden tip')
    soup = BeautifulSoup(card.answer_html, "html.parser")
    note = soup.select_one("div.admonition.note > p.admonition-title")
    assert note is not None and note.get_text() == "Careful"
    tip = soup.select_one("details.tip > summary")
    assert tip is not None and tip.get_text() == "Tip"


def test_source_field_names_page_and_section() -> None:
    result = render_page('## Pooling\n\n??? question "Q"\n    a\n', rel="dir/page.md")
    (card,) = result.cards
    assert "dir/page.md" in card.source_html and "Pooling" in card.source_html


def test_title_entities_and_inline_html_render_like_the_site() -> None:
    card = one("a", title="Is 1 &lt; 2 and a <b>tag</b>?")
    assert card.question_html == "Is 1 &lt; 2 and a <b>tag</b>?"
    assert card.question_text == "Is 1 < 2 and a tag?"


_URL_CHARS = "abcXYZ019;/?:@&=+$,-_.!~*'()#%[] é"
_REAL_URLS = [
    "https://cs231n.github.io/convolutional-networks/",
    "https://distill.pub/2019/computing-receptive-fields/#overview",
    "https://example.org:8080/a/b?x=1&y=(2)#frag",
    "other-page.md#anchor",
    "../dir/",
]


@pytest.mark.parametrize("url", _REAL_URLS)
def test_common_urls_take_the_fast_path_unchanged(url: str) -> None:
    assert MarkdownIt("commonmark").normalizeLink(url) == url
    assert markdown().normalizeLink(url) == url


@settings(max_examples=2000)
@given(
    st.sampled_from(["http://", "https://", "mailto:", "", "//", "HTTP://", "http://a.b", "x"]),
    st.text(alphabet=_URL_CHARS, max_size=30),
)
def test_url_fast_path_agrees_with_markdown_it(scheme: str, rest: str) -> None:
    url = scheme + rest
    plain = MarkdownIt("commonmark")
    fast = markdown()
    assert fast.normalizeLink(url) == plain.normalizeLink(url)
    assert fast.normalizeLinkText(url) == plain.normalizeLinkText(url)


def test_text_with_carriage_returns_is_still_normalized() -> None:
    inline = markdown().parse("a\r\nb\rc\0d")[1]
    assert inline.content == "a\nb\nc\ufffdd"


def test_display_math_blocks_like_arithmatex() -> None:
    card = one(
        "\\[\nx < y\n\\]\n\n\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}\n\n\\[ one line \\]"
    )
    assert '<div class="arithmatex">\\[\nx &lt; y\n\\]</div>' in card.answer_html
    env = "\\[\\begin{align}\na &amp;= b \\\\\nc &amp;= d\n\\end{align}\\]"
    assert f'<div class="arithmatex">{env}</div>' in card.answer_html
    assert '<div class="arithmatex">\\[ one line \\]</div>' in card.answer_html


def test_display_math_with_trailing_text_is_not_a_block() -> None:
    card = one("\\[\nx\n\\]\nmore words")
    assert '<div class="arithmatex">' not in card.answer_html


def test_markdown_options_read_like_markdown_it_own() -> None:
    """Our options object answers get, in and [] as markdown-it's OptionsDict does."""
    from markdown_it.utils import OptionsDict  # noqa: PLC0415

    options = markdown().options
    assert isinstance(options, OptionsDict)
    plain = OptionsDict(dict(options.items()))  # type: ignore[arg-type]
    for key in [*plain, "no-such-option"]:
        assert options.get(key) == plain.get(key)
        assert options.get(key, "fallback") == plain.get(key, "fallback")
        assert (key in options) == (key in plain)
    assert options["linkify"] is True and options.maxNesting == plain.maxNesting


def _card_folders(tmp_path: Path) -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    pages = tmp_path / "differential"
    shutil.copytree(root / "tests" / "fixtures" / "differential", pages)
    sites = sorted(p for p in (root / "tests" / "fixtures" / "sites").iterdir() if p.is_dir())
    return [root / "source", pages, *(s for s in sites if s.name != "broken")]


NOW = 1_700_000_000


def test_a_plain_question_is_one_string_held_once_even_through_the_cache() -> None:
    """Cards are held until the package is written: a plain title is both the question's
    HTML and its text, one string (at 100,000 cards, ~15 MB)."""
    plain = one("Answer.", title="What is a plain title?")
    assert plain.question_text is plain.question_html
    (back,) = load_entry(dump_entry(CacheEntry((plain,), (), ()))).cards  # type: ignore[union-attr]
    assert back.question_text is back.question_html
    marked = one("Answer.", title="What is *this*?")
    assert (marked.question_html, marked.question_text) == (
        "What is <em>this</em>?",
        "What is this?",
    )


def test_a_build_makes_no_reference_cycles(tmp_path: Path) -> None:
    """A build pauses the cyclic collector (its garbage is acyclic, refcounting frees it):
    a cycle made per card would stay in memory until the build ends. One did, a closure
    calling itself, ~45 MB at 100,000 cards."""
    folders = _card_folders(tmp_path)
    notes = 0
    for folder in folders:
        try:  # the config is read once per build, not per card: outside the check
            config = load_config(folder)
        except AnkigenError:  # sites made to fail on their config
            continue
        config = dataclasses.replace(config, lockfile=tmp_path / "x" / "a.lock")
        # Once first: a parser made for the site's extensions, lexers and regexes compiled
        # on first use are per process (and cyclic), not per card.
        with contextlib.suppress(AnkigenError):
            plan_build(folder, config, NOW, tmp_path / "x" / "d.apkg", workers=1)
        gc.collect()
        gc.disable()
        try:
            try:
                plan = plan_build(folder, config, NOW, tmp_path / "x" / "d.apkg", workers=1)
                notes += len(plan.identified.notes)
                del plan
            except AnkigenError:  # sites made to fail (no cards): still checked
                pass
            assert gc.collect() == 0, folder
        finally:
            gc.enable()
    assert notes > 100
