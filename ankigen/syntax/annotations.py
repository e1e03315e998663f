"""mkdocs-material's annotations: ``(1)`` markers in a block with the class ``annotate``
(``{ .annotate }`` with attr_list, ``<div class="annotate" markdown>``), and the ordered list
right after that block, whose items are the annotations.

On the site, the theme's script turns each marker into a numbered button and the list into
the buttons' pop-ups; its HTML without the script shows ``(1)`` and the list. A card has no
script: each marker that has an item becomes a numbered superscript, ``<sup
class="annotation">1</sup>``, and the list stays below, numbered the same, so the card reads
like a footnoted text. Markers without an item, and blocks without a following list, stay
as the site's HTML has them. Code annotations (``# (1)`` in code blocks) are not read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.token import Token

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

__all__ = ["annotations_plugin"]

_MARKER = re.compile(r"\((\d+)\)")


def _annotated(token: Token) -> bool:
    classes = token.attrGet("class")
    return token.nesting == 1 and isinstance(classes, str) and "annotate" in classes.split()


def _close_of(tokens: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


def _items(tokens: list[Token], start: int) -> int:
    """How many items the ordered list opening at ``start`` holds."""
    level = tokens[start].level + 1
    end = _close_of(tokens, start)
    return sum(1 for t in tokens[start:end] if t.type == "list_item_open" and t.level == level)


def _marked(children: list[Token], count: int) -> list[Token]:
    out: list[Token] = []
    for child in children:
        if child.type != "text" or "(" not in child.content:
            out.append(child)
            continue
        last = 0
        for m in _MARKER.finditer(child.content):
            number = int(m.group(1))
            if not 1 <= number <= count:
                continue
            if m.start() > last:
                out.append(Token("text", "", 0, content=child.content[last : m.start()]))
            opening = Token("annotation_open", "sup", 1, attrs={"class": "annotation"})
            out += [opening, Token("text", "", 0, content=str(number))]
            out.append(Token("annotation_close", "sup", -1))
            last = m.end()
        if last == 0:
            out.append(child)
        elif last < len(child.content):
            out.append(Token("text", "", 0, content=child.content[last:]))
    return out


def _annotate(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if not _annotated(token):
            continue
        close = _close_of(tokens, index)
        following = close + 1
        if following >= len(tokens) or tokens[following].type != "ordered_list_open":
            continue
        count = _items(tokens, following)
        for inner in tokens[index:close]:
            if inner.type == "inline" and inner.children and "(" in inner.content:
                inner.children = _marked(inner.children, count)


def annotations_plugin(md: MarkdownIt) -> None:
    """Material's ``(1)`` annotations; a no-op on pages that have none."""
    if "material_annotations" not in md.core.ruler.get_all_rules():
        md.core.ruler.push("material_annotations", _annotate)
