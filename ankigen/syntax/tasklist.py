"""``pymdownx.tasklist``: ``- [ ] item`` / ``- [x] item`` -> a disabled checkbox."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ankigen.syntax._blocks import (
    Options,
    bool_option,
    enclosing,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.utils import EnvType, OptionsDict


__all__ = ["tasklist_plugin"]

_CHECKBOX = re.compile(r"(?P<checkbox> *\[(?P<state>[ xX])\] +)(?P<line>.*)", re.DOTALL)


def _checkbox_html(checked: bool, options: Options) -> str:
    disabled = "" if bool_option(options, "clickable_checkbox", False) else " disabled"
    box = '<input type="checkbox"{}{}/>'.format(disabled, " checked" if checked else "")
    if bool_option(options, "custom_checkbox", False):
        indicator = '<span class="task-list-indicator"></span>'
        box = f'<label class="task-list-control">{box}{indicator}</label>'
    return box + " "


def tasklist_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.tasklist`` (``custom_checkbox``, ``clickable_checkbox``)."""

    def tasklist(state: StateCore) -> None:
        tokens = state.tokens
        for i, token in enumerate(tokens):
            if token.type != "list_item_open" or i + 2 >= len(tokens):
                continue
            if tokens[i + 1].type != "paragraph_open" or tokens[i + 2].type != "inline":
                continue
            inline = tokens[i + 2]
            m = _CHECKBOX.match(inline.content)
            children = inline.children or []
            if m is None or not children or children[0].type != "text":
                continue
            first = children[0]
            if not first.content.startswith(m.group("checkbox")):
                continue
            first.content = first.content[len(m.group("checkbox")) :]
            box = Token("task_checkbox", "input", 0)
            box.content = _checkbox_html(m.group("state") in "xX", options)
            inline.children = [box, *children]
            token.attrJoin("class", "task-list-item")
            parent = enclosing(tokens, i)
            if parent is not None:
                classes = str(tokens[parent].attrGet("class") or "").split()
                if "task-list" not in classes:
                    tokens[parent].attrJoin("class", "task-list")

    md.core.ruler.after("inline", "pymdownx_tasklist", tasklist)
    md.add_render_rule("task_checkbox", _render_checkbox)


def _render_checkbox(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return tokens[idx].content
