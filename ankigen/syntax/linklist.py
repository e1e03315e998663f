"""The link-list rule: which blocks of a box hold only links, and which paragraph labels them.

A box's trailing link list (its Links field) is the run of blocks at its end that hold
nothing but links or bare URLs (a paragraph, or a list whose every item is one such
paragraph), optionally introduced by a short label paragraph ending in a colon ("Read more:",
"References:"). Links inside prose are not a link list. The card splitter takes the list off
a card's answer; the footnotes extension places a box's notes before it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from ankigen.records import Link

__all__ = ["blocks", "is_label", "link_only", "spans"]

_URL = re.compile(r"https?://\S+")
_LABEL_MAX_WORDS = 6


def spans(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """The [start, end) token index ranges of a run's top-level blocks."""
    out: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for i, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:  # back at the top: a block ends here
            out.append((start, i + 1))
            start = i + 1
    return out


def blocks(tokens: Sequence[Token]) -> list[tuple[Token, ...]]:
    """Group a token run into its top-level blocks."""
    return [tuple(tokens[a:b]) for a, b in spans(tokens)]


def _paragraph_links(block: Sequence[Token]) -> list[Link] | None:
    if len(block) != 3 or block[0].type != "paragraph_open":
        return None
    children = block[1].children or []
    found: list[Link] = []
    i = 0
    while i < len(children):
        child = children[i]
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            text: list[str] = []
            i += 1
            while i < len(children) and children[i].type != "link_close":
                inner = children[i]
                if inner.type not in ("text", "code_inline", "softbreak"):
                    return None
                text.append(inner.content if inner.type != "softbreak" else " ")
                i += 1
            found.append(Link(href=href, text="".join(text).strip() or href))
        elif child.type == "text":
            for word in child.content.split():
                if not _URL.fullmatch(word):
                    return None
                found.append(Link(href=word, text=word))
        elif child.type not in ("softbreak", "hardbreak"):
            return None
        i += 1
    return found or None


def _list_links(block: Sequence[Token]) -> list[Link] | None:
    if block[0].type not in ("bullet_list_open", "ordered_list_open"):
        return None
    found: list[Link] = []
    for item in blocks(block[1:-1]):
        inner = blocks(item[1:-1])
        if len(inner) != 1:
            return None
        links = _paragraph_links(inner[0])
        if links is None:
            return None
        found.extend(links)
    return found or None


def link_only(block: Sequence[Token]) -> list[Link] | None:
    """The links of a block made only of links, else None."""
    return _paragraph_links(block) or _list_links(block)


def is_label(block: Sequence[Token]) -> bool:
    if len(block) != 3 or block[0].type != "paragraph_open":
        return False
    children = block[1].children or []
    if any(
        c.type not in ("text", "softbreak", "strong_open", "strong_close", "em_open", "em_close")
        for c in children
    ):
        return False
    text = block[1].content.strip()
    return text.endswith(":") and len(text.split()) <= _LABEL_MAX_WORDS
