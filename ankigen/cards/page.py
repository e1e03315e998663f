"""The pure middle of the pipeline: page text in, rendered cards and diagnostics out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ankigen.cards.find import cards_from_tokens, page_tokens
from ankigen.cards.lint import lint_page
from ankigen.cards.render import render_card
from ankigen.cards.split import split_card
from ankigen.config.flavor import DEFAULT_FLAVOR, Flavor
from ankigen.config.project import DEFAULT_TYPES
from ankigen.errors import Diagnostic, Severity
from ankigen.records import RenderedCard, SourceFile
from ankigen.syntax.refs import CardRefs

__all__ = ["PageResult", "render_page", "render_source"]


@dataclass(frozen=True)
class PageResult:
    cards: tuple[RenderedCard, ...]
    diagnostics: tuple[Diagnostic, ...]


def render_source(
    page: SourceFile,
    types: Sequence[str],
    flavor: Flavor = DEFAULT_FLAVOR,
    refs: Callable[[str], CardRefs] | None = None,
) -> PageResult:
    """Cards of one page. ``refs`` makes, per card, what resolves its images and links."""
    cards: list[RenderedCard] = []
    problems: list[Diagnostic] = []
    tokens = page_tokens(page, flavor)
    found = cards_from_tokens(tokens, page.rel, frozenset(types))
    problems.extend(
        lint_page(page.rel, page.text, types, {c.line - 1: not c.body for c in found}, tokens)
    )
    for card in found:
        rendered = render_card(
            split_card(card), flavor, page.url, refs(page.rel) if refs is not None else None
        )
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
    return PageResult(tuple(cards), tuple(problems))


def render_page(
    text: str,
    rel: str = "page.md",
    types: Sequence[str] = DEFAULT_TYPES,
    flavor: Flavor = DEFAULT_FLAVOR,
) -> PageResult:
    """Convenience for tests and tools: one page given as text."""
    return render_source(SourceFile(path=Path(rel), rel=rel, text=text), types, flavor)
