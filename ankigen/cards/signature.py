"""A card's signature: everything its rendering reads, so an unchanged card is not rendered again.

A card's fields are made from its tokens alone: its title or front, its answer and links,
the heading above it (the Source field), the page's URL and the card's type. Whatever the
syntax brings into a card from elsewhere on its page is already in those tokens when the
page is parsed: a footnote's text is placed into the box that cites it, an abbreviation
wraps the words it names, a link reference is resolved into its link's href. So two cards
with equal tokens render to equal fields (with the same settings: the cache key has those),
and a page where one card was edited renders only that card again.

Token lines enter relative to the card's marker line, so a card that only moved down the
page keeps its signature (its diagnostics are moved by the same amount), while a blank line
added inside it does not. Anything in a token this module cannot put into bytes (an object
it does not know) gives no signature: that card is always rendered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ankigen.records import SplitCard

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = ["card_signature"]

_SIGNATURE_VERSION = b"ankigen-card/1"


class _UnknownValueError(Exception):
    """A value with no stable byte form (its repr could name a memory address)."""


def card_signature(split: SplitCard, url: str | None) -> bytes | None:
    """A digest of what the card's rendering reads; None when it cannot be made."""
    card = split.card
    parts: list[object] = [
        card.page,
        url,
        card.kind,
        card.heading,
        card.lead is not None,
        card.fallback,
        split.question_is_block,
        split.explicit_id,
        tuple((link.href, link.text) for link in split.links),
    ]
    try:
        for run in (split.question, split.answer):
            parts.append(tuple(_token(t, card.line) for t in run))
    except _UnknownValueError:
        return None
    digest = hashlib.blake2b(_SIGNATURE_VERSION, digest_size=20)
    digest.update(repr(parts).encode("utf-8", "surrogatepass"))
    return digest.digest()


def _token(token: Token, line: int) -> tuple[object, ...]:
    lines = None if token.map is None else (token.map[0] - line, token.map[1] - line)
    children = tuple(_token(c, line) for c in token.children) if token.children else None
    return (
        token.type,
        token.tag,
        token.nesting,
        _plain(token.attrs),
        lines,
        token.level,
        children,
        token.content,
        token.markup,
        token.info,
        _plain(token.meta),
        token.block,
        token.hidden,
    )


def _plain(value: object) -> object:
    """``value`` as nested tuples of plain values, or ``_UnknownValueError``."""
    if value is None or isinstance(value, str | int | float | bool | bytes):
        return value
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((repr(k), _plain(v)) for k, v in value.items())))
    if isinstance(value, Sequence):
        return ("seq", tuple(_plain(v) for v in value))
    if isinstance(value, frozenset | set):
        return ("set", tuple(sorted(repr(_plain(v)) for v in value)))
    slots = [s for cls in type(value).__mro__ for s in getattr(cls, "__slots__", ())]
    if slots and not hasattr(value, "__dict__"):
        return (type(value).__qualname__, tuple(_plain(getattr(value, s, None)) for s in slots))
    if hasattr(value, "__dataclass_fields__"):
        names = list(value.__dataclass_fields__)
        return (type(value).__qualname__, tuple(_plain(getattr(value, n)) for n in names))
    raise _UnknownValueError(type(value).__qualname__)
