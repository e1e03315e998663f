"""The one markdown-it configuration every stage shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from markdown_it import MarkdownIt

from ankigen.admonition import admonition_plugin
from ankigen.highlight import highlight_plugin
from ankigen.mathjax import math_plugin

__all__ = ["markdown", "with_ascii_fast_path"]

# URLs that markdown-it's normalisers return unchanged: an http(s) URL with a plain lower-case
# host and path/query characters mdurl.encode keeps as they are (no `%`, `@` or non-ASCII), or
# a plain relative path. Property-tested against the slow path in tests/test_render.py.
_PLAIN_URL = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9\-.]*[a-z0-9])?(?::[0-9]{1,5})?"
    r"(?:[/?#][A-Za-z0-9;/?:&=+$,\-_.!~*'()#]*)?"
    r"|[A-Za-z0-9\-_.~/]+(?:#[A-Za-z0-9\-_.~]*)?"
)


def with_ascii_fast_path(slow: Callable[[str], str]) -> Callable[[str], str]:
    def normalize(url: str) -> str:
        return url if _PLAIN_URL.fullmatch(url) else slow(url)

    return normalize


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """CommonMark + tables + strikethrough + linkify (full URLs only) + admonitions + math."""
    md = MarkdownIt("commonmark", {"linkify": True, "html": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})  # type: ignore[union-attr]
    # Bare `scheme://` URLs are linked by the inline linkify rule. The core rule would only add
    # `mailto:` and `//host` text, at the price of a regex pass over every text token (a fifth
    # of parse time on large sites): off.
    md.core.ruler.disable("linkify")
    # mdurl's parse/format round trip costs ~10% of parsing; most URLs need none of it.
    md.normalizeLink = with_ascii_fast_path(md.normalizeLink)  # type: ignore[method-assign,assignment]
    md.normalizeLinkText = with_ascii_fast_path(md.normalizeLinkText)  # type: ignore[method-assign,assignment]
    admonition_plugin(md)
    math_plugin(md)
    highlight_plugin(md)
    return md
