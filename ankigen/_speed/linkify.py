"""markdown-it's inline linkify rule, with a fast path for plain ASCII ``http(s)`` URLs.

linkify-it validates every bare URL with one large Unicode-aware regex whose character
classes are tested by lookahead at each character: on pages full of "Read more" links it
was ~5% of a cold build. Most URLs are plain ASCII: host labels, a TLD, a path of word
characters, ended by whitespace or the end of the text, perhaps after one ``.`` or ``,``.
For those the link linkify-it would find is the whole match, so the rule takes it without
asking; anything else (ports, queries, user info, brackets, non-ASCII, other schemes) goes
to linkify-it as before. ``tests/test_speed_linkify.py`` holds the two paths to the same tokens
on generated text and on the benchmark's pages. The rule is only installed over the
markdown-it-py rule it repeats (4.0 to 4.3, checked by the source's digest); markdown-it-py
3 finds schemes differently, and keeps its own rule.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.linkify import SCHEME_RE
from markdown_it.rules_inline.linkify import linkify as linkify_it_rule

from ankigen._speed.guards import known

__all__ = ["FAST_URL", "fast_linkify_plugin", "linkify"]

_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
FAST_URL = re.compile(
    rf"https?://{_LABEL}(?:\.{_LABEL})*\.[a-z]{{2,24}}"
    r"(?:/(?:[A-Za-z0-9_~/]|[.\-](?=[A-Za-z0-9_~/]))*)?"
    r"(?=[.,]?(?:\s|$))"
)


def linkify(state: StateInline, silent: bool) -> bool:
    """The same tokens as ``markdown_it.rules_inline.linkify``, faster for plain URLs."""
    pos = state.pos
    if pos + 3 > state.posMax or not state.src.startswith("://", pos):
        return False
    if not state.md.options.linkify or state.linkLevel > 0:
        return False
    scheme = SCHEME_RE.search(state.pending)
    if scheme is None:
        return False
    proto = scheme.group(1)
    fast = FAST_URL.match(state.src, pos - len(proto))
    if fast is None:
        return linkify_it_rule(state, silent)
    url = fast.group()
    full_url = state.md.normalizeLink(url)
    if not state.md.validateLink(full_url):
        return False
    if not silent:
        state.pending = state.pending[: -len(proto)]
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": full_url}
        token.markup = "linkify"
        token.info = "auto"
        token = state.push("text", "", 0)
        token.content = state.md.normalizeLinkText(url)
        token = state.push("link_close", "a", -1)
        token.markup = "linkify"
        token.info = "auto"
    state.pos += len(url) - len(proto)
    return True


def fast_linkify_plugin(md: MarkdownIt) -> None:
    if known("linkify"):
        md.inline.ruler.at("linkify", linkify)
