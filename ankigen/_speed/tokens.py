"""markdown-it tokens made without the dataclass ``__init__``, and the inline state that
pushes them.

A 10,000-card build makes ~600,000 tokens; the inline ones come through
``StateInline.push`` and ``StateInline.pushPending``. ``Token(type, tag, nesting)`` runs
the dataclass's generated ``__init__``, which makes the default ``attrs`` dict, then
``__post_init__``, which calls ``convert_attrs`` and makes another: ~290 ns a token here.
``blank_token`` sets the same slots to the same defaults in ~155 ns: ~2% of a build.

The inline parser then runs its post-processing rules; the three that pair ``*``, ``_`` and
``~`` runs walk the whole token list each, and change nothing where no such run was found:
they are skipped there.

Installed only over the markdown-it-py code it repeats: ``Token``'s fields and defaults,
and the sources of ``Token.__post_init__``, ``convert_attrs``, the two inline push methods and
``ParserInline.parse``, as in 4.3 (``tests/test_speed_tokens.py``).
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline, balance_pairs, emphasis, strikethrough
from markdown_it.token import Token
from markdown_it.utils import EnvType

from ankigen._speed.guards import known

__all__ = [
    "DELIMITER_RULES",
    "TOKEN_FIELDS",
    "FastStateInline",
    "blank_token",
    "fast_inline_plugin",
    "tokens_known",
]

# Post-processing rules that only act on delimiters (``*``, ``_``, ``~`` runs): with every
# delimiter list of the state empty, each walks the token list and changes nothing.
DELIMITER_RULES = (balance_pairs.link_pairs, strikethrough.postProcess, emphasis.postProcess)

_FACTORY = "factory"
# Token's fields as (name, default): a default made per token by a factory is named by it.
TOKEN_FIELDS: tuple[tuple[str, object], ...] = (
    ("type", dataclasses.MISSING),
    ("tag", dataclasses.MISSING),
    ("nesting", dataclasses.MISSING),
    ("attrs", (_FACTORY, dict)),
    ("map", None),
    ("level", 0),
    ("children", None),
    ("content", ""),
    ("markup", ""),
    ("info", ""),
    ("meta", (_FACTORY, dict)),
    ("block", False),
    ("hidden", False),
)

_new = Token.__new__


def blank_token(ttype: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
    """``Token(ttype, tag, nesting)``, slot by slot."""
    token = _new(Token)
    token.type = ttype
    token.tag = tag
    token.nesting = nesting
    token.attrs = {}
    token.map = None
    token.level = 0
    token.children = None
    token.content = ""
    token.markup = ""
    token.info = ""
    token.meta = {}
    token.block = False
    token.hidden = False
    return token


def _fields() -> tuple[tuple[str, object], ...]:
    out: list[tuple[str, object]] = []
    for field in dataclasses.fields(Token):
        factory = field.default_factory
        default = field.default if factory is dataclasses.MISSING else (_FACTORY, factory)
        out.append((field.name, default))
    return tuple(out)


@lru_cache(maxsize=1)
def tokens_known() -> bool:
    """Whether ``Token`` is the 4.3 one ``blank_token`` repeats."""
    return (
        _fields() == TOKEN_FIELDS
        and getattr(Token, "__slots__", None) is not None
        and known("tokens", "markdown_it.token:Token.__post_init__")
        and known("tokens", "markdown_it.token:convert_attrs")
    )


class FastStateInline(StateInline):
    """``StateInline`` whose tokens are made by ``blank_token``."""

    def pushPending(self) -> Token:  # noqa: N802 (markdown-it's name)
        token = blank_token("text", "", 0)
        token.content = self.pending
        token.level = self.pendingLevel
        self.tokens.append(token)
        self.pending = ""
        return token

    def push(self, ttype: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
        if self.pending:
            self.pushPending()
        token = blank_token(ttype, tag, nesting)
        token_meta = None
        if nesting < 0:
            self.level -= 1
            self.delimiters = self._prev_delimiters.pop()
        token.level = self.level
        if nesting > 0:
            self.level += 1
            self._prev_delimiters.append(self.delimiters)
            self.delimiters = []
            token_meta = {"delimiters": self.delimiters}
        self.pendingLevel = self.level
        self.tokens.append(token)
        self.tokens_meta.append(token_meta)
        return token


def _inline_known() -> bool:
    return tokens_known() and known("tokens")


def _has_delimiters(state: StateInline) -> bool:
    return bool(state.delimiters) or any(
        meta is not None and meta.get("delimiters") for meta in state.tokens_meta
    )


def fast_inline_plugin(md: MarkdownIt) -> None:
    """``md`` parses inline content from a ``FastStateInline``, and skips the delimiter
    rules where no ``*``, ``_`` or ``~`` run was found (markdown-it-py 4.3): most
    paragraphs, each of which they walked three times (1-1.5% of a build)."""
    if not _inline_known():
        return
    inline = md.inline
    ruler2 = inline.ruler2
    lean: list[list[Any]] = [[], []]  # the rules as last read, and without DELIMITER_RULES

    def parse(src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        state = FastStateInline(src, md, env, tokens)
        inline.tokenize(state)
        rules = ruler2.getRules("")
        if not _has_delimiters(state):
            if lean[0] is not rules:  # the ruler makes a new list when its rules change
                lean[:] = [rules, [r for r in rules if r not in DELIMITER_RULES]]
            rules = lean[1]
        for rule in rules:
            rule(state)
        return state.tokens

    inline.parse = parse  # type: ignore[method-assign]
