"""``pymdownx.critic``: ``{++ins++}``, ``{--del--}``, ``{~~old~>new~~}``, ``{==mark==}``,
``{>>comment<<}`` in the extension's default ``view`` mode (or ``accept`` / ``reject``).
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ankigen.syntax._inline import (
    PLACEHOLDER,
    Options,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.utils import EnvType, OptionsDict


__all__ = ["critic_plugin"]

_CRITIC_CLOSERS = {"++": "++}", "--": "--}", "==": "==}", ">>": "<<}", "~~": "~~}"}
_CRITIC_TAGS = {"++": "ins", "--": "del", "==": "mark"}


def critic_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.critic``: CriticMarkup, shown the way the extension's ``mode`` says.

    ``view`` (the default) shows insertions as ``<ins class="critic">``, deletions as
    ``<del class="critic">``, a substitution as both, highlights as ``<mark class="critic">``
    and comments as ``<span class="critic comment">``; ``accept`` / ``reject`` show the text
    after accepting / rejecting every change, without comments.
    """
    mode = str(options.get("mode", "view")).strip().lower()
    if mode not in ("view", "accept", "reject"):
        mode = "view"
    # (kind, end of the searched text) with no closer left: no later opener can close either.
    dead: weakref.WeakKeyDictionary[StateInline, set[tuple[str, int]]] = weakref.WeakKeyDictionary()
    inside = [0]  # marks do not nest: no mark starts inside another

    def rule(state: StateInline, silent: bool) -> bool:
        src, pos, maximum = state.src, state.pos, state.posMax
        if src[pos] != "{" or inside[0] or pos + 3 > maximum:
            return False
        kind = src[pos + 1 : pos + 3]
        if kind not in _CRITIC_CLOSERS or (kind, maximum) in dead.get(state, ()):
            return False
        start = pos + 3
        middle = -1
        if kind == "~~":
            middle = src.find("~>", start, maximum)
            close = src.find("~~}", middle + 2, maximum) if middle >= 0 else -1
        else:
            close = src.find(_CRITIC_CLOSERS[kind], start, maximum)
        if close < 0:
            dead.setdefault(state, set()).add((kind, maximum))
            return False
        if not silent:
            inside[0] += 1
            try:
                _push_critic(state, mode, kind, start=start, middle=middle, close=close)
            finally:
                inside[0] -= 1
        state.pos = close + 3
        return True

    md.inline.ruler.after("backticks", "pymdownx_critic", rule)
    md.add_render_rule("critic_comment", _render_critic_comment)


def _push_critic(
    state: StateInline, mode: str, kind: str, *, start: int, middle: int, close: int
) -> None:
    end = middle if kind == "~~" else close
    if kind == ">>":
        if mode == "view":
            comment = state.push("critic_comment", "span", 0)
            comment.content = state.src[start:end].replace("\n", " ")
            comment.meta = {PLACEHOLDER: True}
        return
    if mode == "view":
        if kind == "~~":
            _critic_span(state, "del", start, middle)
            _critic_span(state, "ins", middle + 2, close)
        else:
            _critic_span(state, _CRITIC_TAGS[kind], start, end)
        return
    accept = mode == "accept"
    if kind == "~~":
        _parse_range(state, middle + 2, close) if accept else _parse_range(state, start, middle)
    elif kind == "==" or (kind == "++") == accept:
        _parse_range(state, start, end)


def _critic_span(state: StateInline, tag: str, start: int, end: int) -> None:
    token = state.push(f"critic_{tag}_open", tag, 1)
    token.attrSet("class", "critic")
    token.meta = {PLACEHOLDER: True}
    _parse_range(state, start, end)
    state.push(f"critic_{tag}_close", tag, -1).meta = {PLACEHOLDER: True}


def _parse_range(state: StateInline, start: int, end: int) -> None:
    """Inline Markdown of ``src[start:end]``, tokens appended in place."""
    maximum = state.posMax
    state.pos, state.posMax = start, end
    state.md.inline.tokenize(state)
    state.posMax = maximum


def _render_critic_comment(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<span class="critic comment">{html.escape(tokens[idx].content)}</span>'
