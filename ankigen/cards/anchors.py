"""Cards of a page that share a question: where each sits, so each keeps its own note.

Two boxes with the same question on one page are two notes. Each gets an *anchor*: the path
of headings above it (``Setup > Input``) and its ordinal among the cards with that question
under that path (``#1``, ``#2``). Identity matching (``identity/match``) prefers the earlier
note with the same anchor and body, so editing one answer, inserting a twin above, or moving
a section keeps every other twin's note. A card whose question is unique on its page has no
anchor, so nothing changes for pages without repeats.

A repeated card also shows its nearest heading above the question (``context_html``), with
its ordinal where the question repeats under one heading (``Steps (2)``), so the fronts
differ and Anki's duplicate check does not flag them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from html import escape

from markdown_it.token import Token

from ankigen.digest import normalize_question
from ankigen.records import RenderedCard

__all__ = ["context_div", "heading_paths", "with_anchors"]

# (1-based line of a heading, the heading path from there on)
HeadingPaths = tuple[tuple[int, ...], tuple[tuple[str, ...], ...]]


_CONTEXT = '<div class="ankigen-context">'


def context_div(text: str) -> str:
    """The front's context line: the heading a card belongs to."""
    return f"{_CONTEXT}{escape(text, quote=False)}</div>" if text else ""


def heading_paths(tokens: Sequence[Token]) -> HeadingPaths:
    """Where each top-level heading starts, and the path of headings it opens."""
    lines: list[int] = []
    paths: list[tuple[str, ...]] = []
    stack: list[tuple[int, str]] = []  # (level 1-6, text)
    for i, token in enumerate(tokens):
        if token.type != "heading_open" or token.level != 0 or token.map is None:
            continue
        depth = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
        while stack and stack[-1][0] >= depth:
            stack.pop()
        stack.append((depth, _text(tokens[i + 1])))
        lines.append(token.map[0] + 1)
        paths.append(tuple(text for _, text in stack))
    return tuple(lines), tuple(paths)


def path_at(paths: HeadingPaths, line: int) -> tuple[str, ...]:
    """The heading path a marker on ``line`` sits under (``()`` above every heading)."""
    at = bisect_right(paths[0], line) - 1
    return paths[1][at] if at >= 0 else ()


def with_anchors(cards: Sequence[RenderedCard], tokens: Sequence[Token]) -> list[RenderedCard]:
    """``cards`` of one page, each with its anchor and context set: empty for a question
    unique on the page. Idempotent, so cards given back from a cache pass through again."""
    questions = [normalize_question(c.question_text) for c in cards]
    counts = Counter(questions)
    if len(counts) == len(questions) and not any(c.anchor or c.context_html for c in cards):
        return list(cards)  # no repeats: nothing to set (the usual page)
    paths = heading_paths(tokens)
    where = [
        path_at(paths, c.line) if counts[q] > 1 else ()
        for c, q in zip(cards, questions, strict=True)
    ]
    under = Counter(zip(questions, where, strict=True))
    seen: Counter[tuple[str, tuple[str, ...]]] = Counter()
    out: list[RenderedCard] = []
    for given, question, path in zip(cards, questions, where, strict=True):
        card, anchor, context = given, "", ""
        if counts[question] > 1:
            seen[question, path] += 1
            n = seen[question, path]
            anchor = f"{' > '.join(path)} #{n}".lstrip()
            # the heading, unless the front shows it already (a label card), and the
            # ordinal where the same question repeats under the same heading
            shown = "" if card.question_html.startswith(_CONTEXT) else (path[-1:] or ("",))[0]
            context = context_div(f"{shown} ({n})".strip() if under[question, path] > 1 else shown)
        if (anchor, context) != (card.anchor, card.context_html):
            # the digests are made again from the new fields
            card = replace(
                card, anchor=anchor, context_html=context, fields_digest="", body_digest=""
            )
        out.append(card)
    return out


def _text(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline", "math_inline", "math_inline_double"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())
