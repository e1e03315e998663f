"""Label titles: a box titled "Show Answer" asks what the reader read just before it.

Course sites write the question as a heading, a paragraph, a list of options or an exercise,
then a box titled with a generic label (``??? question "Show Answer"``), or a box of an
answer-like type untitled or so titled (``??? done``, ``??? done "Answer"``). Such a card's
front is the *lead*: the blocks before the box since the nearest heading, the previous card
or a rule (``---``), whichever is nearer, at the box's own nesting level; the last
``LEAD_BLOCKS`` of them are kept (a block is a paragraph, a list, a code block, a table, a
box or an HTML block; comments are skipped). The nearest heading is shown above them as
context; with no lead, the heading is the question; with neither, the page title is, with a
warning. The whole box body is the back.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace

from markdown_it.token import Token

from ankigen.cards.find import cards_from_tokens
from ankigen.config.project import DEFAULT_ANSWER_TYPES, DEFAULT_LABELS
from ankigen.digest import normalize_question
from ankigen.records import Card

__all__ = ["LEAD_BLOCKS", "is_label", "with_leads"]

LEAD_BLOCKS = 3  # blocks of the lead kept on the front: the last ones, nearest the box

# "Answer 2", "Answer #2", "Answer (2)", "答案1", "Solution 3.1", "Answer:", "Show answer ▾"
_NUMBERED = re.compile(r"^(.*?)[\s#(]*\d+(?:\.\d+)*\)?$")
# spaces and end punctuation, with the full-width colon, full stop, marks and dashes
_EDGES = " \t:.!?*>-\uff1a\u3002\uff01\uff1f\u2026\u25be\u25bc\u25b8\u25b6\u00bb\u2013\u2014"


# No label is longer: a longer title is a question, told without normalising it.
_LONGEST = 48


def _label_key(text: str) -> str:
    if len(text) > _LONGEST:
        return ""
    text = normalize_question(text).strip(_EDGES)
    numbered = _NUMBERED.match(text) if text[-1:].isdigit() or text.endswith(")") else None
    if numbered and numbered.group(1).strip(_EDGES):
        text = numbered.group(1).strip(_EDGES)
    return text


def label_set(labels: Sequence[str]) -> frozenset[str]:
    return frozenset(key for label in labels if (key := _label_key(label)))


_DEFAULT_SET = label_set(DEFAULT_LABELS)


def is_label(title: str, labels: Collection[str] = _DEFAULT_SET) -> bool:
    """Whether a box title is a generic label rather than a question (``labels``: keys made
    by ``label_set``)."""
    key = _label_key(title)
    return bool(key) and key in labels


def with_leads(
    tokens: Sequence[Token],
    cards: Sequence[Card],
    page: str,
    *,
    labels: Sequence[str] = DEFAULT_LABELS,
    answer_types: Sequence[str] = DEFAULT_ANSWER_TYPES,
    page_title: str = "",
) -> tuple[Card, ...]:
    """``cards`` with their lead set where the title is a label, plus a card for each box of
    an answer type, untitled or with a label title, not already a card nor inside one, in
    document order. ``page_title``
    stands for the question where neither a heading nor a lead comes before the box."""
    keys = label_set(labels) if tuple(labels) != DEFAULT_LABELS else _DEFAULT_SET
    wanted = frozenset(answer_types)
    if not any(c.title and is_label(_title_text(c.title), keys) for c in cards) and not any(
        t.type == "admonition_open" and t.meta["header"].card_type(wanted) for t in tokens
    ):
        return tuple(cards)  # no label box on the page (the usual page)
    found = {card.line: card for card in cards}
    inside = _spans(tokens, cards)
    extra = [
        c
        for c in cards_from_tokens(tokens, page, wanted)
        if (not c.title or is_label(_title_text(c.title), keys))
        and c.line not in found
        and not _within(inside, c.line)
    ]
    ordered = sorted([*cards, *extra], key=lambda c: (c.line, c.col))
    markers = {c.line for c in ordered}
    opens = _admonition_opens(tokens)
    added = {c.line for c in extra}
    out: list[Card] = []
    for card in ordered:
        titled = bool(card.title) and is_label(_title_text(card.title), keys)
        if titled or card.line in added:
            at = opens.get(card.line)
            lead = _lead(tokens, at, markers) if at is not None else ()
            fallback = card.heading or page_title
            out.append(replace(card, title=(), lead=lead, fallback=fallback))
        else:
            out.append(card)
    return tuple(out)


def _admonition_opens(tokens: Sequence[Token]) -> dict[int, int]:
    """Token index of each box by its marker line."""
    return {
        t.map[0] + 1: i
        for i, t in enumerate(tokens)
        if t.type == "admonition_open" and t.map is not None
    }


def _spans(tokens: Sequence[Token], cards: Sequence[Card]) -> list[tuple[int, int]]:
    """The line spans (1-based, end exclusive) of the card boxes."""
    lines = {c.line for c in cards}
    return [
        (t.map[0] + 1, t.map[1] + 1)
        for t in tokens
        if t.type == "admonition_open" and t.map is not None and t.map[0] + 1 in lines
    ]


def _within(spans: Sequence[tuple[int, int]], line: int) -> bool:
    return any(start < line < end for start, end in spans)


def _lead(tokens: Sequence[Token], at: int, markers: Collection[int]) -> tuple[Token, ...]:
    """The blocks before the box at ``tokens[at]``, back to a heading, an earlier card, a
    rule or the start of its container; the last ``LEAD_BLOCKS`` of them."""
    level = tokens[at].level
    blocks: list[tuple[Token, ...]] = []
    j = at - 1
    while j >= 0 and len(blocks) < LEAD_BLOCKS:
        token = tokens[j]
        if token.level < level or token.nesting == 1:  # the container's opening
            break
        start = j
        if token.nesting == -1:
            start = j - 1
            while start >= 0 and not (tokens[start].level == level and tokens[start].nesting == 1):
                start -= 1
            if start < 0:  # pragma: no cover - markdown-it closes what it opens
                break
        first = tokens[start]
        if first.type in ("heading_open", "hr"):
            break
        if first.type == "admonition_open" and first.map and first.map[0] + 1 in markers:
            break
        if not (first.type == "html_block" and first.content.lstrip().startswith("<!--")):
            blocks.append(tuple(tokens[start : j + 1]))
        j = start - 1
    return tuple(tok for block in reversed(blocks) for tok in block)


def _title_text(title: Sequence[Token]) -> str:
    return " ".join(t.content for t in title)
