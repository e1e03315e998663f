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

# Characters mdurl.encode leaves alone, minus `%` (escapes are re-checked) and `@` (auth).
# A URL made only of these comes out of markdown-it's normalisers unchanged; property-tested
# against the slow path in tests/test_render.py.
_PLAIN_URL = re.compile(r"[A-Za-z0-9;/?:&=+$,\-_.!~*'()#]*")


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
