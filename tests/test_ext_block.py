"""Block-level site syntax (ankigen/ext_block.py, ankigen/tabbed.py): the HTML we emit, and
the cards against Python-Markdown + pymdown-extensions where tests/reference.py cannot read
them yet.

The pages in ``fixtures/differential/ext/block-reference-plus/`` need more than the
reference's card extractor does today, so they are compared here with the reference HTML
read with three additions (what tests/reference.py would need to learn):

1. footnotes: the site shows notes at the foot of the page; a card shows, at the end of its
   answer (before the trailing link list), the notes cited in its own box (not in nested
   boxes, which get their own), plus the notes those notes cite, numbered as on the page;
2. ``alternate_style`` tabs: the site draws all labels first, then all panels; a card reads
   each label followed by its panel, as the classic layout does;
3. raw ``<details>`` boxes: the source has no marker line for them; a classless one is of the
   type ``details``, and a raw box's body may hold bare text.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment
from hypothesis import given, settings
from hypothesis import strategies as st

from ankigen.cards.find import tokenize
from ankigen.cards.page import render_page
from ankigen.config.flavor import Flavor
from ankigen.records import RenderedCard
from ankigen.syntax.markdown import EXTENSION_PLUGINS, markdown
from ankigen.syntax.md_in_html import HtmlDetailsHeader, html_details_plugin
from tests.reference import (
    RefCard,
    _block_links,
    _card,
    _card_type,
    _is_card,
    _is_label,
    element_text,
    html_text,
    normalize_ws,
    reference_html,
    scan_markers,
)

BASE = ["admonition", "pymdownx.details", "pymdownx.superfences"]
PLUS = Path(__file__).parent / "fixtures" / "differential" / "ext" / "block-reference-plus"
TYPES = ("question", "help", "faq")


def flavor(extensions: Sequence[str], configs: Mapping[str, Mapping[str, object]]) -> Flavor:
    return Flavor.of((name, configs.get(name, {})) for name in extensions)


def render(text: str, *extensions: str, **configs: Mapping[str, object]) -> str:
    names = [*BASE, *extensions]
    md = markdown(flavor(names, configs))
    return str(md.renderer.render(tokenize(text, flavor(names, configs)), md.options, {}))


def cards(
    text: str, *extensions: str, types: Sequence[str] = TYPES, **configs: Mapping[str, object]
) -> tuple[RenderedCard, ...]:
    result = render_page(text, types=types, flavor=flavor([*BASE, *extensions], configs))
    return result.cards


def as_ref(card: RenderedCard) -> RefCard:
    return RefCard(
        question=normalize_ws(html_text(card.question_html)),
        answer=normalize_ws(html_text(card.answer_html)),
        links=tuple(link.href for link in card.links),
    )


# ------------------------------------------------------------- the reference, extended


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    return value.split() if isinstance(value, str) else [str(v) for v in value or []]


def _is_box(tag: Tag) -> bool:
    return tag.name == "details" or (tag.name == "div" and "admonition" in _classes(tag))


def _box_of(tag: Tag) -> Tag | None:
    for parent in tag.parents:
        if _is_box(parent):
            return parent
    return None


def _title(box: Tag, child: Tag) -> bool:
    if box.name == "details":
        return child.name == "summary"
    return child.name == "p" and "admonition-title" in _classes(child)


def _notes_in_cards(soup: BeautifulSoup) -> None:
    """Addition 1: copy into each box the notes it cites, then drop the page's foot."""
    foot = soup.find("div", class_="footnote")
    if not isinstance(foot, Tag):
        return
    items = [li for li in foot.find_all("li") if isinstance(li, Tag)]
    number = {str(li["id"]): i for i, li in enumerate(items, start=1)}
    by_id = {str(li["id"]): li for li in items}
    for box in [t for t in soup.find_all(["details", "div"]) if isinstance(t, Tag)]:
        if not _is_box(box):
            continue
        refs = [
            a
            for a in box.find_all("a", class_="footnote-ref")
            if isinstance(a, Tag) and _box_of(a) is box and a.find_parent("li") is None
        ]
        cited: list[str] = []
        todo = [str(a["href"])[1:] for a in refs]
        while todo:
            note = todo.pop(0)
            if note in cited or note not in by_id:
                continue
            cited.append(note)
            todo += [str(a["href"])[1:] for a in by_id[note].find_all("a", class_="footnote-ref")]
        if not cited:
            continue
        block = soup.new_tag("div", attrs={"class": "footnote"})
        ol = soup.new_tag("ol")
        block.append(ol)
        for note in sorted(cited, key=number.__getitem__):
            ol.append(copy.copy(by_id[note]))
        body = [c for c in box.children if isinstance(c, Tag) and not _title(box, c)]
        end = len(body)
        while end > 0 and _block_links(body[end - 1]) is not None:
            end -= 1
        if end < len(body) and end > 0 and _is_label(body[end - 1]):
            end -= 1
        if end < len(body):
            body[end].insert_before(block)
        else:
            box.append(block)
    foot.decompose()


def _tabs_in_reading_order(soup: BeautifulSoup) -> None:
    """Addition 2: each alternate-style label right before its panel."""
    sets = [t for t in soup.select("div.tabbed-set.tabbed-alternate") if isinstance(t, Tag)]
    for tab_set in reversed(sets):
        labels_div = tab_set.find("div", class_="tabbed-labels", recursive=False)
        content = tab_set.find("div", class_="tabbed-content", recursive=False)
        assert isinstance(labels_div, Tag) and isinstance(content, Tag)
        labels = [t for t in labels_div.find_all("label") if isinstance(t, Tag)]
        panels = [t for t in content.find_all("div", recursive=False) if isinstance(t, Tag)]
        tab_set.clear()
        for label, panel in zip(labels, panels, strict=True):
            heading = soup.new_tag("p")
            heading.extend(list(label.contents))
            tab_set.append(heading)
            tab_set.append(panel)


def _raw_card(box: Tag) -> RefCard:
    """Addition 3: a ``<details>`` box without marker line; its body may hold bare text."""
    summary = box.find("summary", recursive=False)
    if any(isinstance(c, NavigableString) and not isinstance(c, Comment) and c.strip()
           for c in box.children):  # fmt: skip
        rest = [c for c in box.children if c is not summary]
        answer = normalize_ws(" ".join(element_text(c) for c in rest))
        question = element_text(summary) if isinstance(summary, Tag) else ""
        return RefCard(question=question, answer=answer, links=())
    return _card(box, untitled=not isinstance(summary, Tag) or not element_text(summary))


def reference_plus(
    text: str,
    extensions: Sequence[str],
    configs: Mapping[str, Mapping[str, object]],
    types: Sequence[str],
) -> list[RefCard]:
    """The reference's cards with the three additions. A page holds either marker-line
    boxes (zipped with the markers, as tests/reference.py does) or raw boxes only."""
    soup = BeautifulSoup(reference_html(text, extensions, configs), "html.parser")
    _notes_in_cards(soup)
    _tabs_in_reading_order(soup)
    soup = BeautifulSoup(str(soup), "html.parser")
    markers = [m for m in scan_markers(text) if m.is_card(types)]
    boxes = [t for t in soup.find_all(["details", "div"]) if isinstance(t, Tag) and _is_box(t)]
    if markers:
        typed = [box for box in boxes if _is_card(box, set(types))]
        assert len(typed) == len(markers), "a page mixes marker cards and raw boxes"
        return [_card(box, m.untitled) for box, m in zip(typed, markers, strict=True)]
    return [
        _raw_card(box)
        for box in boxes
        if box.name == "details"
        and (_is_card(box, set(types)) or (_card_type(box) is None and "details" in types))
    ]


PLUS_PAGES = sorted(PLUS.glob("*.md"))


def _spec(page: Path) -> tuple[list[str], dict[str, dict[str, object]], tuple[str, ...]]:
    spec = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    return (
        list(spec["extensions"]),
        dict(spec.get("extension_configs", {})),
        tuple(spec.get("types", TYPES)),
    )


@pytest.mark.parametrize("page", PLUS_PAGES, ids=lambda p: p.name)
def test_cards_match_the_extended_reference(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    extensions, configs, types = _spec(page)
    expected = reference_plus(text, extensions, configs, types)
    result = render_page(text, types=types, flavor=flavor(extensions, configs))
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"]
    got = [as_ref(card) for card in result.cards]
    assert len(got) == len(expected), f"{page}: {len(got)} cards, reference has {len(expected)}"
    for card, mine, ref in zip(result.cards, got, expected, strict=True):
        assert mine == ref, f"{page}:{card.line}"


def test_the_extended_pages_cover_every_addition() -> None:
    names = {p.name for p in PLUS_PAGES}
    assert {
        "block-footnotes-cited.md",
        "block-footnotes-options.md",
        "block-tabbed-alternate.md",
        "block-raw-details.md",
        "block-raw-details-plain.md",
    } <= names


# --------------------------------------------------------------------------- registry


def test_every_block_extension_has_a_plugin() -> None:
    for name in (
        "pymdownx.tabbed",
        "pymdownx.tasklist",
        "footnotes",
        "def_list",
        "abbr",
        "attr_list",
        "md_in_html",
        "markdown.extensions.footnotes",
        "markdown.extensions.md_in_html",
    ):
        assert name in EXTENSION_PLUGINS, name


# -------------------------------------------------------------------------------- tabs

TABS = '=== "One"\n    first\n\n=== "Two *b*"\n\n    second\n'


def test_tabs_are_labelled_sections() -> None:
    assert render(TABS, "pymdownx.tabbed") == (
        '<div class="tabbed-set">\n'
        '<p class="tabbed-label">One</p>\n'
        '<div class="tabbed-content">\n<p>first</p>\n</div>\n'
        '<p class="tabbed-label">Two <em>b</em></p>\n'
        '<div class="tabbed-content">\n<p>second</p>\n</div>\n'
        "</div>\n"
    )


def test_a_bang_starts_a_new_tab_set_and_a_plus_changes_nothing_we_show() -> None:
    html = render('=== "A"\n    a\n===+ "B"\n    b\n===! "C"\n    c\n', "pymdownx.tabbed")
    assert html.count('<div class="tabbed-set">') == 2
    assert html.index('"tabbed-label">B<') < html.index("</div>\n</div>\n<div")


def test_an_unindented_line_ends_a_tab_and_blank_lines_do_not() -> None:
    html = render('=== "A"\n    a\n\n\n        code\n\n    b\nafter\n', "pymdownx.tabbed")
    assert html.endswith(
        '<div class="tabbed-content">\n<p>a</p>\n<div class="highlight"><pre><code>code\n'
        "</code></pre></div>\n<p>b</p>\n</div>\n</div>\n<p>after</p>\n"
    )


def test_tab_markers_the_site_does_not_take_stay_text() -> None:
    for text in ("=== A\n    a\n", '=== "A" x\n    a\n', '===+! "A"x\n', '  === "A"\n    a\n'):
        assert "tabbed-set" not in render(text, "pymdownx.tabbed"), text


def test_cards_inside_tabs_and_tabs_inside_cards() -> None:
    text = (
        '=== "Tab"\n    ??? question "Inside a tab?"\n        Yes.\n\n'
        '??? question "Tabs in the answer?"\n    === "X"\n        x\n    === "Y"\n        y\n'
    )
    found = cards(text, "pymdownx.tabbed")
    assert [c.question_text for c in found] == ["Inside a tab?", "Tabs in the answer?"]
    assert found[1].answer_html.startswith('<div class="tabbed-set">\n<p class="tabbed-label">X')


# --------------------------------------------------------------------------- footnotes

NOTES = (
    '??? question "Q"\n    Claim[^a] and again[^a], see[^b].\n\n'
    "    Read more:\n\n    - https://example.org/x\n\n"
    "[^a]: Note *a*.\n[^b]: Note b cites[^c].\n[^c]: Note c.\n[^d]: Unused.\n"
)


def test_a_reference_shows_the_page_number() -> None:
    html = render("x[^n]\n\n[^m]: m\n[^n]: n\n", "footnotes")
    assert '<sup id="fnref:n"><a class="footnote-ref" href="#fn:n">2</a></sup>' in html


def test_a_card_carries_the_notes_it_cites_before_its_links() -> None:
    (card,) = cards(NOTES, "footnotes")
    assert card.links[0].href == "https://example.org/x"
    notes = card.answer_html.split('<div class="footnote">\n<hr>\n<ol>\n')[1]
    assert notes == (
        '<li id="fn:a">\n<p>Note <em>a</em>.&#160;'
        '<a class="footnote-backref" href="#fnref:a" title="Jump back to footnote 1 in the text">'
        "&#8617;</a>"
        '<a class="footnote-backref" href="#fnref2:a" title="Jump back to footnote 1 in the text">'
        "&#8617;</a></p>\n</li>\n"
        '<li id="fn:b">\n<p>Note b cites<sup id="fnref:c"><a class="footnote-ref" '
        'href="#fn:c">3</a></sup>.&#160;<a class="footnote-backref" href="#fnref:b" '
        'title="Jump back to footnote 2 in the text">&#8617;</a></p>\n</li>\n'
        '<li id="fn:c">\n<p>Note c.&#160;<a class="footnote-backref" href="#fnref:c" '
        'title="Jump back to footnote 3 in the text">&#8617;</a></p>\n</li>\n'
        "</ol>\n</div>"
    )
    assert "Unused" not in card.answer_html


def test_a_note_that_ends_in_a_list_gets_its_back_link_in_a_paragraph_of_its_own() -> None:
    (card,) = cards('??? question "Q"\n    A[^l]\n\n[^l]: Items:\n\n    - one\n', "footnotes")
    assert card.answer_html.endswith(
        '<li>one</li>\n</ul>\n<p><a class="footnote-backref" href="#fnref:l" '
        'title="Jump back to footnote 1 in the text">&#8617;</a></p>\n</li>\n</ol>\n</div>'
    )


def test_notes_keep_their_page_numbers() -> None:
    text = '??? question "Q"\n    a[^b] c[^d] e[^e]\n\n' + "".join(
        f"[^{x}]: {x.upper()}\n" for x in "abcde"
    )
    (card,) = cards(text, "footnotes")
    html = card.answer_html
    assert html.count("<ol") == 2 and '<ol start="2">\n<li id="fn:b">' in html
    assert '<ol start="4">\n<li id="fn:d">' in html and html.index("fn:d") < html.index("fn:e")


def test_notes_and_tasks_need_no_sanitising() -> None:
    # Raw HTML in a card sends it through the sanitizer; what we generate must survive it.
    text = (
        '<details class="question" markdown>\n<summary>Q <b>raw</b></summary>\n\n'
        "- [x] done[^n]\n\n</details>\n\n[^n]: note\n"
    )
    result = render_page(
        text, flavor=flavor([*BASE, "md_in_html", "footnotes", "pymdownx.tasklist"], {})
    )
    (card,) = result.cards
    assert result.diagnostics == () and card.problems == ()
    assert card.question_html == "Q <b>raw</b>"
    assert "<input" in card.answer_html and 'href="#fnref:n"' in card.answer_html


def test_nested_boxes_carry_their_own_notes() -> None:
    text = (
        '??? question "Outer"\n    Outer[^o].\n\n'
        '    ??? question "Inner"\n        Inner[^i].\n\n'
        "[^o]: Outer note.\n[^i]: Inner note.\n"
    )
    outer, inner = cards(text, "footnotes")
    assert "Inner note" in inner.answer_html and "Outer note" not in inner.answer_html
    assert outer.answer_html.count('<div class="footnote">') == 2
    assert outer.answer_html.index("Inner note") < outer.answer_html.index("Outer note")


def test_footnote_options() -> None:
    text = "[^x]: x\n[^y]: y\n\nCite y[^y] then x[^x].\n"
    html = render(
        text,
        "footnotes",
        footnotes={"USE_DEFINITION_ORDER": False, "SUPERSCRIPT_TEXT": "({})", "SEPARATOR": "-"},
    )
    assert '<sup id="fnref-y"><a class="footnote-ref" href="#fn-y">(1)</a></sup>' in html
    assert '<a class="footnote-ref" href="#fn-x">(2)</a>' in html


def test_an_undefined_reference_stays_text_and_definitions_never_show() -> None:
    html = render("a[^nope] b\n\n[^def]: hidden\n    continued\n", "footnotes")
    assert html == "<p>a[^nope] b</p>\n"


# ---------------------------------------------------------------------------- def_list


def test_definition_lists() -> None:
    assert render("Term\n:   def\n", "def_list") == "<dl>\n<dt>Term</dt>\n<dd>def</dd>\n</dl>\n"
    assert render("T1\nT2\n\n:   loose\n\n    more\n", "def_list") == (
        "<dl>\n<dt>T1</dt>\n<dt>T2</dt>\n<dd>\n<p>loose</p>\n<p>more</p>\n</dd>\n</dl>\n"
    )
    assert render("Term\n:   one\n:   two\n", "def_list").count("<dd>") == 2


def test_a_colon_line_at_the_start_of_a_page_is_a_paragraph() -> None:
    assert render(": not a definition\n", "def_list") == "<p>: not a definition</p>\n"


# ---------------------------------------------------------------------------- tasklist


def test_task_list_items() -> None:
    assert render("- [ ] todo\n- [x] done\n", "pymdownx.tasklist") == (
        '<ul class="task-list">\n'
        '<li class="task-list-item"><input type="checkbox" disabled/> todo</li>\n'
        '<li class="task-list-item"><input type="checkbox" disabled checked/> done</li>\n'
        "</ul>\n"
    )


def test_task_list_options() -> None:
    html = render(
        "- [X] done\n",
        "pymdownx.tasklist",
        **{"pymdownx.tasklist": {"custom_checkbox": True, "clickable_checkbox": True}},
    )
    assert (
        '<li class="task-list-item"><label class="task-list-control"><input type="checkbox"'
        ' checked/><span class="task-list-indicator"></span></label> done</li>'
    ) in html


# -------------------------------------------------------------------------------- abbr


def test_abbreviations_get_a_title_and_their_definitions_vanish() -> None:
    html = render('The HTML spec, HTMLX.\n\n*[HTML]: Hyper "Text" & more\n', "abbr")
    assert html == (
        '<p>The <abbr title="Hyper &quot;Text&quot; &amp; more">HTML</abbr> spec, HTMLX.</p>\n'
    )


def test_a_glossary_and_forgetting_an_abbreviation() -> None:
    glossary = {"glossary": {"GPU": "Graphics Processing Unit", "CPU": "Central"}}
    html = render('GPU and CPU\n\n*[CPU]: ""\n', "abbr", abbr=glossary)
    assert html == '<p><abbr title="Graphics Processing Unit">GPU</abbr> and CPU</p>\n'


def test_abbreviations_skip_code_and_raw_summaries() -> None:
    text = "<details>\n<summary>API</summary>\nx\n</details>\n\n`API` API\n\n*[API]: Interface\n"
    html = render(text, "abbr")
    assert "<summary>API</summary>" in html
    assert '<code>API</code> <abbr title="Interface">API</abbr>' in html


# --------------------------------------------------------------------------- attr_list


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Para\n{: .a #b }\n", '<p class="a" id="b">Para</p>\n'),
        ("# Title { #t }\n", '<h1 id="t">Title</h1>\n'),
        ("# T ## {: .x }\n", '<h1 class="x">T</h1>\n'),
        (
            "[l](u){: .c target=_blank } x\n",
            '<p><a href="u" class="c" target="_blank">l</a> x</p>\n',
        ),
        (
            "`c`{ .py } **b**{: .s}\n",
            '<p><code class="py">c</code> <strong class="s">b</strong></p>\n',
        ),
        ("- a\n  {: .i }\n", '<ul>\n<li class="i">a</li>\n</ul>\n'),
        ('x\n{: hidden data-x="a b" }\n', '<p hidden="hidden" data-x="a b">x</p>\n'),
        # the site keeps these braces
        ("{: .alone }\n", "<p>{: .alone }</p>\n"),
        ("One line {: .x }\n", "<p>One line {: .x }</p>\n"),
        ("- item {: .x }\n", "<ul>\n<li>item {: .x }</li>\n</ul>\n"),
        ("x\n{: a}b}\n", "<p>x\n{: a}b}</p>\n"),
    ],
)
def test_attribute_lists(text: str, html: str) -> None:
    assert render(text, "attr_list") == html


# -------------------------------------------------------------------------- md_in_html


def test_markdown_in_html() -> None:
    assert render('<div class="g" markdown>\n*a*\n\n- b\n</div>\n', "md_in_html") == (
        '<div class="g">\n<p><em>a</em></p>\n<ul>\n<li>b</li>\n</ul>\n</div>\n'
    )
    assert render("<p markdown>*span*</p>\n", "md_in_html") == "<p><em>span</em></p>\n"


def test_raw_html_blocks_run_to_their_end_tag() -> None:
    text = "<div>\n*raw*\n\n<div>\ninner\n</div>\n\nstill raw\n</div>\n\n*md*\n"
    assert render(text, "md_in_html") == (
        "<div>\n*raw*\n\n<div>\ninner\n</div>\n\nstill raw\n</div>\n<p><em>md</em></p>\n"
    )


def test_text_after_an_end_tag_is_markdown() -> None:
    html = render("<div markdown>\n*a*\n</div> *tail*\n", "md_in_html")
    assert html == "<div>\n<p><em>a</em></p>\n</div>\n<p><em>tail</em></p>\n"


# ------------------------------------------------------------------ raw <details> cards

RAW = (
    '<details class="question">\n<summary>What is <b>this</b> &amp; that?</summary>\n'
    "<p>Raw <em>body</em>.</p>\n\n*literal*\n</details>\n"
)
MD = (
    '<details class="question" open markdown>\n<summary>Q *raw*?</summary>\n\n'
    "Body *md*.\n\nRead more:\n\n- https://example.org/a\n\n</details>\n"
)


def test_a_raw_details_box_is_a_card_on_every_site() -> None:
    for extensions in ((), ("md_in_html",)):
        (card,) = cards(RAW, *extensions)
        assert (card.line, card.col, card.kind) == (1, 1, "question")
        assert card.question_html == "What is <b>this</b> &amp; that?"
        assert card.question_text == "What is this & that?"
        assert card.answer_html == "<p>Raw <em>body</em>.</p>\n\n*literal*"
        assert card.links == ()


def test_a_markdown_details_box_is_read_like_a_marker_card() -> None:
    (card,) = cards(MD, "md_in_html")
    assert card.question_html == "Q *raw*?"
    assert card.answer_html == "<p>Body <em>md</em>.</p>"
    assert [link.href for link in card.links] == ["https://example.org/a"]
    html = render(MD, "md_in_html")
    assert html.startswith('<details class="question" open>\n<summary>Q *raw*?</summary>\n')
    (plain,) = cards(MD)  # no md_in_html: the same box, all raw
    assert plain.answer_html.startswith("Body *md*.")


def test_a_summary_with_markdown_renders_inline_markdown() -> None:
    text = '<details class="faq" markdown>\n<summary markdown>A `b`</summary>\nc\n</details>\n'
    (card,) = cards(text, "md_in_html")
    assert card.question_html == "A <code>b</code>"


def test_classless_details_are_of_type_details() -> None:
    text = "<details>\n<summary>Plain</summary>\nbody\n</details>\n"
    assert cards(text) == ()
    (card,) = cards(text, types=("question", "details"))
    assert (card.kind, card.question_text) == ("details", "Plain")


def test_details_tokens_have_the_admonition_shape() -> None:
    md = markdown()
    html_details_plugin(md)
    html_details_plugin(md)  # idempotent
    assert md.block.ruler.get_all_rules().count("ankigen_html_block") == 1
    tokens = tokenize("Intro\n\n" + RAW)
    kinds = [t.type for t in tokens]
    opening = tokens[kinds.index("admonition_open")]
    assert isinstance(opening.meta["header"], HtmlDetailsHeader)
    assert opening.map == [2, 8]
    assert kinds[kinds.index("admonition_open") :] == [
        "admonition_open",
        "admonition_title_open",
        "inline",
        "admonition_title_close",
        "html_block",
        "admonition_close",
    ]


# ---------------------------------------------------------------------------- comments

COMMENTS = [
    '??? question "Q"\n    Answer <!-- inline --> text.\n',
    '??? question "Q"\n    Answer\n\n    <!-- own line -->\n\n    More.\n',
    '??? question "Q"\n    Answer\n    <!-- right after a line\n    and over two -->\n    tail\n',
    '??? question "Q"\n    Answer\n\n    <!-- with\n\n    a blank line inside -->\n\n    More.\n',
    '??? question "Q <!-- in the title -->"\n    Answer.\n',
    '??? question "Q"\n    Answer.\n\n    - https://example.org\n\n    <!-- after the links -->\n',
]


@pytest.mark.parametrize("text", COMMENTS)
@pytest.mark.parametrize("extensions", [(), ("md_in_html",)])
def test_comments_never_show(text: str, extensions: tuple[str, ...]) -> None:
    (card,) = cards(text, *extensions)
    for html in (card.question_html, card.answer_html):
        assert "&lt;!--" not in html
        shown = html_text(html)
        assert "inline" not in shown and "own line" not in shown and "blank" not in shown
        assert "title -->" not in shown and "after the links" not in shown
    assert "Answer" in card.answer_html + card.question_html + card.question_text


# ----------------------------------------------------------------- known differences


def _site_and_ours(text: str, extensions: Sequence[str]) -> tuple[list[RefCard], list[RefCard]]:
    site = reference_plus(text, [*BASE, *extensions], {}, TYPES)
    return site, [as_ref(c) for c in cards(text, *extensions)]


KNOWN = [
    pytest.param(
        '??? question "Q"\n    A\n\n    <!-- with\n\n    a blank line -->\n',
        (),
        id="a comment with a blank line in a card: the site shows it as text, ours hides it",
    ),
    pytest.param(
        "??? question\n    <!-- note -->\n    What is it?\n\n    The answer.\n",
        (),
        id="untitled card opening with a comment: site asks 'What is it?', ours: no-question error",
    ),
    pytest.param(
        '<details class="question">\n<summary>Q</summary>\n<p>A</p>\n'
        '<p><a href="https://example.org">x</a></p>\n</details>\n',
        (),
        id="a raw box ending in a link paragraph: the site's links, ours part of the answer",
    ),
]


@pytest.mark.parametrize(("text", "extensions"), KNOWN)
@pytest.mark.xfail(strict=True, reason="known difference from the site, see the id")
def test_known_differences_from_the_site(text: str, extensions: tuple[str, ...]) -> None:
    site, ours = _site_and_ours(text, extensions)
    assert site == ours


# -------------------------------------------------------------------------------- fuzz

ALL = [
    "abbr",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "pymdownx.tabbed",
    "pymdownx.tasklist",
]
PIECES = [
    '??? question "Q?"',
    "???+ faq",
    '=== "Tab"',
    '===! "New"',
    "    ",
    "",
    "    answer[^1]",
    "        deeper",
    "[^1]: note [^2]",
    "[^2]:",
    "Term",
    ":   definition",
    ": x",
    "- [ ] task",
    "- [x]",
    "*[HTML]: Hyper",
    "*[X]:",
    "HTML text",
    "{: .c #i }",
    "text {: .c }",
    "# H { #h }",
    '<div markdown="1">',
    "<div markdown>x</div> tail",
    "</div>",
    '<details class="question" markdown>',
    "<details open>",
    "<summary>S</summary>",
    "<summary markdown>*S*</summary>",
    "</details>",
    "<p markdown>",
    "</p>",
    "<!-- c",
    "-->",
    "```",
    "| a | b |",
    "|---|---|",
    "Read more:",
    "* https://a.example/",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40))
def test_any_page_with_every_block_extension_renders(parts: list[str]) -> None:
    text = "\n".join(parts).replace("\r\n", "\n").replace("\r", "\n")
    result = render_page(
        text, types=("question", "faq", "details"), flavor=flavor([*BASE, *ALL], {})
    )
    lines = text.split("\n")
    for card in result.cards:
        at = lines[card.line - 1][card.col - 1 :].expandtabs(4).lstrip()
        assert at.startswith(("???", "!!!", "<details")), (card.line, at)
        assert card.kind in ("question", "faq", "details")
