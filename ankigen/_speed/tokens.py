"""markdown-it tokens made without the dataclass ``__init__``, and the inline state that
pushes them.

A 10,000-card build makes ~600,000 tokens, all of them through ``StateBlock.push``,
``StateInline.push`` and ``StateInline.pushPending``. ``Token(type, tag, nesting)`` runs
the dataclass's generated ``__init__``, which makes the default ``attrs`` dict, then
``__post_init__``, which calls ``convert_attrs`` and makes another: ~290 ns a token here.
``blank_token`` sets the same slots to the same defaults in ~155 ns: ~2% of a build.

The inline parser then runs its post-processing rules; the three that pair ``*``, ``_`` and
``~`` runs walk the whole token list each, and change nothing where no such run was found:
they are skipped there.

Installed only over the markdown-it-py code it repeats: ``Token``'s fields and defaults,
and the sources of ``Token.__post_init__``, ``convert_attrs``, the three push methods and
``ParserInline.parse``, as in 4.3 (``tests/test_fasttoken.py``).
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline, balance_pairs, emphasis, strikethrough
from markdown_it.token import Token, convert_attrs
from markdown_it.utils import EnvType

from ankigen._speed.guards import source_is_known

__all__ = [
    "DELIMITER_RULES",
    "KNOWN_SOURCES",
    "TOKEN_FIELDS",
    "FastStateInline",
    "blank_token",
    "fast_inline_plugin",
    "tokens_known",
]

# SHA-256 of the sources this module repeats or relies on: Token.__post_init__,
# convert_attrs, StateInline.push, StateInline.pushPending, ParserInline.parse, and the
# delimiter post-processing rules (each with the function doing its work) that it skips
# when there is nothing for them (StateBlock.push is in fastblock's list, beside the rest
# of the block state it repeats).
KNOWN_SOURCES = frozenset(
    {
        "c2b64f07d9d80082358b5b818467c922c12af5ec40f489538793a7c3266dfec7",
        "7307811548d4a0a6e3378348ac81987737775d265ed7c56d3cdae934efb88625",
        "e1647ba1e831cfaa891ebd66ae902ba31100486cb53bff56420f138353376183",
        "3b8fc5789360f565956707f6545b8f75ae1ced53d3310f73edfcf6aa4e6b35c6",
        "d795f64c44cc33e5fa39bbc1ff55f21b441c1408221cefa51c5ebd2de0fffadc",
        "df2fac171534eb6209a5df3b4525c76f69f124c902b73ec0b16cb1954bf2d47a",
        "dbc48729c4b511d81be6150eee9298ae20f1422937060e646aadddc90289b7b7",
        "5f432b7480c0450ef8a0c38d821c44fccea63df4c712586c0c4387fdc2860af5",
        "bcf74084775fff21170aca1306317b1d483bc38c76155c05a037d867ebbebd33",
        "fb25bb30f8b09530721d64e1c55b406127f07f2b46380d6e615117331082c091",
        "1996d4e6a33d2d87e75ed297aee0f6e376cea10144891ef16e1a84d9191695d5",
    }
)
# Post-processing rules that only act on delimiters (``*``, ``_``, ``~`` runs): with every
# delimiter list of the state empty, each walks the token list and changes nothing.
DELIMITER_RULES = (balance_pairs.link_pairs, strikethrough.postProcess, emphasis.postProcess)
_DELIMITER_WORK = (
    balance_pairs.processDelimiters,
    strikethrough._postProcess,
    emphasis._postProcess,
)

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
        and source_is_known(Token.__post_init__, KNOWN_SOURCES)
        and source_is_known(convert_attrs, KNOWN_SOURCES)
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
    return tokens_known() and all(
        source_is_known(f, KNOWN_SOURCES)
        for f in (
            StateInline.push,
            StateInline.pushPending,
            ParserInline.parse,
            *DELIMITER_RULES,
            *_DELIMITER_WORK,
        )
    )


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
