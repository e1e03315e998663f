"""``pymdownx.emoji``: ``:smile:`` -> the Unicode character itself (cards work offline: no
image, no CDN), from pymdown-extensions' own emoji indexes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from markdown_it.rules_inline import StateInline

from ankigen.syntax._inline import (
    PLACEHOLDER,
    Options,
    option,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


__all__ = ["emoji_char", "emoji_plugin"]

_SHORTCODE = re.compile(r":[+\-\w]+:")


@lru_cache(maxsize=4)
def _emoji_index(name: str) -> tuple[Mapping[str, Mapping[str, str]], Mapping[str, str]]:
    module = {"gemoji": "gemoji_db", "twemoji": "twemoji_db"}.get(name, "emoji1_db")
    db: Any = importlib.import_module(f"pymdownx.{module}")  # loaded once, on first use
    return db.emoji, db.aliases


def _index_name(configured: object) -> str:
    """emojione when nothing is configured (pymdownx's default); gemoji or emojione when the
    configured index says so; any other index (mkdocs-material's, twemoji, custom) twemoji."""
    if configured is None:
        return "emojione"
    text = str(configured).lower()
    for name in ("gemoji", "emojione"):
        if name in text:
            return name
    return "twemoji"


def emoji_char(
    shortcode: str, index: str = "emojione", remove_variation_selector: bool = False
) -> str | None:
    """The Unicode text of ``:shortcode:`` in an index, or None when it has none."""
    emoji, aliases = _emoji_index(index)
    entry = emoji.get(aliases.get(shortcode, shortcode))
    if entry is None:
        return None
    points = entry.get("unicode_alt", entry.get("unicode"))
    if not points:
        return None
    if remove_variation_selector:
        points = points.replace("-fe0f", "")
    return "".join(chr(int(point, 16)) for point in points.split("-"))


def emoji_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.emoji``: ``:shortcode:`` -> its Unicode character; unknown codes stay text.

    Whatever image generator the site configures, the card shows the character itself.
    """
    index = _index_name(options.get("emoji_index"))
    remove_vs = option(options, "remove_variation_selector", False)

    def rule(state: StateInline, silent: bool) -> bool:
        m = _SHORTCODE.match(state.src, state.pos, state.posMax)
        if m is None:
            return False
        if not silent:
            char = emoji_char(m.group(0), index, remove_vs)
            token = state.push("text", "", 0)
            # Python-Markdown consumes an unknown code too: no emoji starts inside it.
            token.content = m.group(0) if char is None else char
            token.meta = {PLACEHOLDER: True}
        state.pos = m.end()
        return True

    md.inline.ruler.before("emphasis", "pymdownx_emoji", rule)
