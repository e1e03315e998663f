"""GitHub/Obsidian callouts of ``pymdownx.quotes`` (``callouts: true``): quotes drawn as boxes.

A block quote whose first line is ``[!type] Title`` is an admonition box of that type
(``<div class="admonition type">``); ``[!type]-`` makes a closed ``<details>`` and ``[!type]+``
an open one. ``[!note | question]`` gives the box both classes. With no title the site shows
the first type, title-cased, and the card is untitled (its first body block is the question)::

    > [!question] Why does ice float?
    > It is less dense than liquid water.

The rule runs on the block tokens, before inline parsing: a matching ``blockquote_open`` …
``blockquote_close`` becomes the same ``admonition_open`` … ``admonition_close`` tokens as
``!!!`` / ``???`` (with a :class:`CalloutHeader`), the title line becomes the box title and
the rest of that first paragraph a paragraph of its own, as in pymdownx.quotes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from markdown_it.token import Token

from ankigen.syntax.admonition import AdmonitionHeader

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

__all__ = ["CalloutHeader", "callouts_plugin", "parse_callout_line"]

# pymdownx.quotes' RE_CALLOUT, on the first line of a quote's text (``>`` removed).
_CALLOUT = re.compile(r"\[!([\w-]+(?: *\| *[\w-]+)*)]([-+])?(.*)")


class CalloutHeader(AdmonitionHeader):
    """A callout box: ``title`` None when the line gives none (the site then shows the first
    type, title-cased)."""

    __slots__ = ()

    @property
    def shown_title(self) -> str:
        if self.title is None:
            return self.kind.title()
        return self.title


def parse_callout_line(line: str) -> CalloutHeader | None:
    """The callout a quote's first line (without ``>``) opens, if any."""
    m = _CALLOUT.match(line.lstrip(" "))
    if m is None:
        return None
    classes = tuple(part.strip().lower() for part in m.group(1).split("|"))
    marker = {"-": "???", "+": "???+"}.get(m.group(2) or "", "!!!")
    title = m.group(3).strip()
    return CalloutHeader(marker, classes, title or None)


def _close_of(tokens: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].type == "blockquote_open":
            depth += 1
        elif tokens[index].type == "blockquote_close":
            depth -= 1
            if depth == 0:
                return index
    raise AssertionError("markdown-it produced an unclosed block quote")  # pragma: no cover


def _title_tokens(header: CalloutHeader, level: int, line: int) -> list[Token]:
    opening = Token("admonition_title_open", "", 1)
    opening.meta = {"marker": header.marker}
    opening.map = [line, line + 1]
    opening.level = level
    inline = Token("inline", "", 0)
    inline.content = header.shown_title
    inline.children = []
    inline.map = [line, line + 1]
    inline.level = level + 1
    closing = Token("admonition_title_close", "", -1)
    closing.meta = {"marker": header.marker}
    closing.level = level
    return [opening, inline, closing]


def _rule(state: StateCore) -> None:
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token.type != "blockquote_open" or index + 1 >= len(tokens):
            continue
        paragraph, inline = tokens[index], tokens[index + 1]
        if paragraph.type != "paragraph_open" or inline.type != "inline":
            continue
        first, _, rest = inline.content.partition("\n")
        header = parse_callout_line(first)
        if header is None:
            continue
        close = _close_of(tokens, index - 1)
        line = (token.map or [0, 0])[0]
        token.type, token.tag = "admonition_open", "div"
        token.markup = header.marker
        token.info = " ".join(header.classes)
        title_line = paragraph.map[0] if paragraph.map is not None else line
        token.meta = {
            "header": header,
            "col": _column(state.src, line),
            "title_line": title_line,  # 0-based line of `[!type]` (a `>` line may be above)
        }
        tokens[close].type, tokens[close].tag = "admonition_close", "div"
        tokens[close].markup = header.marker
        title = _title_tokens(header, paragraph.level, title_line)
        if rest.strip():
            inline.content = rest
            if paragraph.map is not None:
                paragraph.map = [paragraph.map[0] + 1, paragraph.map[1]]
                inline.map = paragraph.map
            tokens[index:index] = title
        else:  # the paragraph was the title line alone
            tokens[index : index + 3] = title


def _column(src: str, line: int) -> int:
    """1-based column of the ``>`` opening the quote on ``line``."""
    text = src.split("\n", line + 1)[line] if line >= 0 else ""
    return max(text.find(">"), 0) + 1


def callouts_plugin(md: MarkdownIt, options: Mapping[str, object]) -> None:
    """pymdownx.quotes: callouts when its ``callouts`` option is on (plain quotes otherwise)."""
    if options.get("callouts") is True:
        md.core.ruler.after("block", "pymdownx_callouts", _rule)
