"""Find the question boxes of a page: markdown-it tokens in, ``Card`` records out."""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it.token import Token

from ankigen.config.flavor import DEFAULT_FLAVOR, Flavor
from ankigen.errors import AnkigenError, Diagnostic
from ankigen.records import Card, SourceFile
from ankigen.syntax.admonition import AdmonitionHeader
from ankigen.syntax.markdown import markdown

__all__ = ["cards_from_tokens", "page_tokens", "parse_page", "tokenize"]


def tokenize(text: str, flavor: Flavor = DEFAULT_FLAVOR) -> list[Token]:
    return markdown(flavor).parse(text)


def parse_page(
    page: SourceFile, types: Sequence[str], flavor: Flavor = DEFAULT_FLAVOR
) -> tuple[Card, ...]:
    """Every admonition of a card type, at any depth, in document order."""
    return cards_from_tokens(page_tokens(page, flavor), page.rel, frozenset(types))


def page_tokens(page: SourceFile, flavor: Flavor = DEFAULT_FLAVOR) -> list[Token]:
    try:
        return tokenize(page.text, flavor)
    except RecursionError as exc:
        raise AnkigenError(
            Diagnostic(
                page.rel,
                "page is nested too deeply to parse",
                hint="flatten the nesting of lists, quotes or admonitions",
            )
        ) from exc


def cards_from_tokens(
    tokens: Sequence[Token], page: str, types: frozenset[str]
) -> tuple[Card, ...]:
    cards: list[Card] = []
    heading = ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.level == 0:
            heading = _inline_text(tokens[i + 1])
            continue
        if token.type != "admonition_open":
            continue
        header: AdmonitionHeader = token.meta["header"]
        kind = header.card_type(types)
        if kind is None:
            continue
        close = _matching_close(tokens, i)
        body_start = i + 1
        title: tuple[Token, ...] = ()
        if tokens[body_start].type == "admonition_title_open":
            if header.title is not None and header.title.strip():
                title = (tokens[body_start + 1],)
            body_start += 3
        assert token.map is not None
        cards.append(
            Card(
                page=page,
                line=token.map[0] + 1,
                col=int(token.meta["col"]),
                kind=kind,
                title=title,
                body=tuple(tokens[body_start:close]),
                heading=heading,
            )
        )
    return tuple(cards)


def _matching_close(tokens: Sequence[Token], start: int) -> int:
    level = tokens[start].level
    for j in range(start + 1, len(tokens)):
        if tokens[j].type == "admonition_close" and tokens[j].level == level:
            return j
    raise AssertionError("markdown-it produced an unclosed admonition")  # pragma: no cover


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "math_inline", "math_inline_double"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())
