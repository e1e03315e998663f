"""Python-Markdown's ``def_list``: ``Term`` lines + ``:   definition`` (indented 4 to continue)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.rules_block import StateBlock

from ankigen.syntax._blocks import (
    Options,
    interrupts_paragraph,
    line_text,
    next_nonblank,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


__all__ = ["def_list_plugin"]

_DD_MARKER = re.compile(r":[ \t]+")


def _dd_content(state: StateBlock, line: int, base: int) -> int | None:
    """Where a ``:   definition`` line's content starts, if ``line`` is one at ``base``."""
    if line >= state.lineMax or not 0 <= state.sCount[line] - base < 4:
        return None
    start = state.bMarks[line] + state.tShift[line]
    m = _DD_MARKER.match(state.src, start, state.eMarks[line])
    return m.end() if m else None


def _terms(state: StateBlock, start_line: int, end_line: int) -> tuple[int, int] | None:
    """``(first line after the terms, the definition's line)`` when ``start_line`` starts
    terms, else None. Terms are the lines of a paragraph; blank lines may separate them from
    the definition (Python-Markdown then takes the paragraph before as the terms)."""
    base = state.blkIndent
    line = start_line + 1
    while line < end_line and not state.isEmpty(line):
        if _dd_content(state, line, base) is not None:
            found = (line, line)
            break
        line += 1
    else:
        following = next_nonblank(state, line, end_line)
        if following >= end_line or _dd_content(state, following, base) is None:
            return None
        found = (line, following)
    # The terms must be one paragraph: no other block may start among them.
    for term in range(start_line + 1, found[0]):
        if interrupts_paragraph(state, term, end_line, "_deflist"):
            return None
    return found


def _push_dd(state: StateBlock, line: int, content: int, end_line: int, tight: bool) -> None:
    opening = state.push("dd_open", "dd", 1)
    opening.block = True
    first_token = len(state.tokens)
    saved = (
        state.bMarks[line],
        state.tShift[line],
        state.sCount[line],
        state.blkIndent,
        state.parentType,
        state.ddIndent,
    )
    state.blkIndent += 4
    state.ddIndent = state.blkIndent
    state.bMarks[line] = content
    state.tShift[line] = 0
    state.sCount[line] = state.blkIndent
    state.parentType = "deflist"
    state.md.block.tokenize(state, line, end_line)
    (
        state.bMarks[line],
        state.tShift[line],
        state.sCount[line],
        state.blkIndent,
        state.parentType,
        state.ddIndent,
    ) = saved
    opening.map = [line, state.line]
    # Python-Markdown leaves a lone first paragraph bare; more blocks wrap it in <p> too.
    if tight and len(state.tokens) == first_token + 3:
        first = state.tokens[first_token]
        if first.type == "paragraph_open":
            first.hidden = True
            state.tokens[first_token + 2].hidden = True
    closing = state.push("dd_close", "dd", -1)
    closing.block = True


_ANY_DD = re.compile(r"^[ \t]*:[ \t]", re.MULTILINE)
_HAS_DD = "ankigen_has_definition"


def _deflist(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    has_dd = state.env.get(_HAS_DD)
    if has_dd is None:  # once per page: most pages hold no `:   definition` line at all
        has_dd = state.env[_HAS_DD] = _ANY_DD.search(state.src) is not None
    if not has_dd:
        return False
    if silent:
        # Only as a paragraph terminator inside a definition: the next `:` line.
        return (
            state.ddIndent >= 0 and _dd_content(state, start_line, state.ddIndent - 4) is not None
        )
    base = state.blkIndent
    if state.sCount[start_line] - base >= 4:
        return False
    if _dd_content(state, start_line, base) is not None:
        # No terms: Python-Markdown still makes a definition list when the line follows
        # another block of the same container (a heading, a list, a box's title…).
        if not state.tokens or state.tokens[-1].nesting == 1:
            return False
        found: tuple[int, int] | None = (start_line, start_line)
    else:
        found = _terms(state, start_line, end_line)
    if found is None:
        return False

    opening = state.push("dl_open", "dl", 1)
    opening.block = True
    line = start_line
    while found is not None:
        terms_end, dd_line = found
        for term in range(line, terms_end):
            state.push("dt_open", "dt", 1).block = True
            inline = state.push("inline", "", 0)
            inline.content = line_text(state, term).strip()
            inline.map = [term, term + 1]
            inline.children = []
            state.push("dt_close", "dt", -1).block = True
        tight = terms_end == dd_line
        while True:
            content = _dd_content(state, dd_line, base)
            assert content is not None
            _push_dd(state, dd_line, content, end_line, tight)
            following = next_nonblank(state, state.line, end_line)
            if following < end_line and _dd_content(state, following, base) is not None:
                dd_line, tight = following, False
                continue
            break
        # A paragraph of terms with a definition right after a definition list continues it.
        line = next_nonblank(state, state.line, end_line)
        found = None
        if line < end_line and state.sCount[line] - base < 4:
            found = _terms(state, line, end_line)
    opening.map = [start_line, state.line]
    closing = state.push("dl_close", "dl", -1)
    closing.block = True
    return True


def def_list_plugin(md: MarkdownIt, options: Options) -> None:
    """Python-Markdown's ``def_list``: ``Term`` lines, then ``:`` + spaces + the definition."""
    md.block.ruler.before("lheading", "deflist", _deflist, {"alt": ["paragraph"]})
