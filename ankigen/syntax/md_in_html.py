"""Python-Markdown's ``md_in_html``, and raw ``<details>`` boxes on every site.

Block-level HTML at the start of a line of the page (not inside indented containers, as in
Python-Markdown) is raw up to its matching end tag, blank lines included; with a ``markdown``
(``"1"``, ``"block"``, ``"span"``) attribute its content is Markdown.

A ``<details class="question">`` with a ``<summary>`` is an admonition token pair like
``??? question "…"`` (see :func:`html_details_plugin`), so cards come from it the same way. A
classless ``<details>`` has the type ``details``.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ankigen.syntax._blocks import (
    BlockRule,
    Options,
    container_token,
    text_token,
)
from ankigen.syntax.admonition import AdmonitionHeader

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


__all__ = ["HtmlDetailsHeader", "html_details_plugin", "md_in_html_plugin", "reads_html"]

# Python-Markdown's block-level elements and md_in_html's classes of them.
_BLOCK_LEVEL = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "canvas", "center", "colgroup",
        "dd", "details", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
        "form", "group", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
        "iframe", "legend", "li", "main", "map", "math", "menu", "nav", "noscript", "object",
        "ol", "option", "output", "p", "pre", "progress", "script", "section", "style",
        "summary", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr", "ul",
        "video",
    }
)  # fmt: skip
_SPAN_TAGS = frozenset(
    {"address", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "legend", "li", "p", "summary"}
    | {"td", "th"}
)
_RAW_TAGS = frozenset({"canvas", "math", "option", "pre", "script", "style", "textarea"})
_BLOCK_TAGS = _BLOCK_LEVEL - _SPAN_TAGS - _RAW_TAGS - {"hr"}

_START_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)\s*(/?)>"
)
_ATTRIBUTE = re.compile(r"([^\s\"'>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?")
_ANY_TAG = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s[^>]*)?>", re.DOTALL)
_SUMMARY = re.compile(r"\s*<summary(\s[^>]*)?>(.*?)</summary\s*>", re.DOTALL | re.IGNORECASE)
_TAG_OR_TEXT = re.compile(r"<!--.*?-->|<[^>]*>|[^<]+|<", re.DOTALL)
_RULE = "ankigen_html_block"
_FENCE_OPEN = re.compile(r"(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\n)+")


class HtmlDetailsHeader(AdmonitionHeader):
    """A raw ``<details>``: like ``???`` with its classes; a classless one is a ``details``."""

    __slots__ = ()

    @property
    def kind(self) -> str:
        return self.classes[0] if self.classes else "details"

    @property
    def card_classes(self) -> tuple[str, ...]:
        return self.classes or ("details",)


@dataclass(frozen=True)
class _Element:
    tag: str
    attrs: dict[str, str]
    start: int  # offset of `<`
    open_end: int  # offset after the start tag's `>`
    close_start: int  # offset of the end tag's `<` (or of the region's end when unclosed)
    close_end: int


def _attributes(raw: str) -> dict[str, str]:
    # An attribute without a value reads as its own name, as md_in_html takes it.
    return {
        m.group(1).lower(): html.unescape(
            next((g for g in m.group(2, 3, 4) if g is not None), m.group(1))
        )
        for m in _ATTRIBUTE.finditer(raw)
    }


def _md_state(tag: str, attrs: Mapping[str, str], parent: str | None) -> str:
    """md_in_html's get_state: "block", "span" or "off" (raw)."""
    value = attrs.get("markdown", "0")
    if value == "markdown":
        value = "1"
    if parent == "off" or (parent == "span" and value != "0"):
        value = parent
    if (value == "1" and tag in _BLOCK_TAGS) or (
        value == "block" and tag in _BLOCK_TAGS | _SPAN_TAGS
    ):
        return "block"
    if (value == "1" and tag in _SPAN_TAGS) or (
        value == "span" and tag in _BLOCK_TAGS | _SPAN_TAGS
    ):
        return "span"
    return "off"


def _element(src: str, start: int, limit: int) -> _Element | None:
    """The element whose start tag is at ``start``, up to its matching end tag."""
    m = _START_TAG.match(src, start, limit)
    if m is None:
        return None
    tag = m.group(1).lower()
    depth = 1
    for t in _ANY_TAG.finditer(src, m.end(), limit):
        if t.group(2) is None or t.group(2).lower() != tag:
            continue
        if t.group(1):
            depth -= 1
            if depth == 0:
                return _Element(tag, _attributes(m.group(2)), start, m.end(), t.start(), t.end())
        elif not t.group(0).endswith("/>"):
            depth += 1
    return _Element(tag, _attributes(m.group(2)), start, m.end(), limit, limit)


def _line_of(state: StateBlock, pos: int) -> int:
    return bisect_right(state.bMarks, pos, 0, state.lineMax) - 1


def _blank(text: str) -> bool:
    return not text.strip()


def _tokenize_region(state: StateBlock, begin: int, end: int, parent_type: str) -> None:
    """Block-tokenize ``src[begin:end]`` (which may start or end mid-line) at indent 0."""
    first, last = _line_of(state, begin), _line_of(state, end)
    end_line = last if _blank(state.src[state.bMarks[last] : end]) else last + 1
    saved_last = state.eMarks[last]
    state.eMarks[last] = min(end, saved_last)
    saved_first = (state.bMarks[first], state.tShift[first], state.sCount[first])
    first_line = first
    if _blank(state.src[begin : state.eMarks[first]]):
        first_line = first + 1
    elif begin > saved_first[0] + saved_first[1]:  # content starts mid-line
        text = state.src[begin : state.eMarks[first]]
        shift = len(text) - len(text.lstrip(" \t"))
        state.bMarks[first], state.tShift[first], state.sCount[first] = begin, shift, shift
    old = (state.parentType, state.lineMax, state.blkIndent, state.line)
    state.parentType, state.lineMax, state.blkIndent = parent_type, end_line, 0
    if first_line < end_line:
        state.md.block.tokenize(state, first_line, end_line)
    state.parentType, state.lineMax, state.blkIndent, state.line = old
    state.bMarks[first], state.tShift[first], state.sCount[first] = saved_first
    state.eMarks[last] = saved_last


def _push_html(state: StateBlock, text: str, begin: int) -> None:
    if _blank(text):
        return
    blank_lines = _LEADING_BLANK_LINES.match(text)
    if blank_lines:
        begin += blank_lines.end()
        text = text[blank_lines.end() :]
    token = state.push("html_block", "", 0)
    token.content = text if text.endswith("\n") else text + "\n"
    line = _line_of(state, begin)
    token.map = [line, line + text.count("\n") + 1]


def _fences(src: str, begin: int, end: int) -> Iterator[tuple[int, int, str, str, str]]:
    """Code fences in raw HTML ``src[begin:end]``, as ``pymdownx.superfences`` finds them
    before it reads HTML: an opening line (any indent) and a line of the very same fence
    at that indent, every line between indented at least as far (blank lines aside).
    Yields (start, end, fence, info, code)."""
    lines = src[begin:end].splitlines(keepends=True)
    offsets = [begin]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    i = 0
    while i < len(lines):
        opened = _FENCE_OPEN.match(lines[i].rstrip("\r\n"))
        if opened is None:
            i += 1
            continue
        indent, fence = opened.group("indent"), opened.group("fence")
        body: list[str] = []
        for j in range(i + 1, len(lines)):
            line = lines[j].rstrip("\r\n")
            if line.startswith(indent) and line[len(indent) :].rstrip(" \t") == fence:
                info = opened.group("info").strip()
                yield offsets[i], offsets[j + 1], fence, info, "".join(body)
                i = j + 1
                break
            if line.strip() and not line.startswith(indent):
                i += 1
                break
            body.append(lines[j][len(indent) :] if line.strip() else "\n")
        else:
            i += 1


def _raw(state: StateBlock, begin: int, end: int) -> None:
    """Raw HTML ``src[begin:end]``; ``<details>`` boxes starting a line in it stay boxes, and
    code fences in it are code, as on the site (superfences reads them before the HTML)."""
    pos = begin
    for m in re.finditer(r"(?m)^[ \t]{0,3}(<details\b)", state.src[begin:end]):
        at = begin + m.start(1)
        if at < pos:
            continue
        element = _element(state.src, at, end)
        if element is None:
            continue
        _raw_text(state, pos, at)
        _push_details(state, element, "off", raw=True)
        pos = element.close_end
    _raw_text(state, pos, end)


def _raw_text(state: StateBlock, begin: int, end: int) -> None:
    pos = begin
    for start, stop, fence, info, code in _fences(state.src, begin, end):
        _push_html(state, state.src[pos:start], pos)
        token = state.push("fence", "code", 0)
        token.info = info
        token.content = code
        token.markup = fence
        first = _line_of(state, start)
        token.map = [first, _line_of(state, stop - 1) + 1]
        pos = stop
    _push_html(state, state.src[pos:end], pos)


def _title_children(inner: str) -> tuple[list[Token], str]:
    """A raw ``<summary>``'s content as inline tokens (tags raw, text as text) and its text."""
    children: list[Token] = []
    text: list[str] = []
    for m in _TAG_OR_TEXT.finditer(inner):
        piece = m.group(0)
        if piece.startswith("<") and len(piece) > 1:
            token = Token("html_inline", "", 0)
            token.content = piece
        else:
            token = text_token(html.unescape(piece), 1)
            token.meta = {"raw": True}
            text.append(token.content)
        children.append(token)
    return children, " ".join("".join(text).split())


def _push_details(state: StateBlock, element: _Element, body_state: str, *, raw: bool) -> None:
    classes = tuple(element.attrs.get("class", "").lower().split())
    marker = "???+" if "open" in element.attrs else "???"
    summary = _SUMMARY.match(state.src, element.open_end, element.close_start)
    title: str | None = None
    children: list[Token] = []
    content = ""
    if summary is not None:
        summary_state = _md_state("summary", _attributes(summary.group(1) or ""), body_state)
        if summary_state == "span" and not raw:
            content = summary.group(2).strip()
            title = content
        else:
            children, title = _title_children(summary.group(2))
    header = HtmlDetailsHeader(marker, classes, title)
    line = _line_of(state, element.start)
    opening = state.push("admonition_open", "details", 1)
    opening.markup = marker
    opening.block = True
    opening.info = " ".join(classes)
    opening.meta = {"header": header, "col": element.start - state.bMarks[line] + 1}
    opening.map = [line, _line_of(state, max(element.close_start, element.start)) + 1]
    if summary is not None:
        token = state.push("admonition_title_open", "", 1)
        token.meta = {"marker": marker}
        token.map = [line, line + 1]
        token = state.push("inline", "", 0)
        token.content = content
        token.children = children
        token.map = [line, line + 1]
        token = state.push("admonition_title_close", "", -1)
        token.meta = {"marker": marker}
    body = summary.end() if summary is not None else element.open_end
    if raw:
        _raw(state, body, element.close_start)
    else:
        _tokenize_region(state, body, element.close_start, "md_in_html")
    closing = state.push("admonition_close", "details", -1)
    closing.markup = marker
    closing.block = True


def _push_element(state: StateBlock, element: _Element, md_state: str) -> None:
    attrs = {k: v for k, v in element.attrs.items() if k != "markdown"}
    opening = state.push("md_in_html_open", element.tag, 1)
    opening.attrs = dict(attrs)
    opening.block = True
    line = _line_of(state, element.start)
    opening.map = [line, _line_of(state, element.close_start) + 1]
    if md_state == "span":
        inline = state.push("inline", "", 0)
        inline.content = state.src[element.open_end : element.close_start].strip()
        inline.children = []
        inline.map = opening.map
    else:
        _tokenize_region(state, element.open_end, element.close_start, "md_in_html")
    closing = state.push("md_in_html_close", element.tag, -1)
    closing.block = True


def reads_html(container: Token) -> bool:
    """Whether Python-Markdown sees raw HTML blocks directly inside this container."""
    if container.type == "md_in_html_open":
        return True
    return container.type == "admonition_open" and isinstance(
        container.meta.get("header"), HtmlDetailsHeader
    )


def _continue_after(state: StateBlock, end: int, end_line: int) -> None:
    """Go on after an element ending at ``end``. Text after the end tag on its line starts a
    block of its own, running to the next blank line, as in Python-Markdown."""
    line = _line_of(state, end)
    if _blank(state.src[end : state.eMarks[line]]):
        state.line = line + 1
        return
    stop = line + 1
    while stop < end_line and not state.isEmpty(stop):
        stop += 1
    _tokenize_region(state, end, state.eMarks[stop - 1], "md_in_html")
    state.line = stop


def _html_block_rule(markdown_in_html: bool) -> BlockRule:
    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        # Python-Markdown sees raw HTML blocks on the page's own lines only (at most three
        # spaces in), and inside Markdown-in-HTML blocks; never in indented containers.
        if state.blkIndent or state.sCount[start_line] >= 4:
            return False
        start = state.bMarks[start_line] + state.tShift[start_line]
        if state.src[start : start + 1] != "<":
            return False
        m = _START_TAG.match(state.src, start, state.eMarks[start_line])
        tag = m.group(1).lower() if m else ""
        if tag not in _BLOCK_LEVEL or tag == "hr" or (not markdown_in_html and tag != "details"):
            return False
        container = container_token(state)
        if container is not None and not reads_html(container):
            return False
        if silent:
            return True
        parent = state.env.get(_PARENT_STATE)
        element = _element(state.src, start, state.eMarks[end_line - 1])
        assert element is not None
        md_state = _md_state(tag, element.attrs, parent if isinstance(parent, str) else None)
        if not markdown_in_html:
            md_state = "off"
        state.env[_PARENT_STATE] = md_state
        try:
            if tag == "details" and md_state != "span":
                _push_details(state, element, md_state, raw=md_state == "off")
            elif md_state == "off":
                _raw(state, start, element.close_end)
            else:
                _push_element(state, element, md_state)
        finally:
            state.env[_PARENT_STATE] = parent
        _continue_after(state, element.close_end, end_line)
        return True

    rule.__name__ = "_html_block_rule"
    return rule


_PARENT_STATE = "ankigen_md_in_html_state"


_BLOCK_TAG_START = re.compile(r"<(/?)([^ >/]+)")


def _bare_block_tags(state: StateCore) -> None:
    """A paragraph holding one block-level tag or comment and nothing else is that tag, not
    a ``<p>`` around it (Python-Markdown's raw-HTML postprocessor): inside a box, where a tag
    line is paragraph text, ``<div markdown="block">`` on its own opens a ``<div>``."""
    tokens = state.tokens
    for i in range(1, len(tokens) - 1):
        inline = tokens[i]
        if inline.type != "inline" or tokens[i - 1].type != "paragraph_open":
            continue
        children = inline.children or []
        if len(children) != 1 or children[0].type != "html_inline":
            continue
        m = _BLOCK_TAG_START.match(children[0].content)
        if m is None:
            continue
        name = m.group(2)
        if name[0] in "!?@%" or name.lower() in _BLOCK_LEVEL:
            tokens[i - 1].hidden = True
            tokens[i + 1].hidden = True


def _install(md: MarkdownIt, markdown_in_html: bool) -> None:
    md.core.ruler.after("inline", "ankigen_bare_block_tags", _bare_block_tags)
    md.block.ruler.before(
        "table",
        _RULE,
        _html_block_rule(markdown_in_html),
        {"alt": ["paragraph", "reference", "blockquote"]},
    )


def md_in_html_plugin(md: MarkdownIt, options: Options) -> None:
    """Python-Markdown's ``md_in_html`` (raw HTML blocks included, as Python-Markdown reads
    them: up to the matching end tag)."""
    if _RULE not in md.block.ruler.get_all_rules():
        _install(md, markdown_in_html=True)


def html_details_plugin(md: MarkdownIt) -> None:
    """Raw ``<details>`` boxes at the start of a page line, on every site. Idempotent, and a
    no-op where :func:`md_in_html_plugin` already reads them."""
    if _RULE not in md.block.ruler.get_all_rules():
        _install(md, markdown_in_html=False)
