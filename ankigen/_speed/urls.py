"""markdown-it's link normalisers skipped for URLs they return unchanged.

mdurl's parse/format round trip runs for every link; an http(s) URL with a plain lower-case
host and path/query characters ``mdurl.encode`` keeps as they are (no ``%``, ``@`` or
non-ASCII), or a plain relative path, comes back as it went in. Property-tested against the
slow path in tests/test_render.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt

__all__ = ["PLAIN_URL", "fast_urls", "with_ascii_fast_path"]

PLAIN_URL = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9\-.]*[a-z0-9])?(?::[0-9]{1,5})?"
    r"(?:[/?#][A-Za-z0-9;/?:&=+$,\-_.!~*'()#]*)?"
    r"|[A-Za-z0-9\-_.~/]+(?:#[A-Za-z0-9\-_.~]*)?"
)


def with_ascii_fast_path(slow: Callable[[str], str]) -> Callable[[str], str]:
    def normalize(url: str) -> str:
        return url if PLAIN_URL.fullmatch(url) else slow(url)

    return normalize


def fast_urls(md: MarkdownIt) -> None:
    md.normalizeLink = with_ascii_fast_path(md.normalizeLink)  # type: ignore[method-assign,assignment]
    md.normalizeLinkText = with_ascii_fast_path(md.normalizeLinkText)  # type: ignore[method-assign,assignment]
