"""Python-Markdown's ``abbr``: ``*[HTML]: Hyper Text Markup Language`` anywhere on the page wraps
every ``HTML`` word in ``<abbr title="…">``; the definition line itself shows nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ankigen.syntax._blocks import (
    Options,
    inline_tokens,
    line_text,
    text_token,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


__all__ = ["abbr_plugin"]

_ABBR_DEF = re.compile(r"\*\[([^\\]*?)\] ?:[ \t]*(.*)")
_ABBRS = "ankigen_abbr"


def _abbr_def(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # Python-Markdown wants the `*` at the very start of the block's line.
    if state.sCount[start_line] != state.blkIndent:
        return False
    text = line_text(state, start_line)
    if not text.startswith("*["):
        return False
    m = _ABBR_DEF.fullmatch(text.rstrip())
    if m is None:
        return False
    abbr, title = m.group(1).strip(), m.group(2).strip()
    used = 1
    if not title and start_line + 1 < end_line and not state.isEmpty(start_line + 1):
        title, used = line_text(state, start_line + 1).strip(), 2
    if not (abbr and title):
        return False
    if silent:
        return True
    definitions = state.env.setdefault(_ABBRS, [])
    assert isinstance(definitions, list)
    definitions.append((abbr, title))
    state.line = start_line + used
    return True


def _abbr_split(child: Token, pattern: re.Pattern[str], titles: Mapping[str, str]) -> list[Token]:
    out: list[Token] = []
    last = 0
    text = child.content
    for m in pattern.finditer(text):
        if m.start() > last:
            out.append(text_token(text[last : m.start()], child.level))
        opening = Token("abbr_open", "abbr", 1)
        opening.attrs = {"title": titles[m.group(0)]}
        out += [opening, text_token(m.group(0), child.level + 1), Token("abbr_close", "abbr", -1)]
        last = m.end()
    if not out:
        return [child]
    if last < len(text):
        out.append(text_token(text[last:], child.level))
    return out


def abbr_plugin(md: MarkdownIt, options: Options) -> None:
    """Python-Markdown's ``abbr`` (``glossary``); ``*[ABBR]: ""`` forgets an abbreviation."""
    glossary = options.get("glossary")

    def abbr(state: StateCore) -> None:
        titles: dict[str, str] = {}
        if isinstance(glossary, Mapping):
            titles.update({str(k): str(v) for k, v in glossary.items()})
        for name, title in state.env.get(_ABBRS, ()):
            if title in ("''", '""'):
                titles.pop(name, None)
            else:
                titles[name] = title
        titles = {name: title for name, title in titles.items() if title}
        if not titles:
            return
        names = sorted(titles, key=len, reverse=True)
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
        for inline in inline_tokens(state.tokens):
            children: list[Token] = []
            for child in inline.children or ():
                if child.type == "text" and not child.meta.get("raw"):
                    children += _abbr_split(child, pattern, titles)
                else:
                    children.append(child)
            inline.children = children

    md.block.ruler.before("lheading", "abbr_def", _abbr_def, {"alt": ["paragraph"]})
    md.core.ruler.push("abbr", abbr)
