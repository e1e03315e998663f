"""What the inline extension modules share: options, character classes, placeholders.

Python-Markdown replaces code spans, escapes, raw HTML, links, images, math, emoji, keys and
critic marks by placeholders (between STX and ETX) before its delimiter processor runs; the
stand-ins here let the inline rules see those places as the site's rules see them. None of
these rules fires inside code spans, code blocks or math: those are single tokens before any
of these rules could see their text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

__all__ = [
    "ATOMIC",
    "ETX",
    "PLACEHOLDER",
    "PLACEHOLDER_TYPES",
    "STX",
    "WORD",
    "Options",
    "is_punct",
    "is_space",
    "is_word",
    "option",
]


Options = Mapping[str, object]

# Stand-ins for "a placeholder starts / ends here" (Python-Markdown's STX / ETX).
STX = "\x02"
ETX = "\x03"
WORD = re.compile(r"\w")

# Tokens that Python-Markdown has turned into placeholders before its delimiter processor
# (priority 60) runs: code, escapes, raw HTML, links, images, math, emoji, keys, critic marks.
PLACEHOLDER_TYPES = frozenset(
    {
        "code_inline",
        "text_special",
        "html_inline",
        "image",
        "math_inline",
        "math_inline_double",
    }
)
PLACEHOLDER = "pymdownx_placeholder"


def option(options: Options, name: str, default: bool) -> bool:
    value = options.get(name, default)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def is_space(ch: str | None) -> bool:
    return ch is not None and ch.isspace()


def is_punct(ch: str | None) -> bool:
    """Unicode punctuation or symbol (CommonMark's definition, and pymdownx's ``PUNCT``)."""
    return ch is not None and ch not in (STX, ETX) and unicodedata.category(ch)[0] in "PS"


def is_word(ch: str | None) -> bool:
    return ch is not None and WORD.match(ch) is not None


ATOMIC = "pymdownx_atomic"  # text no later pattern may change (key labels)
