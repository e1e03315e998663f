"""markdown-it block rule for ``pymdownx.tabbed`` content tabs, shown as labelled sections.

A tab is a marker line ``=== "Title"`` (``===+`` selects it, ``===!`` starts a new tab set,
``===+!`` / ``===!+`` both) followed by its content indented four columns more than the
marker. Like pymdownx's processor, and like our admonition rule, blank lines and runs of them
never end a tab's content: the first non-blank line indented less does. A tab whose marker is
the next block after a tab set joins that set, unless it has ``!``.

A card has no JavaScript and no radio buttons, so a tab set becomes every tab one after the
other, each label a paragraph above its content::

    <div class="tabbed-set">
    <p class="tabbed-label">Title</p>
    <div class="tabbed-content">…</div>
    …
    </div>

That is also the reading order of pymdownx's classic layout (``alternate_style: false``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from markdown_it.rules_block import StateBlock

from ankigen.syntax.admonition import BODY_INDENT, indented_body_end, marker_column

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["TabMarker", "parse_tab_marker", "tabbed_plugin"]

# pymdownx.tabbed's START, anchored on one line: the title runs to the last quote.
_MARKER = re.compile(r'={3}(\+|\+!|!\+|!)? +"(.*)" *')


class TabMarker:
    """What a ``===`` line says: the tab's title and whether it starts a new tab set."""

    __slots__ = ("new_set", "selected", "title")

    def __init__(self, title: str, special: str) -> None:
        self.title = title
        self.new_set = "!" in special
        self.selected = "+" in special


def parse_tab_marker(line: str) -> TabMarker | None:
    """Parse a line (without indentation) that may open a tab."""
    if not line.startswith("==="):
        return None
    m = _MARKER.fullmatch(line.rstrip(" \t").replace("\t", " "))
    if m is None:
        return None
    return TabMarker(m.group(2), m.group(1) or "")


def _marker_at(state: StateBlock, line: int) -> TabMarker | None:
    # The marker sits exactly at the container's indentation, as Python-Markdown requires
    # (in a list item: 4 columns past the list marker, as for admonitions).
    if state.sCount[line] != marker_column(state):
        return None
    pos = state.bMarks[line] + state.tShift[line]
    return parse_tab_marker(state.src[pos : state.eMarks[line]])


def _body_end(state: StateBlock, start_line: int, end_line: int) -> int:
    """The line after the last line of the content that starts below ``start_line``."""
    return indented_body_end(state, start_line, end_line, state.sCount[start_line] + BODY_INDENT)


def _push_tab(state: StateBlock, line: int, marker: TabMarker, end: int) -> None:
    token = state.push("tabbed_label_open", "p", 1)
    token.attrSet("class", "tabbed-label")
    token.map = [line, line + 1]
    token.block = True
    token.meta = {"selected": marker.selected}
    token = state.push("inline", "", 0)
    token.content = marker.title
    token.map = [line, line + 1]
    token.children = []
    token = state.push("tabbed_label_close", "p", -1)
    token.block = True

    token = state.push("tabbed_content_open", "div", 1)
    token.attrSet("class", "tabbed-content")
    token.map = [line + 1, end]
    token.block = True
    old = (state.parentType, state.lineMax, state.blkIndent, state.listIndent)
    state.parentType = "tabbed"
    state.lineMax = end
    state.blkIndent = state.sCount[line] + BODY_INDENT
    state.listIndent = -1  # the tab is a fresh container, as in Python-Markdown
    state.md.block.tokenize(state, line + 1, end)
    state.parentType, state.lineMax, state.blkIndent, state.listIndent = old
    token = state.push("tabbed_content_close", "div", -1)
    token.block = True


def _next_block(state: StateBlock, line: int, end_line: int) -> int:
    while line < end_line and state.isEmpty(line):
        line += 1
    return line


def _rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    marker = _marker_at(state, start_line)
    if marker is None:
        return False
    if silent:
        return True

    opening = state.push("tabbed_set_open", "div", 1)
    opening.attrSet("class", "tabbed-set")
    opening.block = True
    line = start_line
    while True:
        end = _body_end(state, line, end_line)
        _push_tab(state, line, marker, end)
        state.line = end
        following = _next_block(state, end, end_line)
        if following >= end_line:
            break
        next_marker = _marker_at(state, following)
        if next_marker is None or next_marker.new_set:
            break
        line, marker = following, next_marker
    opening.map = [start_line, state.line]
    closing = state.push("tabbed_set_close", "div", -1)
    closing.block = True
    return True


def tabbed_plugin(md: MarkdownIt, options: Mapping[str, object]) -> None:
    """``pymdownx.tabbed``; its options (``alternate_style``, slugs) only change ids and the
    order of the site's markup, never which text belongs to which tab."""
    md.block.ruler.before(
        "fence", "tabbed", _rule, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
