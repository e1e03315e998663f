"""Arithmatex-style math for Anki's MathJax.

``$…$`` and ``\\(…\\)`` are inline, ``$$…$$`` and ``\\[…\\]`` display.

Everything between the delimiters is HTML-escaped (``<``, ``>``, ``&``) and wrapped in the
delimiters Anki's MathJax reads, ``\\(…\\)`` and ``\\[…\\]``. A lone ``$`` stays text.
"""

from __future__ import annotations

import re
import textwrap
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


def _render_block(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Like arithmatex: the delimiters on lines of their own around the TeX.
    # dollarmath keeps a container's indentation in the content: drop it.
    tex = escapeHtml(textwrap.dedent(tokens[idx].content).strip())
    return f'<div class="arithmatex">\\[\n{tex}\n\\]</div>\n'


_ENV_OPEN = re.compile(r"\\begin\{([a-z]+\*?)\}")


def _display_block_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A paragraph that is exactly ``\\[ … \\]`` or ``\\begin{env} … \\end{env}`` is display math.

    As arithmatex: the whole blank-line-separated block must be the math, or it stays text.
    """
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[pos : pos + 1] != "\\" or state.is_code_block(start_line):
        return False  # every display block starts with a backslash
    first = state.src[
        state.bMarks[start_line] + state.tShift[start_line] : state.eMarks[start_line]
    ]
    env = _ENV_OPEN.match(first)
    if first.startswith("\\["):
        closer = "\\]"
    elif env is not None:
        closer = f"\\end{{{env.group(1)}}}"
    else:
        return False
    opener_len = 2 if env is None else env.end()
    line = start_line
    while line < end_line and not state.isEmpty(line):
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]].rstrip()
        if text.endswith(closer) and (line > start_line or len(text) >= opener_len + len(closer)):
            break
        line += 1
    else:
        return False
    if line + 1 < end_line and not state.isEmpty(line + 1):
        return False  # more text follows in the same block: not math as a whole
    if silent:
        return True
    lines = [
        state.src[state.bMarks[n] + state.tShift[n] : state.eMarks[n]]
        for n in range(start_line, line + 1)
    ]
    raw = "\n".join(lines).rstrip()
    if env is None:
        tex = raw[2 : -len(closer)]
        html = f"\\[{escapeHtml(tex)}\\]"
    else:
        html = f"\\[{escapeHtml(raw)}\\]"
    token = state.push("math_display_raw", "div", 0)
    token.content = html
    token.block = True
    token.map = [start_line, line + 1]
    state.line = line + 1
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
    dollarmath_plugin(
        md, allow_labels=False, allow_space=False, allow_digits=True, double_inline=True
    )
    md.inline.ruler.before("escape", "math_bracket", _bracket_rule)
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_inline_double", _render_display)
    md.add_render_rule("math_block", _render_block)
    md.block.ruler.before("paragraph", "math_display", _display_block_rule)
    md.add_render_rule("math_display_raw", _render_display_raw)
