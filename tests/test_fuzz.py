"""Arbitrary text through the pure pipeline: only our diagnostics, and cards point at markers."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ankigen.cards.page import render_page
from ankigen.syntax.admonition import parse_marker_line

PIECES = [
    '??? question "Q?"',
    "???+ faq",
    '!!! help ""',
    "??? note",
    "    ",
    "\t",
    "",
    "\n",
    "    answer",
    "        code",
    "* https://a.example/",
    "Read more:",
    "```",
    "~~~",
    "$",
    "$$",
    "\\(",
    "\\]",
    "| a | b |",
    "|---|---|",
    "1. item",
    "> quote",
    "<details>",
    "**",
    "[x](https://x.example/)",
    '"',
    "é",
    "\u0301",
    "\r\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40))
@example(['??? question "Q?"', "<details>", "```", "```"])  # a fence in raw HTML, once a crash
def test_any_text_renders_and_every_card_sits_on_a_card_marker(parts: list[str]) -> None:
    text = "\n".join(parts).replace("\r\n", "\n").replace("\r", "\n")  # as read_source does
    result = render_page(text)
    lines = text.split("\n")
    for card in result.cards:
        marker = lines[card.line - 1][card.col - 1 :]
        header = parse_marker_line(marker.expandtabs(4).lstrip())
        assert header is not None, (card.line, marker)
        assert header.kind == card.kind in ("question", "help", "faq")
    for diag in result.diagnostics:
        assert diag.line is not None and 1 <= diag.line <= len(lines)
