"""Python-Markdown's hash headings where they differ from CommonMark in what a reader sees.

Python-Markdown (and so every mkdocs site) needs no space after the hashes: ``#0 Topics``
and ``##Intro`` are headings on the site, where CommonMark reads a paragraph. A heading
also ends what comes before it; read as a paragraph instead, the line took a list that
follows it into that paragraph (Python-Markdown lets no list interrupt one), and a card
nested in that list was lost. The CommonMark form (``# Topics``) is markdown-it's own rule.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.heading import heading

__all__ = ["pm_headings_plugin"]

# Python-Markdown's HashHeaderProcessor on one line: 1-6 hashes, the text (escapes kept
# whole), any closing hashes. Only the form without a space is ours.
_UNSPACED = re.compile(r"(#{1,6})(?=[^#\s])((?:\\.|[^\\])*?)#*")


def _heading(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[pos : pos + 1] != "#":
        return False
    if heading(state, start_line, end_line, silent):
        return True
    if state.sCount[start_line] != state.blkIndent:
        return False  # Python-Markdown reads hashes only at the start of the line
    found = _UNSPACED.fullmatch(state.src[pos : state.eMarks[start_line]].rstrip())
    if found is None:
        return False
    if silent:
        return True
    level = len(found.group(1))
    state.line = start_line + 1
    token = state.push("heading_open", f"h{level}", 1)
    token.markup = "#" * level
    token.map = [start_line, state.line]
    token = state.push("inline", "", 0)
    token.content = found.group(2).strip()
    token.map = [start_line, state.line]
    token.children = []
    token = state.push("heading_close", f"h{level}", -1)
    token.markup = "#" * level
    return True


def pm_headings_plugin(md: MarkdownIt) -> None:
    md.block.ruler.at("heading", _heading, {"alt": ["paragraph", "reference", "blockquote"]})
