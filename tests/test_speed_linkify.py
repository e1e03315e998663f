"""The fast linkify path finds exactly the links linkify-it finds, token for token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ankigen._speed.linkify import FAST_URL, fast_linkify_plugin
from ankigen.syntax.markdown import markdown
from tests.conftest import bench_pages, guards_unknown, token_shape

ROOT = Path(__file__).resolve().parent.parent


def _md(fast: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "html": True})
    md.enable("linkify")
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})  # type: ignore[union-attr]
    md.core.ruler.disable("linkify")
    if fast:
        fast_linkify_plugin(md)
    return md


SLOW, FAST = _md(fast=False), _md(fast=True)


# Pieces that make URL-like text and everything that could end or extend one.
PIECES = [
    "http", "https", "ftp", "mailto:", "://", "//", "www", "example", "sub", "a", "b1", "x-y",
    "xn--80ak6aa92e", "localhost", "127.0.0.1", "com", "org", "io", "c", "travel", ".", "..",
    "-", "--", "---", "/", "_", "~", ",", ";", ":", ":8080", "!", "?", "?q=1", "#top", "&",
    "=", "%20", "@", "user@", "(", ")", "[", "]", "{", "}", "<", ">", "*", "**", "'", '"',
    "`", "\\", " ", "  ", "\n", "\t", "\u00a0", "\u3000", "é", "日本", "\u200b", "\x00",
    "\x1f", "\x85", "|", "\uff5c", "$",
]  # fmt: skip

# URL-shaped text: each part is drawn as often from valid pieces as from almost valid ones.
LABEL = st.one_of(
    st.sampled_from(["a", "b1", "x-y", "a--b", "xn--p1ai", "1"]),
    st.sampled_from(["a_b", "_a", "a-", "-a", "", "é", "a~b", "a%b", "A"]),
)
TLD = st.sampled_from(["", ".com", ".b", ".co1", ".c_m", ".x", ".abcdefghijklmnopqrstuvwxyz", "."])
PATH = st.one_of(
    st.just(""),
    st.sampled_from(["/", "/a", "/a/b_c", "/a.b", "/a-b", "/~x/", "/a.b.c-d/e"]),
    st.lists(
        st.sampled_from(
            ["/", "a", "1", "_", "~", ".", "-", "--", ",", ";", "?", "#", ":", "é", "("]
        )
    ).map("".join),
)
AROUND = st.sampled_from(["", " x", "\n", ".", ". x", ",", ", x", ".,", "..", ")", ":", "*", "é"])
URL = st.builds(
    lambda before, scheme, host, tld, path, after: (
        before + scheme + "://" + host + tld + path + after
    ),
    st.sampled_from(["", " ", "x", "(", "<", "_", "\u00a0"]),
    st.sampled_from(["http", "https", "HTTPS", "ftp", "xhttp", "h"]),
    st.lists(LABEL, min_size=1, max_size=3).map(".".join),
    TLD,
    PATH,
    AROUND,
)
TEXT = st.one_of(st.lists(st.sampled_from(PIECES), max_size=24).map("".join), URL)


@settings(max_examples=3000)
@given(TEXT)
@example("see https://example.com/a/b_c. Then")
@example("https://example.com/a.b-c, and https://x.org")
@example("https://a.io/x--y https://a.io/x---y https://a.io/x.-y")
@example("xhttps://example.com https://example.com:8080/a https://user@example.com")
@example("(https://example.com/a) https://example.com/é https://例え.jp")
def test_fast_path_makes_the_same_tokens_as_linkify_it(text: str) -> None:
    assert token_shape(FAST.parse(text)) == token_shape(SLOW.parse(text))
    assert token_shape(FAST.parseInline(text)) == token_shape(SLOW.parseInline(text))


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://a.b.example.org/x/y_z-1.html",
        "https://en.wikipedia.org/wiki/X",
    ],
)
def test_plain_urls_take_the_fast_path(url: str) -> None:
    """A fast path that never fires would pass the test above: these must take it."""
    assert FAST_URL.match(url + " ") is not None
    assert FAST_URL.match(url + ".") is not None


def test_the_benchmark_pages_and_the_fixtures_parse_the_same(tmp_path: Path) -> None:
    pages = [
        *bench_pages(tmp_path / "bench", 500, seed=7),
        *sorted((ROOT / "tests" / "fixtures").rglob("*.md")),
        *sorted((ROOT / "source").rglob("*.md")),
    ]
    assert len(pages) > 30
    fast_links = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert token_shape(FAST.parse(text)) == token_shape(SLOW.parse(text)), page
        starts = (m.start() for m in re.finditer(r"https?://", text))
        fast_links += sum(1 for start in starts if FAST_URL.match(text, start))
    assert fast_links > 500  # the path the benchmark measures is the one tested here


def test_an_unknown_rule_is_left_in_place() -> None:
    with guards_unknown("linkify"):
        md = _md(fast=True)
        rule = md.inline.ruler.__rules__[md.inline.ruler.__find__("linkify")]
        assert rule.fn.__module__ == "markdown_it.rules_inline.linkify"


def test_the_build_uses_it() -> None:
    tokens = markdown().parseInline("see https://example.com/x now")[0].children or []
    assert [t.type for t in tokens] == ["text", "link_open", "text", "link_close", "text"]
    assert tokens[1].attrs["href"] == "https://example.com/x"
    rule = markdown().inline.ruler.__rules__[markdown().inline.ruler.__find__("linkify")]
    assert rule.fn.__module__ == "ankigen._speed.linkify"
