"""markdown-it's ``normalize`` core rule, run only on text it could change.

The rule (4.x) makes two regex passes over the whole text, the first replacing every "\\n"
by itself: a new page-sized string per parse. With neither "\\r" nor NUL in the text it
changes nothing, and is skipped. Installed only over the rule it stands in for (digest).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_core.normalize import normalize

from ankigen._speed.guards import known

__all__ = ["fast_normalize_plugin", "normalize_when_needed"]


def normalize_when_needed(state: StateCore) -> None:
    if "\r" in state.src or "\0" in state.src:
        normalize(state)


def fast_normalize_plugin(md: MarkdownIt) -> None:
    if known("normalize"):
        md.core.ruler.at("normalize", normalize_when_needed)
