"""Arithmatex-style math for Anki's MathJax.

``$…$`` and ``\\(…\\)`` are inline, ``$$…$$`` and ``\\[…\\]`` display.

Everything between the delimiters is HTML-escaped (``<``, ``>``, ``&``) and wrapped in the
delimiters Anki's MathJax reads, ``\\(…\\)`` and ``\\[…\\]``. A lone ``$`` stays text.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
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


def _render_block(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Like arithmatex: the delimiters on lines of their own around the TeX.
    # dollarmath keeps a container's indentation in the content: drop it.
    tex = escapeHtml(textwrap.dedent(tokens[idx].content).strip())
    return f'<div class="arithmatex">\\[\n{tex}\n\\]</div>\n'


def math_plugin(md: MarkdownIt) -> None:
    dollarmath_plugin(
        md, allow_labels=False, allow_space=False, allow_digits=False, double_inline=True
    )
    md.inline.ruler.before("escape", "math_bracket", _bracket_rule)
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_inline_double", _render_display)
    md.add_render_rule("math_block", _render_block)
