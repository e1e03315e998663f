"""Frozen records passed between the pipeline stages."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ankigen.digest import content_hash
from ankigen.errors import Diagnostic

if TYPE_CHECKING:
    from markdown_it.token import Token

__all__ = [
    "Card",
    "Link",
    "MediaFile",
    "MediaProblem",
    "Note",
    "NoteType",
    "RenderedCard",
    "SourceFile",
    "SplitCard",
]


@dataclass(frozen=True, slots=True)
class MediaFile:
    name: str  # the name in the .apkg and in Anki's media folder: stem-<hash>.ext
    path: Path  # the file read


@dataclass(frozen=True, slots=True)
class MediaProblem:
    message: str
    hint: str


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One Markdown page, decoded, with newlines normalised to ``\\n``."""

    path: Path  # where it was read from
    rel: str  # posix path relative to the source root: the page's identity
    text: str
    url: str | None = None  # the page on the published site, when site_url is known
    title: str = ""  # the page's title (nav, front matter, first heading, file name)


@dataclass(frozen=True, slots=True)
class Card:
    """A question box found in a page, still as markdown-it tokens."""

    page: str
    line: int  # 1-based line of the marker
    col: int  # 1-based column of the marker
    kind: str  # the admonition type, lower case (question, help, faq, ...)
    title: tuple[Token, ...]  # inline tokens of the quoted title; empty when untitled
    body: tuple[Token, ...]  # block tokens of the body
    heading: str  # text of the nearest heading above the card ("" if none)
    # A label card's front (``cards/labels``): the blocks the reader reads before the box;
    # None for any other card.
    lead: tuple[Token, ...] | None = None
    fallback: str = ""  # a label card's question when its lead is empty: heading or page title


@dataclass(frozen=True, slots=True)
class Link:
    href: str
    text: str


@dataclass(frozen=True, slots=True)
class SplitCard:
    """A card whose front, answer and trailing link list are separated."""

    card: Card
    question: tuple[Token, ...]  # inline tokens (title) or block tokens (untitled card)
    question_is_block: bool
    answer: tuple[Token, ...]
    links: tuple[Link, ...]
    explicit_id: str | None = None  # from a `<!-- ankigen-id: … -->` comment in the body


@dataclass(frozen=True, slots=True)
class RenderedCard:
    page: str
    line: int
    col: int
    kind: str
    question_html: str
    question_text: str  # plain text of the question, whitespace collapsed
    answer_html: str
    links: tuple[Link, ...]
    links_html: str
    source_html: str
    explicit_id: str | None = None
    media: tuple[MediaFile, ...] = ()  # local images the fields reference, to bundle
    problems: tuple[Diagnostic, ...] = ()  # found while rendering (missing image, …)
    # content_hash of the four fields, and of answer + links ("" when both are empty);
    # computed when not given (the render cache gives them back as stored).
    fields_digest: str = ""
    body_digest: str = ""
    # Told apart from other cards of its page with the same question: the nearest heading
    # path and the ordinal among equal questions under it ("" when the question is unique).
    anchor: str = ""
    # HTML shown above the question on the front (the heading a label card or a repeated
    # title belongs to); "" for none.
    context_html: str = ""

    def __post_init__(self) -> None:
        if not self.fields_digest:
            object.__setattr__(self, "fields_digest", content_hash(self.fields))
            body = (self.answer_html, self.links_html)
            object.__setattr__(self, "body_digest", content_hash(body) if any(body) else "")

    @property
    def fields(self) -> tuple[str, str, str, str]:
        """Question, Answer, Links, Source: the note's fields."""
        question = self.context_html + self.question_html
        return (question, self.answer_html, self.links_html, self.source_html)


@dataclass(frozen=True, slots=True)
class Note:
    """A rendered card with its identity decided: what the package writes."""

    guid: str
    fields: tuple[str, str, str, str]  # Question, Answer, Links, Source
    content_hash: str
    mod: int
    due: int
    page: str
    line: int
    question_text: str
    # "new" | "changed" | "unchanged" | "reworded" | "moved" | "removed" (this build) | "gone"
    status: str
    tags: tuple[str, ...] = ()
    body_hash: str = ""  # answer + links only: recognises a reworded or moved question
    explicit_id: str | None = None
    was: tuple[str, str] | None = None  # (page, question) before a rewording or move
    deck: str = ""
    was_deck: str = ""  # the deck an existing card was in, when the source moved it
    maybe: str | None = None  # GUID of an earlier note this new one may continue
    media: tuple[MediaFile, ...] = ()
    anchor: str = ""  # see ``RenderedCard.anchor``

    @property
    def is_tombstone(self) -> bool:
        return self.status in ("removed", "gone")


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    fields: tuple[str, ...]
    template_name: str
    front: str
    back: str
    css: str

    @property
    def schema(self) -> tuple[int, str, tuple[str, ...], tuple[str, ...]]:
        """What Anki compares on import: a change here makes a `Name+` copy for users."""
        return (self.id, self.name, self.fields, (self.template_name,))

    @property
    def content_hash(self) -> str:
        data = json.dumps(
            [self.id, self.name, self.fields, self.template_name, self.front, self.back, self.css]
        )
        return hashlib.sha256(data.encode()).hexdigest()[:16]
