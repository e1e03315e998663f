"""``pymdownx.smartsymbols``: ``(c)``, ``-->``, ``1/4``, ``2nd`` … -> the symbol."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markdown_it.token import Token

from ankigen.syntax._inline import (
    ATOMIC,
    Options,
    option,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore


__all__ = ["smartsymbols_plugin"]

Piece = tuple[str, str]  # (kind, text): kind "text" (still open), "done", or "sup"


def _ordinal(m: re.Match[str]) -> list[Piece] | None:
    number, suffix = m.group(1), m.group(2)
    if number != "0" and number.startswith("0"):
        return None
    last = number[-1]
    teen = len(number) > 1 and number[-2] == "1" and last in "123"
    expected = {"1": "st", "2": "nd", "3": "rd"}.get(last, "th")
    if suffix != expected and not (teen and suffix == "th"):
        return None
    return [("done", number), ("sup", suffix)]


def _fixed(symbol: str) -> Callable[[re.Match[str]], list[Piece] | None]:
    return lambda m: [("done", symbol)]


_FRACTIONS = {
    "1/4": "\u00bc", "1/2": "\u00bd", "3/4": "\u00be", "1/3": "\u2153", "2/3": "\u2154",
    "1/5": "\u2155", "2/5": "\u2156", "3/5": "\u2157", "4/5": "\u2158", "1/6": "\u2159",
    "5/6": "\u215a", "1/8": "\u215b", "3/8": "\u215c", "5/8": "\u215d", "7/8": "\u215e",
}  # fmt: skip
_ARROWS = {"-->": "\u2192", "<--": "\u2190", "<-->": "\u2194"}

# pymdownx.smartsymbols' options, in the order its patterns apply.
_SYMBOLS: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], list[Piece] | None]], ...] = (
    ("trademark", re.compile(r"\(tm\)"), _fixed("\u2122")),
    ("copyright", re.compile(r"\(c\)"), _fixed("\u00a9")),
    ("registered", re.compile(r"\(r\)"), _fixed("\u00ae")),
    ("plusminus", re.compile(r"\+/-"), _fixed("\u00b1")),
    (
        "arrows",
        re.compile(r"<-->|(?<!-)-->|<--(?!-)"),
        lambda m: [("done", _ARROWS[m.group(0)])],
    ),
    ("notequal", re.compile(r"=/="), _fixed("\u2260")),
    (
        "fractions",
        re.compile(r"(?<!\d)(?:[1-7]/[2-8])(?!\d)"),
        lambda m: [("done", _FRACTIONS[m.group(0)])] if m.group(0) in _FRACTIONS else None,
    ),
    ("ordinal_numbers", re.compile(r"\b([0-9]+)(st|nd|rd|th)\b"), _ordinal),
    ("care_of", re.compile(r"\bc/o\b"), _fixed("\u2105")),
)


# Matches wherever any of the patterns above could: most text has none, and skips them all.
_ANY_SYMBOL = re.compile(r"\((?:tm|c|r)\)|\+/-|-->|<--|=/=|\d/\d|\d(?:st|nd|rd|th)|c/o")


def _apply_symbols(
    text: str,
    patterns: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], list[Piece] | None]]],
) -> list[Piece]:
    pieces: list[Piece] = [("text", text)]
    if not _ANY_SYMBOL.search(text):
        return pieces
    for pattern, replace in patterns:
        out: list[Piece] = []
        for kind, part in pieces:
            if kind != "text":
                out.append((kind, part))
                continue
            last = 0
            for m in pattern.finditer(part):
                replacement = replace(m)
                if replacement is None:
                    continue
                if m.start() > last:
                    out.append(("text", part[last : m.start()]))
                out.extend(replacement)
                last = m.end()
            if last < len(part):
                out.append(("text", part[last:]))
        pieces = out
    return pieces


def smartsymbols_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.smartsymbols``: ``(c)`` ``(tm)`` ``(r)`` ``c/o`` ``+/-`` ``-->`` ``<--``
    ``<-->`` ``=/=`` ``1/4`` … ``1st`` … in text (never in code, math, URLs of autolinks)."""
    patterns = [
        (pattern, replace) for name, pattern, replace in _SYMBOLS if option(options, name, True)
    ]

    def rule(state: StateCore) -> None:
        for block in state.tokens:
            # The block's source holds every text its children can hold: most has no symbol.
            if block.type == "inline" and block.children and _ANY_SYMBOL.search(block.content):
                block.children = _symbols_in(block.children, patterns)

    md.core.ruler.before("text_join", "pymdownx_smartsymbols", rule)


def _symbols_in(
    children: list[Token],
    patterns: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], list[Piece] | None]]],
) -> list[Token]:
    out: list[Token] = []
    run: list[Token] = []
    atomic = 0  # inside an autolink or a key label

    def flush() -> None:
        if not run:
            return
        text = "".join(token.content for token in run)
        pieces = _apply_symbols(text, patterns)
        if len(pieces) == 1 and pieces[0][0] == "text":
            out.extend(run)
        else:
            level = run[0].level
            for kind, part in pieces:
                if kind == "sup":
                    out.append(Token("sup_open", "sup", 1, level=level, markup=""))
                    out.append(Token("text", "", 0, level=level + 1, content=part))
                    out.append(Token("sup_close", "sup", -1, level=level, markup=""))
                else:
                    out.append(Token("text", "", 0, level=level, content=part))
        run.clear()

    for token in children:
        if token.nesting > 0 and (token.meta.get(ATOMIC) or token.markup == "autolink"):
            atomic += 1
        elif token.nesting < 0 and (token.meta.get(ATOMIC) or token.markup == "autolink"):
            atomic -= 1
        if token.type == "text" and not atomic and not token.meta.get(ATOMIC):
            run.append(token)
            continue
        flush()
        out.append(token)
    flush()
    return out
