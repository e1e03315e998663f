"""The pure middle of the pipeline: page text in, rendered cards and diagnostics out.

Cards an earlier rendering of the page made are given back, not rendered again, when their
signature (``cards/signature``: everything a card's rendering reads) and image lookups are
unchanged: an edit to one card of a page renders that card.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ankigen.cards.anchors import with_anchors
from ankigen.cards.find import cards_from_tokens, page_tokens
from ankigen.cards.labels import with_leads
from ankigen.cards.lint import lint_page
from ankigen.cards.render import render_card
from ankigen.cards.signature import card_signature
from ankigen.cards.split import split_card
from ankigen.config.flavor import DEFAULT_FLAVOR, Flavor
from ankigen.config.project import DEFAULT_ANSWER_TYPES, DEFAULT_LABELS, DEFAULT_TYPES
from ankigen.errors import Diagnostic, Severity
from ankigen.read.layout import page_title_from_name
from ankigen.records import MediaFile, MediaProblem, RenderedCard, SourceFile
from ankigen.syntax.refs import CardRefs, lookups_hold

__all__ = ["Earlier", "Lookup", "PageResult", "render_page", "render_source"]


# One image lookup: (page, src, what it resolved to).
Lookup = tuple[str, str, MediaFile | MediaProblem]
# What an earlier rendering of a page left, by card signature: the card and its lookups.
Earlier = Mapping[bytes, tuple[RenderedCard, tuple[Lookup, ...]]]


@dataclass(frozen=True)
class PageResult:
    cards: tuple[RenderedCard, ...]
    diagnostics: tuple[Diagnostic, ...]
    signatures: tuple[bytes | None, ...] = ()  # per card: see ``cards/signature``
    lookups: tuple[tuple[Lookup, ...], ...] = ()  # per card: the image lookups it made
    reused: int = 0  # cards given back from ``earlier``


def render_source(
    page: SourceFile,
    types: Sequence[str],
    flavor: Flavor = DEFAULT_FLAVOR,
    refs: Callable[[str], CardRefs] | None = None,
    earlier: Earlier | None = None,
    *,
    labels: Sequence[str] = DEFAULT_LABELS,
    answer_types: Sequence[str] = DEFAULT_ANSWER_TYPES,
) -> PageResult:
    """Cards of one page. ``refs`` makes, per card, what resolves its images and links;
    ``earlier`` holds cards of an earlier rendering of the page, by signature; ``labels``
    and ``answer_types`` pick the boxes whose question comes before them."""
    cards: list[RenderedCard] = []
    signatures: list[bytes | None] = []
    lookups: list[tuple[Lookup, ...]] = []
    reused = 0
    problems: list[Diagnostic] = []
    tokens = page_tokens(page, flavor)
    found = cards_from_tokens(tokens, page.rel, frozenset(types))
    title = page.title or page_title_from_name(page.rel)
    found = with_leads(
        tokens, found, page.rel, labels=labels, answer_types=answer_types, page_title=title
    )
    problems.extend(
        lint_page(
            page.rel,
            page.text,
            types,
            {c.line - 1: not c.body for c in found},
            tokens,
            flavor=flavor,
        )
    )
    for card in found:
        if card.lead == () and not card.heading:
            problems.append(
                Diagnostic(
                    page.rel,
                    f"'{card.kind}' box answers nothing: no heading or text comes before it, "
                    f"so its question is the page title {title!r}",
                    hint="write the question (a heading or a paragraph) just above the box, "
                    'or give the box a title: ??? question "Your question?"',
                    line=card.line,
                    col=card.col,
                    severity=Severity.WARNING,
                )
            )
        split = split_card(card)
        signature = card_signature(split, page.url)
        card_refs = refs(page.rel) if refs is not None else None
        hit = earlier.get(signature) if earlier and signature is not None else None
        if hit is not None and _still_true(hit[1], card_refs):
            rendered, made = _moved_to(hit[0], card.line, card.col), hit[1]
            reused += 1
        else:
            rendered = render_card(split, flavor, page.url, card_refs)
            made = tuple(card_refs.lookups) if card_refs is not None else ()
        problems.extend(rendered.problems)
        if not rendered.question_text and not rendered.question_html:
            problems.append(
                Diagnostic(
                    page.rel,
                    f"'{card.kind}' box has no question: no title and an empty body",
                    hint=f'give it a title: ??? {card.kind} "Your question?"',
                    line=card.line,
                    col=card.col,
                )
            )
            continue
        if not rendered.answer_html and not rendered.links:
            problems.append(
                Diagnostic(
                    page.rel,
                    f"card has no answer: {rendered.question_text[:60]!r}",
                    hint="indent the answer 4 spaces under the question line",
                    line=card.line,
                    col=card.col,
                    severity=Severity.WARNING,
                )
            )
        cards.append(rendered)
        signatures.append(signature)
        lookups.append(made)
    placed = with_anchors(cards, tokens)
    return PageResult(tuple(placed), tuple(problems), tuple(signatures), tuple(lookups), reused)


def _still_true(lookups: Sequence[Lookup], refs: CardRefs | None) -> bool:
    if refs is None:
        return not lookups
    return lookups_hold(refs, lookups)


def _moved_to(card: RenderedCard, line: int, col: int) -> RenderedCard:
    """An earlier rendering of a card whose marker is now at ``line``, ``col``."""
    if (card.line, card.col) == (line, col):
        return card
    shift = line - card.line
    problems = tuple(
        replace(d, line=d.line + shift) if d.line is not None else d for d in card.problems
    )
    return replace(card, line=line, col=col, problems=problems)


def render_page(
    text: str,
    rel: str = "page.md",
    types: Sequence[str] = DEFAULT_TYPES,
    flavor: Flavor = DEFAULT_FLAVOR,
    *,
    labels: Sequence[str] = DEFAULT_LABELS,
    answer_types: Sequence[str] = DEFAULT_ANSWER_TYPES,
    title: str = "",
) -> PageResult:
    """Convenience for tests and tools: one page given as text."""
    source = SourceFile(path=Path(rel), rel=rel, text=text, title=title)
    return render_source(source, types, flavor, labels=labels, answer_types=answer_types)
