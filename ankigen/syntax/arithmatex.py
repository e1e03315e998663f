"""Arithmatex-style math for Anki's MathJax.

``$…$`` and ``\\(…\\)`` are inline, ``$$…$$`` and ``\\[…\\]`` display.

Everything between the delimiters is HTML-escaped (``<``, ``>``, ``&``) and wrapped in the
delimiters Anki's MathJax reads, ``\\(…\\)`` and ``\\[…\\]``. A lone ``$`` stays text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = ["display_math", "inline_math", "math_plugin"]

_CLOSERS = {"(": "\\)", "[": "\\]"}


def inline_math(tex: str) -> str:
    return f"\\({escapeHtml(tex)}\\)"


def display_math(tex: str) -> str:
    return f"\\[{escapeHtml(tex)}\\]"


def _bracket_rule(state: StateInline, silent: bool) -> bool:
    """``\\(…\\)`` and ``\\[…\\]`` inside a paragraph (before the escape rule eats ``\\(``)."""
    pos = state.pos
    src = state.src
    if src[pos] != "\\" or pos + 1 >= state.posMax or src[pos + 1] not in _CLOSERS:
        return False
    opener = src[pos + 1]
    end = src.find(_CLOSERS[opener], pos + 2, state.posMax)
    if end < 0 or end == pos + 2:
        return False
    if not silent:
        token = state.push("math_inline" if opener == "(" else "math_inline_double", "math", 0)
        token.content = src[pos + 2 : end]
        token.markup = "\\" + opener
    state.pos = end + 2
    return True


def _render_inline(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return inline_math(tokens[idx].content)


def _render_display(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return display_math(tokens[idx].content.strip("\n"))


# Arithmatex's block forms: a whole blank-line-separated block that is exactly one of them.
_DISPLAY_BLOCK = re.compile(
    r"(?s)^(?:"
    r"(?P<dollar>\$\$)(?P<math>(?:\\.|[^\\])+?)\$\$"
    r"|\\\[(?P<math3>(?:\\[^\]]|[^\\])+?)\\\]"
    r"|(?P<math2>\\begin\{(?P<env>[a-z]+\*?)\}(?:\\.|[^\\])+?\\end\{(?P=env)\})"
    r")[ ]*$"
)


def _display_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A block that is exactly ``$$ … $$``, ``\\[ … \\]`` or ``\\begin{env} … \\end{env}`` is
    display math, as arithmatex reads it: the whole blank-line-separated block must be the
    math, or it stays text (where ``$…$`` inside may still be inline math). The TeX keeps its
    spacing: what is between the delimiters, lines indented as in their container."""
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[pos : pos + 1] not in ("$", "\\") or state.is_code_block(start_line):
        return False  # every display block starts with "$$" or a backslash
    if state.src[pos : pos + 2] not in ("$$", "\\[", "\\b"):
        return False
    line = start_line
    while line < end_line and not state.isEmpty(line):
        line += 1
    block = state.getLines(start_line, line, state.blkIndent, False)
    found = _DISPLAY_BLOCK.match(block.strip("\n").lstrip(" "))
    if found is None:
        return False
    if silent:
        return True
    tex = found.group("math") or found.group("math2") or found.group("math3") or ""
    token = state.push("math_display_raw", "div", 0)
    token.content = display_math(tex)
    token.block = True
    token.map = [start_line, line]
    state.line = line
    return True


def _render_display_raw(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="arithmatex">{tokens[idx].content}</div>\n'


def math_plugin(md: MarkdownIt) -> None:
    # allow_digits=True, as arithmatex has no rule about digits around the dollars (a price
    # like "$5 and $10" stays text for the space before the second "$"). dollarmath's digit
    # check also read src[pos - 1] at position 0, the paragraph's *last* character, so
    # "- $CH_4$: 2226" stayed text.
    # $$…$$ inside a paragraph is no display math for arithmatex: its inline syntax is $…$
    # and \(…\) only. Display blocks are read by _display_block_rule, not dollarmath's.
    dollarmath_plugin(
        md, allow_labels=False, allow_space=False, allow_digits=True, double_inline=False
    )
    md.block.ruler.disable("math_block")
    md.inline.ruler.before("escape", "math_bracket", _bracket_rule)
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_inline_double", _render_display)
    md.block.ruler.before("paragraph", "math_display", _display_block_rule)
    md.add_render_rule("math_display_raw", _render_display_raw)
