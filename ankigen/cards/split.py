"""Split a card's body into its question, its answer and its trailing link list.

The link list follows the rule in ``syntax/linklist``; the label belongs to neither field.
An untitled card's first block is its question; a label card's question is its lead
(``cards/labels``). A ``<!-- ankigen-id: NAME -->`` comment
pins the card's identity and shows nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from ankigen.records import Card, Link, SplitCard
from ankigen.syntax.linklist import is_label, link_only, spans

__all__ = ["split_card"]

_EXPLICIT_ID = re.compile(r"<!--\s*ankigen-id:\s*([^\s>]+)\s*-->\s*")


def _explicit_id(block: Sequence[Token]) -> str | None:
    """An identity the author pinned with ``<!-- ankigen-id: NAME -->`` (the site hides it)."""
    if len(block) == 1 and block[0].type == "html_block":
        match = _EXPLICIT_ID.fullmatch(block[0].content)
        if match:
            return match.group(1)
    return None


def split_card(card: Card) -> SplitCard:
    body = card.body
    ranges = spans(body)
    parts = [body[a:b] for a, b in ranges]
    explicit_id = None
    for i, part in enumerate(parts):
        pinned = _explicit_id(part)
        if pinned is not None:
            explicit_id = pinned
            parts = parts[:i] + parts[i + 1 :]
            ranges = ranges[:i] + ranges[i + 1 :]
            break
    question: tuple[Token, ...] = card.title
    is_block = False
    if card.lead is not None:  # a label card: the lead is the front, the whole body the back
        question, is_block = card.lead, True
    elif not card.title and parts:
        question, parts, ranges = parts[0], parts[1:], ranges[1:]
        is_block = True
    links: list[Link] = []
    end = len(parts)
    while end > 0:
        found = link_only(parts[end - 1])
        if found is None:
            break
        links[:0] = found
        end -= 1
    if links and end > 0 and is_label(parts[end - 1]):
        end -= 1
    if end == 0:
        answer: tuple[Token, ...] = ()
    elif explicit_id is None:  # the answer is one contiguous slice of the body
        answer = body[ranges[0][0] : ranges[end - 1][1]]
    else:
        answer = tuple(tok for part in parts[:end] for tok in part)
    return SplitCard(
        card=card,
        question=question,
        question_is_block=is_block,
        answer=answer,
        links=tuple(links),
        explicit_id=explicit_id,
    )
