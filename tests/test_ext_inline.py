"""pymdown-extensions' inline syntax (ankigen/ext_inline.py): the tags we emit, and the text
against Python-Markdown + pymdown-extensions (the site)."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import markdown as python_markdown
import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st
from pymdownx import emoji as pymdownx_emoji
from pymdownx import keymap_db

from ankigen.cards.page import render_page
from ankigen.config.flavor import DEFAULT_FLAVOR, Flavor
from ankigen.syntax.emoji import emoji_char
from ankigen.syntax.markdown import markdown
from tests.reference import html_text

MATH = {"pymdownx.arithmatex": {"generic": True}}
SHORTCODE = re.compile(r":[+\-\w]+:")


def render(
    text: str, extension: str, options: Mapping[str, object] | None = None, *more: str
) -> str:
    flavor = Flavor.of([(extension, options or {}), *((name, {}) for name in more)])
    return str(markdown(flavor).render(text))


def inline(text: str, extension: str, options: Mapping[str, object] | None = None) -> str:
    """The HTML of a one-paragraph text, without the ``<p>`` around it."""
    html = render(text, extension, options).strip()
    assert html.startswith("<p>") and html.endswith("</p>"), html
    return html[3:-4]


def reference(
    text: str, extensions: Sequence[str], configs: Mapping[str, Mapping[str, object]]
) -> str:
    settings: dict[str, dict[str, Any]] = {name: dict(cfg) for name, cfg in configs.items()}
    return python_markdown.markdown(text, extensions=list(extensions), extension_configs=settings)


def ours(text: str, extensions: Sequence[str], configs: Mapping[str, Mapping[str, object]]) -> str:
    md = markdown(Flavor.of((name, configs.get(name, {})) for name in extensions))
    return str(md.render(text))


# ------------------------------------------------------------------------ exact tags

TAGS = [
    # pymdownx.mark
    ("pymdownx.mark", {}, "==a b==", "<mark>a b</mark>"),
    ("pymdownx.mark", {}, "re==weight==ing", "re<mark>weight</mark>ing"),
    ("pymdownx.mark", {}, "==**b**==", "<mark><strong>b</strong></mark>"),
    ("pymdownx.mark", {}, "===a===", "=<mark>a</mark>="),
    ("pymdownx.mark", {}, "=a= and a == b == c", "=a= and a == b == c"),
    ("pymdownx.mark", {"smart_mark": True}, "x==y==z ==a==", "x==y==z <mark>a</mark>"),
    # pymdownx.caret
    ("pymdownx.caret", {}, "^^a b^^", "<ins>a b</ins>"),
    ("pymdownx.caret", {}, "x^2^ e^-x^", "x<sup>2</sup> e<sup>-x</sup>"),
    ("pymdownx.caret", {}, "^^^a^^^", "<sup><ins>a</ins></sup>"),
    ("pymdownx.caret", {}, "x^a b^ and a ^ b", "x^a b^ and a ^ b"),
    ("pymdownx.caret", {}, "x^a\\ b^", "x<sup>a b</sup>"),
    ("pymdownx.caret", {}, "x^2^^", "x<sup>2</sup>^"),
    ("pymdownx.caret", {"superscript": False}, "^^a^^ x^2^", "<ins>a</ins> x^2^"),
    ("pymdownx.caret", {"insert": False}, "^^a^^ x^2^", "<sup><sup>a</sup></sup> x<sup>2</sup>"),
    # smart: no ^^insert^^ inside a word; the site then reads the runs as single carets
    ("pymdownx.caret", {"smart_insert": True}, "x^^y^^z ^^a^^", "x^<sup>y</sup>^z <ins>a</ins>"),
    ("pymdownx.tilde", {"smart_delete": True}, "x~~y~~z ~~a~~", "x~<sub>y</sub>~z <del>a</del>"),
    # pymdownx.tilde
    ("pymdownx.tilde", {}, "~~a b~~", "<del>a b</del>"),
    ("pymdownx.tilde", {}, "H~2~O and CO~2~", "H<sub>2</sub>O and CO<sub>2</sub>"),
    ("pymdownx.tilde", {}, "~5 and x~a\\ b~", "~5 and x<sub>a b</sub>"),
    ("pymdownx.tilde", {}, "~a b~ and a ~ b", "~a b~ and a ~ b"),
    ("pymdownx.tilde", {"subscript": False}, "~~a~~ H~2~O", "<del>a</del> H~2~O"),
    ("pymdownx.tilde", {"delete": False}, "H~2~O", "H<sub>2</sub>O"),
    # pymdownx.keys
    (
        "pymdownx.keys",
        {},
        "++ctrl+alt+delete++",
        '<span class="keys"><kbd class="key-control">Ctrl</kbd><span>+</span>'
        '<kbd class="key-alt">Alt</kbd><span>+</span><kbd class="key-delete">Del</kbd></span>',
    ),
    (
        "pymdownx.keys",
        {},
        "++cmd+\"My Key\"++ ++'a+b'++",
        '<span class="keys"><kbd class="key-command">Cmd</kbd><span>+</span><kbd>My Key</kbd>'
        '</span> <span class="keys"><kbd>a+b</kbd></span>',
    ),
    ("pymdownx.keys", {}, "++foo++ctrl++ ++Ctrl++", "++foo++ctrl++ ++Ctrl++"),
    (
        "pymdownx.keys",
        {"strict": True, "separator": "-", "class": "k", "camel_case": True},
        "++PgDn+ctrl++",
        '<kbd class="k"><kbd class="key-page-down">Page Down</kbd><span>-</span>'
        '<kbd class="key-control">Ctrl</kbd></kbd>',
    ),
    (
        "pymdownx.keys",
        {"key_map": {"hyper": "Hyper"}},
        "++hyper++",
        '<span class="keys"><kbd class="key-hyper">Hyper</kbd></span>',
    ),
    # pymdownx.smartsymbols
    (
        "pymdownx.smartsymbols",
        {},
        "(c) (tm) (r) c/o +/- --> <-- <--> =/= 1/4 3/8 2nd 11th",
        "\u00a9 \u2122 \u00ae \u2105 \u00b1 \u2192 \u2190 \u2194 \u2260 \u00bc \u215c "
        "2<sup>nd</sup> 11<sup>th</sup>",
    ),
    ("pymdownx.smartsymbols", {}, "(TM) a---> 11/4 12st \\(c)", "(TM) a---&gt; 11/4 12st (c)"),
    ("pymdownx.smartsymbols", {"copyright": False, "arrows": False}, "(c) -->", "(c) --&gt;"),
    # pymdownx.critic (default mode: view)
    (
        "pymdownx.critic",
        {},
        "{++a++}{--b--}{~~c~>d~~}{==e==}{>>f <g><<}",
        '<ins class="critic">a</ins><del class="critic">b</del><del class="critic">c</del>'
        '<ins class="critic">d</ins><mark class="critic">e</mark>'
        '<span class="critic comment">f &lt;g&gt;</span>',
    ),
    (
        "pymdownx.critic",
        {},
        "{++**a** {--b--}++}",
        '<ins class="critic"><strong>a</strong> {--b--}</ins>',
    ),
    ("pymdownx.critic", {"mode": "accept"}, "{++a++}{--b--}{~~c~>d~~}{==e==}{>>f<<}", "ade"),
    ("pymdownx.critic", {"mode": "reject"}, "{++a++}{--b--}{~~c~>d~~}{==e==}{>>f<<}", "bce"),
    ("pymdownx.critic", {}, "{++a and {~~b~~}", "{++a and {~~b~~}"),
    # pymdownx.emoji: the character itself, never an image
    (
        "pymdownx.emoji",
        {},
        ":smile: :+1: :heart: :nope:",
        "\U0001f604 \U0001f44d \u2764\ufe0f :nope:",
    ),
    ("pymdownx.emoji", {"remove_variation_selector": True}, ":heart:", "\u2764"),
    ("pymdownx.emoji", {}, ":a:b: 10:30:00", "\U0001f170b: 10:30:00"),
]


@pytest.mark.parametrize(
    ("extension", "options", "text", "html"), TAGS, ids=[f"{t[0]}:{t[2]}" for t in TAGS]
)
def test_exact_html(extension: str, options: Mapping[str, object], text: str, html: str) -> None:
    assert inline(text, extension, options) == html


def test_default_flavor_strikes_through_like_gfm_and_sites_get_pymdownx_tilde() -> None:
    # Pages without a site config: GFM's strikethrough (cheaper); sites: what they enable.
    assert markdown(DEFAULT_FLAVOR).render("~~old~~ H~2~O") == "<p><s>old</s> H~2~O</p>\n"
    tilde = Flavor.of([("pymdownx.tilde", {})])
    assert markdown(tilde).render("~~old~~ H~2~O") == "<p><del>old</del> H<sub>2</sub>O</p>\n"


# ----------------------------------------------------------- never in code or math

EVERYTHING = [
    "pymdownx.mark",
    "pymdownx.caret",
    "pymdownx.tilde",
    "pymdownx.keys",
    "pymdownx.smartsymbols",
    "pymdownx.critic",
    "pymdownx.emoji",
    "pymdownx.arithmatex",
]
SYNTAX = "==m== ^^i^^ x^2^ ~~d~~ H~2~O ++ctrl++ (c) --> 1/2 {++a++} :smile:"


def test_nothing_fires_inside_code_spans_blocks_or_math() -> None:
    md = markdown(Flavor.of((name, {}) for name in EVERYTHING))
    page = (
        f"`{SYNTAX}`\n\n"
        f"```\n{SYNTAX}\n```\n\n"
        f"    {SYNTAX}\n\n"
        "$x^2^ + a~b~ == c$ and \\(y^2^\\) and\n\n$$\nz~~1~~ ==\n$$\n"
    )
    html = md.render(page)
    soup = BeautifulSoup(html, "html.parser")
    for tag in ("mark", "ins", "sup", "del", "sub", "kbd"):
        assert soup.find(tag) is None, tag
    for symbol in ("\u00a9", "\u2192", "\u00bd", "\U0001f604"):
        assert symbol not in html
    assert html.count(SYNTAX.replace(">", "&gt;")) == 3
    assert "\\(x^2^ + a~b~ == c\\)" in html and "\\(y^2^\\)" in html
    assert "z~~1~~ ==" in html


def test_a_lone_dollar_stays_text_next_to_the_new_syntax() -> None:
    md = markdown(Flavor.of((name, {}) for name in EVERYTHING))
    html = md.render("It costs $5 ==today==, x^2^ and $a^2$.")
    assert html == "<p>It costs $5 <mark>today</mark>, x<sup>2</sup> and \\(a^2\\).</p>\n"


def test_bare_urls_stay_links_and_intact() -> None:
    md = markdown(Flavor.of((name, {}) for name in EVERYTHING))
    html = md.render("See https://example.org/a~b~c/:smile: now")
    assert (
        '<a href="https://example.org/a~b~c/:smile:">https://example.org/a~b~c/:smile:</a>' in html
    )


def test_cards_take_the_syntax_in_titles_and_answers() -> None:
    flavor = Flavor.of((name, {}) for name in EVERYTHING)
    page = (
        '??? question "What does ++ctrl+c++ do to ==x^2^==?"\n'
        "    It copies (c) H~2~O {++now++} :smile:\n\n"
        "    Read more:\n\n"
        "    * https://example.org/a~b~\n"
    )
    (card,) = render_page(page, flavor=flavor).cards
    assert card.question_text == "What does Ctrl+C do to x2?"
    assert card.question_html == (
        'What does <span class="keys"><kbd class="key-control">Ctrl</kbd><span>+</span>'
        '<kbd class="key-c">C</kbd></span> do to <mark>x<sup>2</sup></mark>?'
    )
    assert card.answer_html == (
        '<p>It copies \u00a9 H<sub>2</sub>O <ins class="critic">now</ins> \U0001f604</p>'
    )
    assert [link.href for link in card.links] == ["https://example.org/a~b~"]


# ---------------------------------------------------- text against the reference

SNIPPETS: dict[str, list[str]] = {
    "pymdownx.mark": [
        "==a **b** c==",
        "x==y==z",
        "==`code`== and x==`code`==y",
        "==a=b==",
        "===a===",
        "====a====",
        "=a= and a == b == c and == a ==",
        "==a ==b== c==",
        "==a",
        "[==a==](u) and x==[a](u)==y",
        "==a\\==b==",
        "(==a==) ==(a)== x==(a)==y",
        "==a $x$ b== x==$a$==y",
        "*==a==* ==*a*== ==a *b== c* *a ==b* c==",
    ],
    "pymdownx.caret": [
        "a ^^ins^^ b",
        "x^2^ and x^a b^ and a ^ b ^ c",
        "x^a\\ b^ and a\\ b",
        "^^^a^^^",
        "2^10^=1024 e^-x^ x^(1)^ (^a^) H^+^",
        "^^a b^^ and ^a b^ ^c^",
        "^a^^b^^c^",
        "x^`a b`^ x^*a b*^ x^[a b](u)^",
        "^^a^^b^^ ^^insert^^ed Un^^der^^line x^^2^^",
        "x^2^y^3^ and ^a^b^",
        "x^2^^",
        "x^^y^ and ^^a^",
        "^^a^b^^",
        "x^a\nb^",
    ],
    "pymdownx.tilde": [
        "a ~~del~~ b",
        "H~2~O and C~6~H~12~O~6~",
        "~a b~ and a ~ b",
        "~~a~~b~~",
        "x~i,j~ and x~i\\ j~",
        "~5 and ~10, approx ~5~ items",
        "~5 and ~10, as does a ~ b; x~a\\ b~.",
        "a~~b~~c and ~~strike *em*~~",
        "~~a~ b",
        "~a~~ and a~~b",
        "H~~x~",
        "*a ~b* c~ and ~a *b c* d~",
    ],
    "pymdownx.keys": [
        "Press ++ctrl+alt+delete++ now",
        '++ctrl+"My Key"++',
        "++foo++ctrl++",
        "++Ctrl+Alt++",
        "++cmd+shift+p++",
        "++'a+b'++",
        "++ctrl+a+b",
        "++foo++ ++ctrl++",
        "++ctrl+alt++ctrl++ and ++ctrl++alt++",
        '++"a"+foo++ctrl++',
        "x++enter++y",
        '++"a\\"b"++ and ++"&lt;"++ and ++ctrl+"+"++',
        "++page-up++ ++pgup++ ++f12++ ++windows++",
        "a++b and [++ctrl++](u) and \\++ctrl++",
    ],
    "pymdownx.smartsymbols": [
        "(c) (tm) (r) (TM) c/o +/- --> <-- <--> =/=",
        "1/4 3/4 2/3 11/4 1/2/3 1/4th",
        "1st 2nd 23rd 11th 112th 01st 0th 12nd 11st 21st 101st 111th 13rd",
        "a---> b and x<-->y and <---",
        "\\(c) and abc/o c/od c/o.",
        "**(c)** *1st*",
        "[(c) 1/2](http://x.org/(c)) and <http://x.org/(c)>",
        "5th-6th the 3rd's",
    ],
    "pymdownx.critic": [
        "a {++add++} b {--del--} c {~~old~>new~~} d {==mark==} e {>>comment<<}",
        "{++**bold** x++}",
        '{>>a <b> & "c"<<}',
        "{++a and {~~a~~}",
        "x{++a++}y {==a==}{>>why<<}",
        "{~~a *b*~>c `d`~~}",
        "{--a++}--}",
        "see {>>multi\nline<<} ok",
        "[{++a++}](u) and {++[a](u)++}",
        "{++a {--b--} c++}",
        "{~~a~>b~>c~~} {~~~>x~~} {++++} x {++ ++} y",
    ],
    "smarty": [
        'She said "yes" -- twice... then "no" --- and left.',
        "It's the '80s, rock 'n' roll, 'Tis so; the 1990's; 5'10\" tall",
        "\"'Nested' quotes,\" he said. '\"Other\" way'.",
        '"*emphasis*" \'`code`\' "[link](https://x.org/a--b)" and \\"escaped\\"',
        "A -- B --- C ---- D - E.... F.. G...",
        'x &amp; "y" &nbsp;"z" <b>"bold"</b> and <https://x.org/--a> ok',
        'first "line\nsecond" line and a "quote"s end',
        "\"$a$\" and '$b$' -- $c -- d$",
    ],
    "pymdownx.emoji": [
        ":smile: :nope: `:smile:`",
        ":1st: :a:b: :a:smile:",
        ":snake_case_x: a:b:c",
    ],
}


def _read_like_the_site(extension: str, text: str) -> None:
    extensions = [extension, "pymdownx.arithmatex"]
    ref_configs: dict[str, Mapping[str, object]] = dict(MATH)
    if extension == "pymdownx.emoji":  # the site shows an image; its alt is the character
        ref_configs["pymdownx.emoji"] = {"emoji_generator": pymdownx_emoji.to_alt}
    got = html_text(ours(text, extensions, MATH))
    assert got == html_text(reference(text, extensions, ref_configs))


@pytest.mark.parametrize(
    ("extension", "text"),
    [(name, text) for name, texts in SNIPPETS.items() for text in texts],
)
def test_snippets_read_like_the_site(extension: str, text: str) -> None:
    _read_like_the_site(extension, text)


OPTION_CASES = [
    "x^^y^^z ^^a^^",
    "x^2^ a^b^c",
    "^^a^^b^^",
    "a^^^b^^^c",
    "^^^a^^^",
    "_^^a^^_",
    "x^^a b^^",
    "x^^y^^.",
    "(^^a^^)x",
    "x~~y~~z ~~a~~ H~2~O",
    "x==y==z ==a== ==a==b== a===b===c",
]
OPTIONS = [
    {"pymdownx.caret": {"smart_insert": True}, "pymdownx.tilde": {"smart_delete": True}},
    {"pymdownx.caret": {"smart_insert": True, "superscript": False}},
    {"pymdownx.caret": {"smart_insert": True, "insert": False}},
    {"pymdownx.caret": {"smart_insert": True, "no_space": False}},
    {"pymdownx.caret": {"punctuation": True}, "pymdownx.tilde": {"no_space": False}},
    {"pymdownx.mark": {"smart_mark": True}},
]


@pytest.mark.parametrize("configs", OPTIONS, ids=lambda c: repr(c)[:80])
def test_options_read_like_the_site(configs: dict[str, Mapping[str, object]]) -> None:
    extensions = ["pymdownx.mark", "pymdownx.caret", "pymdownx.tilde"]
    for text in OPTION_CASES:
        got = html_text(ours(text, extensions, configs))
        assert got == html_text(reference(text, extensions, configs)), text


# Known differences, checked to still differ (strict): if one starts passing, move it up.
KNOWN_DIFFERENCES = [
    pytest.param(
        "pymdownx.caret",
        "^^^^a b^^^^",
        id="four-caret runs around a space: site ^^<ins>a b</ins>^^, ours <ins><ins>",
    ),
    pytest.param(
        "pymdownx.critic",
        "`{++a++}`",
        id="critic inside a code span: the site marks it up, ours leaves code alone",
    ),
    pytest.param(
        "pymdownx.critic",
        "{++a\n\nb++}",
        id="a critic mark across paragraphs: the site marks it up, ours is text",
    ),
]


@pytest.mark.parametrize(
    "configs",
    [
        {"smart_quotes": False},
        {"smart_dashes": False, "smart_ellipses": False},
        {"substitutions": {"left-double-quote": "&bdquo;", "ndash": "<b>to</b>"}},
    ],
)
def test_smarty_options_read_like_the_site(configs: Mapping[str, object]) -> None:
    text = 'He said "stop" -- or "go"... and \'wait\'.'
    settings = {"smarty": configs}
    got = ours(text, ["smarty"], settings)
    assert html_text(got) == html_text(reference(text, ["smarty"], settings))
    if "substitutions" in configs:
        assert "<b>to</b>" in got


@given(
    st.lists(
        st.sampled_from(
            [
                "'",
                '"',
                "--",
                "---",
                "...",
                " ",
                "a",
                "9",
                "s",
                "(",
                ".",
                "`c`",
                "&amp;",
                "\\'",
                "<i>",
                "[l](u)",
                "\n",
            ]
        ),
        max_size=14,
    )
)
@settings(max_examples=300, deadline=None)
def test_smarty_on_any_run_of_quotes_and_dashes_reads_like_the_site(parts: list[str]) -> None:
    # Every line starts with a word, so no run reads as block syntax (a fence, a list); text
    # nodes still start after code spans. Spaces before a line end are dropped: the site keeps
    # a paragraph's trailing spaces, where a quote before them closes (a known difference,
    # below); markdown-it drops them.
    text = re.sub(r"\s*\n\s*", "\nx ", "x " + "".join(parts)).rstrip() + " x"
    got = html_text(ours(text, ["smarty"], {}))
    assert got == html_text(reference(text, ["smarty"], {})), text


@pytest.mark.xfail(
    strict=True,
    reason="smart_angled_quotes: markdown-it reads <<a>> as a tag <a>, the site as «a»",
)
def test_known_difference_angled_quotes_around_a_word() -> None:
    configs = {"smarty": {"smart_angled_quotes": True}}
    text = "<<a>> and <<b c>>"
    assert html_text(ours(text, ["smarty"], configs)) == html_text(
        reference(text, ["smarty"], configs)
    )


@pytest.mark.xfail(strict=True, reason="known difference from pymdownx, see the id")
@pytest.mark.parametrize(("extension", "text"), KNOWN_DIFFERENCES)
def test_known_differences_from_the_site(extension: str, text: str) -> None:
    _read_like_the_site(extension, text)


# pymdownx checks "no whitespace in ^sup^ / ~sub~" with a cache: a range that overlaps one
# found free of whitespace before (an inner sub/sup) counts as free too.
SPACE_CHECK_CACHE = [
    pytest.param("e^x~i~ y^", id="site e<sup>x<sub>i</sub> y</sup>, ours e^x<sub>i</sub> y^"),
    pytest.param(
        "~~a~ and ~a~~",
        id="site <sub><sub>a</sub> and <sub>a</sub></sub>, ours ~<sub>a</sub> and <sub>a</sub>~",
    ),
]


@pytest.mark.xfail(strict=True, reason="pymdownx's cached whitespace check, see the id")
@pytest.mark.parametrize("text", SPACE_CHECK_CACHE)
def test_known_difference_spans_holding_a_span_and_a_space(text: str) -> None:
    extensions = ["pymdownx.caret", "pymdownx.tilde"]
    assert html_text(ours(text, extensions, {})) == html_text(reference(text, extensions, {}))


@pytest.mark.parametrize("mode", ["view", "accept", "reject"])
def test_critic_modes_read_like_the_site(mode: str) -> None:
    configs = {"pymdownx.critic": {"mode": mode}}
    for text in SNIPPETS["pymdownx.critic"]:
        got = html_text(ours(text, ["pymdownx.critic"], configs))
        assert got == html_text(reference(text, ["pymdownx.critic"], configs)), text


def test_well_formed_spans_of_every_kind_read_like_the_site() -> None:
    extensions = [*EVERYTHING]
    text = (
        "The ==softmax(x)~i~== uses e^x~i~-m^ --> ^^stable^^, ~~slow~~ fast (c) 2nd try "
        "with ++ctrl+enter++ {++by 1/3++}{>>one GPU<<} and ==`code` ^^ins *em*^^==, "
        "x^[link](u)^, H~2~O, $a^2$ and ~~a ==b== c~~ :nope:."
    )
    got = html_text(ours(text, extensions, MATH))
    assert got == html_text(reference(text, extensions, MATH))


# ------------------------------------------------------------------- every emoji


def _alt_texts(html: str) -> list[str]:
    return [str(img["alt"]) for img in BeautifulSoup(html, "html.parser").find_all("img")]


@pytest.mark.parametrize("index", ["emojione", "twemoji", "gemoji"])
def test_every_shortcode_is_the_character_the_site_shows(index: str) -> None:
    """Our character is the image's alt text on the site, for every code and alias."""
    db = {
        "emojione": pymdownx_emoji.emojione,
        "twemoji": pymdownx_emoji.twemoji,
        "gemoji": pymdownx_emoji.gemoji,
    }[index]
    data = db({}, None)
    # (twemoji's index has a few names without colons: no shortcode can reach them)
    codes = sorted(c for c in {*data["emoji"], *data["aliases"]} if SHORTCODE.fullmatch(c))
    text = " ".join(codes)
    ref = reference(text, ["pymdownx.emoji"], {"pymdownx.emoji": {"emoji_index": db}})
    assert [emoji_char(code, index) for code in codes] == _alt_texts(ref)
    got = ours(
        text, ["pymdownx.emoji"], {"pymdownx.emoji": {"emoji_index": f"pymdownx.emoji.{index}"}}
    )
    assert html_text(got) == " ".join(_alt_texts(ref))


@pytest.mark.parametrize(
    ("configured", "index"),
    [
        (None, "emojione"),
        ("material.extensions.emoji.twemoji", "twemoji"),
        ("PyName(path='material.extensions.emoji.twemoji')", "twemoji"),
        ("<function twemoji at 0x7f>", "twemoji"),
        ("pymdownx.emoji.emojione", "emojione"),
        ("pymdownx.emoji.gemoji", "gemoji"),
        ("my_site.custom_index", "twemoji"),
    ],
)
def test_the_configured_index_decides_the_data(configured: str | None, index: str) -> None:
    options = {} if configured is None else {"emoji_index": configured}
    # :man_technologist: has a code in twemoji and gemoji; :gb: differs between indexes.
    for code in (":man_technologist:", ":gb:", ":smile:"):
        expected = emoji_char(code, index) or code
        assert inline(code, "pymdownx.emoji", options) == expected


def test_material_icon_shortcodes_are_never_literal_text() -> None:
    # Drawn as the site draws them where mkdocs-material is installed, else nothing and a
    # warning (tests/test_site_fidelity.py).
    options = {"emoji_index": "material.extensions.emoji.twemoji"}
    assert ":material" not in inline(":material-account-circle:", "pymdownx.emoji", options)


# ------------------------------------------------------------------------ every key


def test_every_key_and_alias_reads_like_the_site() -> None:
    names = sorted({*keymap_db.keymap, *keymap_db.aliases})
    text = " ".join(f"++{name}++" for name in names)
    got = BeautifulSoup(ours(text, ["pymdownx.keys"], {}), "html.parser")
    ref = BeautifulSoup(reference(text, ["pymdownx.keys"], {}), "html.parser")

    def kbds(soup: BeautifulSoup) -> list[tuple[str, str]]:
        found = []
        for kbd in soup.find_all("kbd"):
            assert isinstance(kbd, Tag)
            classes = [str(c) for c in kbd.get_attribute_list("class") if c]
            found.append((" ".join(classes), kbd.get_text()))
        return found

    assert kbds(got) == kbds(ref)
    assert len(kbds(got)) == len(names)


# --------------------------------------------------------------------- linear time


@pytest.mark.parametrize(
    "unit", ["a~b ", "a^b c ", "x~~a~ ", "==a ", "[{++", "{~~a~>", "++a+", "~x ^y ==z "]
)
def test_pathological_runs_parse_in_linear_time(unit: str) -> None:
    md = markdown(Flavor.of((name, {}) for name in EVERYTHING))
    start = time.perf_counter()
    md.parse(unit * 4000)
    assert time.perf_counter() - start < 5


@pytest.mark.xfail(
    strict=True,
    reason="a quote after a space that ends a paragraph with trailing spaces: the site keeps "
    "the spaces and closes the quote, markdown-it drops them and opens it",
)
def test_known_difference_a_quote_before_trailing_spaces() -> None:
    text = "it ends with ' \n\nnext"
    assert html_text(ours(text, ["smarty"], {})) == html_text(reference(text, ["smarty"], {}))
