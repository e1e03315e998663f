"""markdown-it's block state with its line table made by string methods.

``StateBlock.__init__`` walks the leading spaces of every line character by character, in
Python, to find where each line's text starts and how far it is indented (tabs to the next
multiple of 4): ~2% of a build, whose pages are indented answers. Here each line is split
off and stripped with ``str`` methods, and tabs are only walked in lines whose indent has
one. The table is the same, entry for entry (``tests/test_fastblock.py``). Its tokens are
made by ``fasttoken.blank_token`` (``FastTokenStateBlock``) where that is known to be exact.

Installed only over the markdown-it-py code it repeats (``StateBlock.__init__``,
``ParserBlock.parse`` and, for the tokens, ``StateBlock.push`` of 4.3, checked by digest):
other versions keep their own.
"""

from __future__ import annotations

from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType

from ankigen._speed.guards import known
from ankigen._speed.tokens import blank_token, tokens_known

__all__ = [
    "FastStateBlock",
    "FastTokenStateBlock",
    "fast_block_plugin",
    "line_table",
]

LineTable = tuple[list[int], list[int], list[int], list[int], list[int]]


def line_table(src: str) -> LineTable:
    """bMarks, eMarks, tShift, sCount and bsCount of ``src``, as ``StateBlock`` makes them:
    a last line of only spaces and tabs with no newline gets no entry, and a fake line at the
    end simplifies bounds checks."""
    begins: list[int] = []
    ends: list[int] = []
    shifts: list[int] = []
    counts: list[int] = []
    length = len(src)
    start = 0
    for line in src.split("\n"):
        if start >= length:
            break
        end = start + len(line)
        text = line.lstrip(" \t")
        indent = len(line) - len(text)
        if not text and end == length:
            break
        offset = indent
        if indent and "\t" in line[:indent]:
            offset = 0
            for char in line[:indent]:
                offset += 4 - offset % 4 if char == "\t" else 1
        begins.append(start)
        ends.append(end)
        shifts.append(indent)
        counts.append(offset)
        start = end + 1
    begins.append(length)
    ends.append(length)
    shifts.append(0)
    counts.append(0)
    return begins, ends, shifts, counts, [0] * len(begins)


class FastStateBlock(StateBlock):
    def __init__(self, src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> None:
        super().__init__("", md, env, tokens)  # every other field as markdown-it sets it
        self.src = src
        self.bMarks, self.eMarks, self.tShift, self.sCount, self.bsCount = line_table(src)
        self.lineMax = len(self.bMarks) - 1


class FastTokenStateBlock(FastStateBlock):
    """``FastStateBlock`` whose tokens are made by ``fasttoken.blank_token``."""

    def push(self, ttype: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
        token = blank_token(ttype, tag, nesting)
        token.block = True
        if nesting < 0:
            self.level -= 1
        token.level = self.level
        if nesting > 0:
            self.level += 1
        self.tokens.append(token)
        return token


def _known() -> bool:
    return known("blocks", "markdown_it.rules_block.state_block:StateBlock.__init__") and known(
        "blocks", "markdown_it.parser_block:ParserBlock.parse"
    )


def _state_class(tokens: bool) -> type[FastStateBlock]:
    exact = known("blocks", "markdown_it.rules_block.state_block:StateBlock.push")
    return FastTokenStateBlock if tokens and exact and tokens_known() else FastStateBlock


def fast_block_plugin(md: MarkdownIt, *, tokens: bool = True) -> None:
    """``md`` parses blocks from a ``FastStateBlock`` (when markdown-it-py is 4.3); with
    ``tokens``, its tokens are made by ``blank_token``."""
    if not _known():
        return
    block = md.block
    state_class = _state_class(tokens)

    def parse(src: str, md: MarkdownIt, env: EnvType, out: list[Token]) -> list[Token] | None:
        if not src:
            return None
        state = state_class(src, md, env, out)
        block.tokenize(state, state.line, state.lineMax)
        return state.tokens

    block.parse = parse  # type: ignore[method-assign,assignment]
