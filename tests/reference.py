"""Reference semantics for the differential test.

What a page *means* is what mkdocs-material shows, i.e. what Python-Markdown plus
pymdown-extensions render.  This module renders a page that way and reads the cards
back out of the HTML, so that ankigen's own parser can be compared against it.

Rules (applied to the reference HTML, parsed with BeautifulSoup/html.parser):

1. A card is every ``<details>``, or ``<div class="admonition ...">``, one of whose classes
   (after ``admonition``), lowercased, is one of ``types``: mkdocs-material styles a box by
   any of its classes, so ``???- question`` (classes ``-`` and ``question``) and
   ``??? note question`` are question boxes.  Cards are
   found at any depth, in document order; a nested card is a card of its own *and*
   stays part of its parent's answer text.
2. The question is the text of ``<summary>`` / ``p.admonition-title``.  If the marker
   line in the source had no title (``??? question``) or an empty one
   (``??? question ""``), the question is the text of the first body block instead,
   and that block is not part of the answer.  Whether a card was untitled is learnt by
   scanning the source's marker lines (outside fenced code) with the very regexes the
   extensions use, and zipping them with the cards found in the HTML.
3. Body blocks are the card element's direct child elements other than the title.  The
   maximal trailing run of link-only blocks gives ``links``; a short plain-text label
   ending in ``:`` just before that run is dropped.  The remaining blocks give
   ``answer``.
"""

from __future__ import annotations

import importlib
import re
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import markdown
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, PageElement
from markdown.extensions.admonition import AdmonitionProcessor

__all__ = [
    "DEFAULT_EXTENSIONS",
    "DEFAULT_TYPES",
    "BlockName",
    "Marker",
    "RefCard",
    "ReferenceMismatchError",
    "block_names",
    "card_elements",
    "element_text",
    "html_text",
    "normalize_ws",
    "reference_cards",
    "reference_html",
    "scan_markers",
]

DEFAULT_EXTENSIONS: tuple[str, ...] = (
    "admonition",
    "pymdownx.details",
    "pymdownx.superfences",
    "tables",
)
DEFAULT_TYPES: tuple[str, ...] = ("question", "help", "faq")
TAB_LENGTH = 4

#: Maximum number of words in a "Read more:"-style label paragraph.
LABEL_MAX_WORDS = 6


def _upstream_pattern(module: str, owner: str, attribute: str) -> re.Pattern[str]:
    """Fetch a compiled regex from an (untyped) upstream module, checking its type."""
    value: object = getattr(getattr(importlib.import_module(module), owner), attribute)
    if not isinstance(value, re.Pattern) or not isinstance(value.pattern, str):
        raise TypeError(f"{module}.{owner}.{attribute} is not a str regex")
    return value


#: ``pymdownx.details`` start line: groups (1) ``+``, (2) classes before a quoted title,
#: (3) the quoted title, (4) classes when there is no quoted title.
DETAILS_START: re.Pattern[str] = _upstream_pattern("pymdownx.details", "DetailsProcessor", "START")
#: ``admonition`` start line: groups (1) classes, (2) the optional quoted title.
ADMONITION_START: re.Pattern[str] = AdmonitionProcessor.RE

_FENCE_OPEN = re.compile(r"^(?P<prefix>[ \t>]*)(?P<fence>`{3,}|~{3,})")
_URL = re.compile(r"https?://\S+")
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details",
        "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip


class ReferenceMismatchError(AssertionError):
    """The source scan and the rendered HTML disagree about the cards of a page."""


@dataclass(frozen=True)
class RefCard:
    """One card as the reference renderer sees it."""

    question: str
    """Whitespace-normalized plain text of the card's question."""
    answer: str
    """Whitespace-normalized plain text of the answer, without the link run and label."""
    links: tuple[str, ...]
    """Hrefs (or bare URLs) of the trailing link run, in order."""


@dataclass(frozen=True)
class Marker:
    """A card-opening line found in the Markdown source."""

    line: int
    """1-based line number in the source."""
    kind: str
    """``"details"`` for ``???``/``???+``, ``"admonition"`` for ``!!!``."""
    type: str
    """First class, lowercased."""
    untitled: bool
    """True when the line has no quoted title or an empty quoted title."""
    classes: tuple[str, ...] = ()
    """Every class, lowercased, in order."""

    def is_card(self, types: Sequence[str]) -> bool:
        """Whether any class is one of ``types`` (lowercased)."""
        wanted = {t.lower() for t in types}
        return any(c in wanted for c in self.classes or (self.type,))


def normalize_ws(s: str) -> str:
    """Collapse every whitespace run (including NBSP and newlines) to one space; strip."""
    return " ".join(s.split())


# --------------------------------------------------------------------------- rendering


def reference_html(
    markdown_text: str,
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
    extension_configs: Mapping[str, Mapping[str, object]] | None = None,
) -> str:
    """Render ``markdown_text`` the way mkdocs-material would (minus the theme)."""
    configs: dict[str, dict[str, Any]] = {
        name: dict(config) for name, config in (extension_configs or {}).items()
    }
    md = markdown.Markdown(
        extensions=list(extensions), extension_configs=configs, tab_length=TAB_LENGTH
    )
    return md.convert(markdown_text)


# -------------------------------------------------------------------------- text utils


def _text_parts(node: PageElement, out: list[str]) -> None:
    if isinstance(node, Comment):
        return
    if isinstance(node, NavigableString):
        out.append(str(node))
        return
    if isinstance(node, Tag):
        block = node.name in _BLOCK_TAGS
        if block:
            out.append(" ")
        for child in node.children:
            _text_parts(child, out)
        if block:
            out.append(" ")


def element_text(node: PageElement) -> str:
    """Plain text of an element, whitespace-normalized.

    Block-level boundaries (``p``, ``li``, ``td``, ``br``, ...) become spaces so that
    adjacent blocks do not glue words together; inline elements (``strong``, ``code``,
    ``a``, ...) add nothing, so ``**bold**,`` reads ``bold,`` and not ``bold ,``.
    """
    parts: list[str] = []
    _text_parts(node, parts)
    return normalize_ws("".join(parts))


def html_text(html: str) -> str:
    """:func:`element_text` of an HTML fragment; use it on the side under test too."""
    return element_text(BeautifulSoup(html, "html.parser"))


# ------------------------------------------------------------------------ source scan


def _marker_from_line(line: str, number: int) -> Marker | None:
    candidate = line.expandtabs(TAB_LENGTH).lstrip(" >").rstrip(" ")
    m = DETAILS_START.search(candidate)
    if m is not None:
        if m.group(4):
            classes, title = m.group(4), None
        else:
            classes, title = (m.group(2) or ""), m.group(3)
        if not classes:
            return None  # `??? "title"`: a details block without a type class
        names = tuple(classes.lower().split())
        return Marker(number, "details", names[0], not title, names)
    m = ADMONITION_START.search(candidate)
    if m is not None:
        names = tuple(m.group(1).lower().split())
        return Marker(number, "admonition", names[0], not m.group(2), names)
    return None


#: ``pymdownx.blocks`` start line: (1) slashes, (2) block name, (3) the ``| argument``.
BLOCKS_START: re.Pattern[str] = importlib.import_module("pymdownx.blocks").RE_START
#: The YAML option lines right below a Blocks start line.
BLOCKS_OPTIONS: re.Pattern[str] = importlib.import_module("pymdownx.blocks").RE_INDENT_YAML_LINE


@dataclass(frozen=True)
class BlockName:
    """A ``/// name`` a site can write: the element it draws, the options it takes and, for
    names from an extension's ``types`` list, the class it always has."""

    kind: str
    options: frozenset[str]
    fixed_class: str | None = None


_ADMONITION_BLOCK_TYPES = (
    "note", "attention", "caution", "danger", "error", "tip", "hint", "warning", "important",
)  # fmt: skip


def block_names(
    extensions: Sequence[str], configs: Mapping[str, Mapping[str, object]] | None = None
) -> dict[str, BlockName]:
    """The Blocks names the given extensions register (``pymdownx.blocks.details`` /
    ``.admonition`` and their ``types``)."""
    names: dict[str, BlockName] = {}
    for extension, kind in (
        ("pymdownx.blocks.details", "details"),
        ("pymdownx.blocks.admonition", "admonition"),
    ):
        if extension not in extensions:
            continue
        base = {"attrs", "open"} if kind == "details" else {"attrs"}
        names[kind] = BlockName(kind, frozenset({*base, "type"}))
        default = _ADMONITION_BLOCK_TYPES if kind == "admonition" else ()
        types = (configs or {}).get(extension, {}).get("types", default)
        assert isinstance(types, list | tuple)
        for entry in types:
            if isinstance(entry, Mapping):
                name, cls = str(entry["name"]), str(entry.get("class", entry["name"]))
            else:
                name = cls = str(entry)
            names[name] = BlockName(kind, frozenset(base), cls)
    return names


def _block_marker(
    lines: Sequence[str], index: int, names: Mapping[str, BlockName]
) -> Marker | None:
    m = BLOCKS_START.fullmatch(lines[index].expandtabs(TAB_LENGTH).strip(" ") + "\n")
    if m is None or m.group(2).lower() not in names:
        return None
    name = names[m.group(2).lower()]
    indent = len(lines[index]) - len(lines[index].lstrip(" "))
    below = "\n".join(line[indent:] for line in lines[index + 1 :])
    found = BLOCKS_OPTIONS.match(below)
    options: object = {}
    if found is not None:
        options = importlib.import_module("pymdownx.blocks").get_frontmatter(
            textwrap.dedent(found.group(0))
        )
    if not isinstance(options, dict) or not set(options) <= name.options:
        return None  # the site shows the line as text
    classes = [name.fixed_class] if name.fixed_class else []
    given = options.get("type")
    if (
        isinstance(given, str)
        and given
        and not (name.kind == "admonition" and given == "admonition")
    ):
        classes.append(given)
    attrs = options.get("attrs", {})
    if isinstance(attrs, dict) and isinstance(attrs.get("class"), str):
        classes.extend(attrs["class"].split())
    if not classes:
        return None
    lowered = tuple(c.lower() for c in classes)
    return Marker(index + 1, name.kind, lowered[0], not m.group(3), lowered)


#: ``pymdownx.quotes`` callout line (with ``callouts: true``): (1) types, (2) ``-``/``+``,
#: (3) the title.
CALLOUT_START: re.Pattern[str] = importlib.import_module(
    "pymdownx.quotes"
).QuotesProcessor.RE_CALLOUT


def _callout_marker(lines: Sequence[str], index: int) -> Marker | None:
    """A quote's first non-empty line that opens a callout (``> [!type] Title``)."""
    line = lines[index].expandtabs(TAB_LENGTH)
    prefix = len(line) - len(line.lstrip(" >"))
    last = line.rfind(">", 0, prefix)
    m = CALLOUT_START.match(line[last:]) if last >= 0 else None
    if m is None:
        return None
    above = lines[index - 1].expandtabs(TAB_LENGTH) if index else ""
    above_prefix = above[: len(above) - len(above.lstrip(" >"))]
    if above.strip(" >") and above_prefix.count(">") >= line[:prefix].count(">"):
        return None  # not the first line of its quote
    classes = tuple(part.strip().lower() for part in m.group(1).split("|"))
    kind = "details" if m.group(2) else "admonition"
    return Marker(index + 1, kind, classes[0], not m.group(3).strip(), classes)


def scan_markers(
    markdown_text: str,
    blocks: Mapping[str, BlockName] | None = None,
    *,
    callouts: bool = False,
) -> list[Marker]:
    """All ``???``/``???+``/``!!!`` marker lines outside fenced code, in source order.

    Leading indentation (spaces, tabs) is ignored so nested markers are found.  Marker-
    looking lines inside *indented* code blocks are not recognized as code and will be
    reported, which then makes :func:`reference_cards` fail loudly; only put such lines
    in fenced code.
    """
    markers: list[Marker] = []
    fence: str | None = None
    lines = markdown_text.splitlines()
    for number, line in enumerate(lines, start=1):
        if fence is not None:
            if line.lstrip(" \t>").rstrip(" \t") == fence:
                fence = None
            continue
        opened = _FENCE_OPEN.match(line)
        if opened is not None:
            fence = opened.group("fence")
            continue
        marker = _marker_from_line(line, number)
        if marker is None and blocks:
            marker = _block_marker(lines, number - 1, blocks)
        if marker is None and callouts:
            marker = _callout_marker(lines, number - 1)
        if marker is not None:
            markers.append(marker)
    return markers


# ------------------------------------------------------------------------ card rules


def _classes(tag: Tag) -> list[str]:
    value = tag.get("class")
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in value]


def _box_classes(tag: Tag) -> list[str]:
    """The lowercased classes of a box (after ``admonition`` for a div), else []."""
    classes = _classes(tag)
    if tag.name == "details":
        return [c.lower() for c in classes]
    if tag.name == "div" and "admonition" in classes:
        return [c.lower() for c in classes[classes.index("admonition") + 1 :]]
    return []


def _card_type(tag: Tag) -> str | None:
    """The box's first class (after ``admonition`` for a div)."""
    classes = _box_classes(tag)
    return classes[0] if classes else None


def _is_card(tag: Tag, wanted: set[str]) -> bool:
    return any(c in wanted for c in _box_classes(tag))


def _is_title(card: Tag, child: Tag) -> bool:
    if card.name == "details":
        return child.name == "summary"
    return child.name == "p" and "admonition-title" in _classes(child)


def _split_title(card: Tag) -> tuple[Tag | None, list[Tag]]:
    title: Tag | None = None
    body: list[Tag] = []
    for child in card.children:
        if isinstance(child, Tag):
            if title is None and not body and _is_title(card, child):
                title = child
            else:
                body.append(child)
        elif (
            isinstance(child, NavigableString) and not isinstance(child, Comment) and child.strip()
        ):
            raise ReferenceMismatchError(
                f"unexpected bare text {str(child)!r} directly inside a card element"
            )
    return title, body


def _inline_links(container: Tag) -> list[str] | None:
    """Links of a container holding only links / bare URLs / ``<br>``, else ``None``."""
    links: list[str] = []
    for child in container.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            for word in child.split():
                if _URL.fullmatch(word) is None:
                    return None
                links.append(word)
        elif isinstance(child, Tag):
            if child.name == "br":
                continue
            href = child.get("href") if child.name == "a" else None
            if not isinstance(href, str):
                return None
            links.append(href)
    return links or None


def _item_links(item: Tag) -> list[str] | None:
    elements = [c for c in item.children if isinstance(c, Tag)]
    if len(elements) == 1 and elements[0].name == "p":
        loose_text = [c for c in item.children if isinstance(c, NavigableString) and c.strip()]
        return None if loose_text else _inline_links(elements[0])
    return _inline_links(item)


def _block_links(block: Tag) -> list[str] | None:
    """Links of a link-only block (rule 3), or ``None`` when the block is not one."""
    if block.name == "p":
        return _inline_links(block)
    if block.name in ("ul", "ol"):
        links: list[str] = []
        items = 0
        for child in block.children:
            if isinstance(child, Tag):
                if child.name != "li":
                    return None
                found = _item_links(child)
                if found is None:
                    return None
                links.extend(found)
                items += 1
            elif isinstance(child, NavigableString) and child.strip():
                return None
        return links if items else None
    return None


def _is_label(block: Tag) -> bool:
    if block.name != "p" or block.find("a") is not None:
        return False
    text = element_text(block)
    words = text.split()
    if not words or len(words) > LABEL_MAX_WORDS or not text.endswith(":"):
        return False
    return not any(_URL.search(word) for word in words)


def _card(card: Tag, untitled: bool) -> RefCard:
    title, body = _split_title(card)
    if untitled:
        question = element_text(body[0]) if body else ""
        body = body[1:]
    else:
        question = element_text(title) if title is not None else ""

    run_start = len(body)
    run: list[list[str]] = []
    while run_start > 0:
        found = _block_links(body[run_start - 1])
        if found is None:
            break
        run.insert(0, found)
        run_start -= 1
    answer_end = run_start
    if run and answer_end > 0 and _is_label(body[answer_end - 1]):
        answer_end -= 1

    answer = normalize_ws(" ".join(element_text(block) for block in body[:answer_end]))
    links = tuple(link for block_links in run for link in block_links)
    return RefCard(question=question, answer=answer, links=links)


def card_elements(html: str, types: Sequence[str] = DEFAULT_TYPES) -> Iterator[Tag]:
    """Card elements of rendered HTML, in document order (nested ones included)."""
    wanted = {t.lower() for t in types}
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["details", "div"]):
        if isinstance(tag, Tag) and _is_card(tag, wanted):
            yield tag


def reference_cards(
    markdown_text: str,
    types: Sequence[str] = DEFAULT_TYPES,
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
    extension_configs: Mapping[str, Mapping[str, object]] | None = None,
) -> list[RefCard]:
    """The cards of a page according to Python-Markdown + pymdown-extensions.

    Raises :class:`ReferenceMismatchError` when the marker lines found in the source
    do not line up (count and type) with the card elements found in the HTML.
    """
    html = reference_html(markdown_text, extensions, extension_configs)
    elements = list(card_elements(html, types))
    blocks = block_names(extensions, extension_configs)
    quotes = (extension_configs or {}).get("pymdownx.quotes", {})
    callouts = "pymdownx.quotes" in extensions and quotes.get("callouts") is True
    markers = [
        m for m in scan_markers(markdown_text, blocks, callouts=callouts) if m.is_card(types)
    ]
    if len(markers) != len(elements):
        raise ReferenceMismatchError(
            f"source has {len(markers)} card marker lines "
            f"(lines {[m.line for m in markers]}) but the reference HTML has "
            f"{len(elements)} card elements"
        )
    cards: list[RefCard] = []
    for marker, element in zip(markers, elements, strict=True):
        expected_kind = "details" if element.name == "details" else "admonition"
        if marker.kind != expected_kind or list(marker.classes) != _box_classes(element):
            raise ReferenceMismatchError(
                f"marker on line {marker.line} ({marker.kind} {marker.type}) does not "
                f"match card element <{element.name} class={_classes(element)}>"
            )
        cards.append(_card(element, marker.untitled))
    return cards


# ------------------------------------------------------------------ label titles (issue 12)

#: The blocks of a label card's lead that its front keeps (the last ones before the box).
LEAD_BLOCKS = 3
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _title_text(card: Tag) -> str:
    title, _body = _split_title(card)
    return element_text(title) if title is not None else ""


def reference_label_cards(  # noqa: PLR0917 - a test oracle mirrors the options
    markdown_text: str,
    is_label: Callable[[str], bool],
    types: Sequence[str] = DEFAULT_TYPES,
    answer_types: Sequence[str] = ("done", "success", "check"),
    extensions: Sequence[str] = DEFAULT_EXTENSIONS,
    extension_configs: Mapping[str, Mapping[str, object]] | None = None,
    page_title: str = "",
) -> list[RefCard]:
    """The cards of a page with label titles, read from the reference HTML.

    A box of a card type titled with a label, or a box of an answer type untitled or titled
    with a label and not inside a card, asks what precedes it: the nearest heading, then its
    previous sibling blocks back to a heading, a rule or a card box (comments skipped), the
    last ``LEAD_BLOCKS`` of them. With neither heading nor blocks, the page title. Its whole
    body is the back. Other cards follow ``reference_cards``.
    """
    wanted = {t.lower() for t in types}
    answers = {t.lower() for t in answer_types}
    html = reference_html(markdown_text, extensions, extension_configs)
    elements = list(card_elements(html, [*wanted, *answers]))
    markers = [m for m in scan_markers(markdown_text) if m.type in wanted | answers]
    if len(markers) != len(elements):
        raise ReferenceMismatchError(f"{len(markers)} markers, {len(elements)} boxes")
    kept: list[tuple[Tag, Marker, bool]] = []  # element, marker, label card?
    for marker, element in zip(markers, elements, strict=True):
        kind = _card_type(element)
        labelled = not marker.untitled and is_label(_title_text(element))
        if kind in wanted:
            kept.append((element, marker, labelled))
        elif (marker.untitled or labelled) and not any(
            parent in {e for e, _, _ in kept} for parent in element.parents
        ):
            kept.append((element, marker, True))
    boxes = {e for e, _, _ in kept}
    cards: list[RefCard] = []
    for element, marker, labelled in kept:
        if not labelled:
            cards.append(_card(element, marker.untitled))
            continue
        heading = element.find_previous(_HEADINGS)
        lead: list[str] = []
        for sibling in element.previous_siblings:
            if isinstance(sibling, Comment) or not isinstance(sibling, Tag):
                continue
            if sibling.name in (*_HEADINGS, "hr") or sibling in boxes:
                break
            lead.insert(0, element_text(sibling))
        heading_text = element_text(heading) if isinstance(heading, Tag) else ""
        front = normalize_ws(" ".join([heading_text, *lead[-LEAD_BLOCKS:]])) or page_title
        back = _card(element, untitled=False)
        cards.append(RefCard(front, back.answer, back.links))
    return cards
