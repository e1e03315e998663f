"""Python-Markdown's list rules where they differ from CommonMark in what a reader sees.

Python-Markdown (and so every mkdocs site) does not let a list interrupt a paragraph: the
lines ``Text:`` / ``- a`` / ``- b`` with no blank line between are one paragraph showing the
dashes. Inside a list item an indented list still nests.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.list import list_block

__all__ = ["list_marker_column", "pm_lists_plugin"]

_COLUMNS = "ankigen_list_columns"


def list_marker_column(state: StateBlock) -> int | None:
    """The column of the innermost enclosing list's marker, or None outside lists."""
    if state.listIndent < 0:
        return None
    columns = state.env.get(_COLUMNS)
    return columns[-1] if isinstance(columns, list) and columns else None


def _list(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    pos = state.bMarks[start_line] + state.tShift[start_line]
    first = state.src[pos : pos + 1]
    if not first or (first not in "*-+" and not "0" <= first <= "9"):
        return False  # no list marker here: the rule could only say no, more slowly
    if silent:
        if state.parentType == "paragraph" and state.listIndent < 0:
            return False  # would interrupt a paragraph outside any list item
        return list_block(state, start_line, end_line, silent)
    columns = state.env.setdefault(_COLUMNS, [])
    columns.append(state.sCount[start_line])
    try:
        return list_block(state, start_line, end_line, silent)
    finally:
        columns.pop()


def pm_lists_plugin(md: MarkdownIt) -> None:
    md.block.ruler.at("list", _list, {"alt": ["paragraph", "reference", "blockquote"]})
