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
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType

from ankigen._speed.guards import source_is_known
from ankigen._speed.tokens import blank_token, tokens_known

__all__ = [
    "KNOWN_SOURCES",
    "FastStateBlock",
    "FastTokenStateBlock",
    "fast_block_plugin",
    "line_table",
]

# SHA-256 of the sources of StateBlock.__init__, ParserBlock.parse and StateBlock.push this
# module repeats.
KNOWN_SOURCES = frozenset(
    {
        "9ef48cf73d0d04eb35af0cd42b1239ded43d879d39cfe3f1dc980d11039e7dc9",
        "4e45040d6ef3812149936931da2f29470a193bf31889309a020563daa3ad2fee",
        "0336fcb70f559c8345e199ba890ce459e69de284f9b94fb47aab00e77bbbb1b8",
    }
)

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
    return source_is_known(StateBlock.__init__, KNOWN_SOURCES) and source_is_known(
        ParserBlock.parse, KNOWN_SOURCES
    )


def _state_class() -> type[FastStateBlock]:
    known = tokens_known() and source_is_known(StateBlock.push, KNOWN_SOURCES)
    return FastTokenStateBlock if known else FastStateBlock


def fast_block_plugin(md: MarkdownIt) -> None:
    """``md`` parses blocks from a ``FastStateBlock`` (when markdown-it-py is 4.3)."""
    if not _known():
        return
    block = md.block
    state_class = _state_class()

    def parse(src: str, md: MarkdownIt, env: EnvType, out: list[Token]) -> list[Token] | None:
        if not src:
            return None
        state = state_class(src, md, env, out)
        block.tokenize(state, state.line, state.lineMax)
        return state.tokens

    block.parse = parse  # type: ignore[method-assign,assignment]
