"""markdown-it block rule for pymdown-extensions Blocks: ``/// details`` and ``/// admonition``.

A block opens with a line ``/// name | Title`` (three or more slashes, at most three spaces
before them), may carry YAML options on the lines right below, each indented four spaces or
more, and holds Markdown that is *not* indented, up to a line of as many slashes alone::

    /// details | Why is the sky blue?
        type: question
        open: true

    Shorter wavelengths scatter more.
    ///

As in ``pymdownx.blocks``: the start line may follow a paragraph line directly; a block of
the same length nested in another is closed first; a fence inside a block hides any ``///``
line in it; a block never closed runs to the end of its container (the rest of the page at
the top level). A start line whose options do not read (not YAML, an unknown option, a type
that is no HTML class) is no block at all: the site shows it as text, and so does ankigen
(``cards/lint`` says why at the line).

What the site draws is what ``???`` / ``!!!`` draw, so the rule pushes the same
``admonition_open`` tokens (with a :class:`BlocksHeader`): ``details`` is a ``<details>``
classed by its ``type`` (``???+`` when ``open``), ``admonition`` a
``<div class="admonition TYPE">``; ``attrs: {class: …}`` adds classes. Names a site lists
under the extension's ``types`` option (``/// question | Title``) are blocks of that type.
With no ``| Title`` the site shows the type as title (``Question``) and the card is untitled:
its first body block is the question, as for ``??? question``.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markdown_it.rules_block import StateBlock

from ankigen.syntax.admonition import AdmonitionHeader, push_box_open

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = [
    "BLOCK_EXTENSIONS",
    "BlockKind",
    "BlocksHeader",
    "StartLine",
    "blocks_plugin",
    "parse_start_line",
    "read_options",
    "registry_for",
]

# pymdownx.blocks' RE_START and RE_END, anchored on one line (indentation already removed).
_START = re.compile(r"(/{3,}) *([\w-]+) *(?:\| *(.*?) *)?")
_END = re.compile(r"(/{3,}) *")
# type_html_identifier: a CSS identifier (no leading digit; `-` alone is not one).
_IDENT = re.compile(r"(?:-?(?:[^\W\d]|[^\x00-\x7f])|--)[\w\-]*")
_SEPARATORS = re.compile(r"[_-]+")
_HEADING = re.compile(r"(#{1,6})(?P<header>(?:\\.|[^\\]|#+(?=[^#\n]))*?)#*")
_FENCE = re.compile(r"(`{3,}|~{3,})")
_OPTION_INDENT = 4

# The extensions this module reads, and what each one draws.
BLOCK_EXTENSIONS = {
    "pymdownx.blocks.details": "details",
    "pymdownx.blocks.admonition": "admonition",
    "pymdownx.blocks.tab": "tab",
    "pymdownx.blocks.html": "html",
    "pymdownx.blocks.caption": "caption",
    "pymdownx.blocks.definition": "define",
}
_BOXES = frozenset({"details", "admonition"})
# Blocks that must have a `| argument` (a tab's title, an element's selector).
_NEEDS_ARGUMENT = frozenset({"tab", "html"})
# pymdownx.blocks.caption's default ``types``.
_CAPTION_TYPES: tuple[object, ...] = ("caption", "figure-caption", "table-caption")
_SELECTOR = re.compile(r"([\w-]+)|\.([\w-]+)|#([\w-]+)|\[([\w-]+)(?:=([^\]]*))?\]")
# pymdownx.blocks.admonition's default ``types``.
_ADMONITION_TYPES = (
    "note",
    "attention",
    "caution",
    "danger",
    "error",
    "tip",
    "hint",
    "warning",
    "important",
)
_REGISTRY = "ankigen_blocks"


@dataclass(frozen=True)
class BlockKind:
    """One block name a site can write: which box it draws, and for names from a ``types``
    list, its fixed class and default title."""

    box: str  # "details", "admonition", or "tab", "html", "caption", "define"
    fixed_class: str | None = None
    default_title: str | None = None

    @property
    def options(self) -> frozenset[str] | None:
        """The options a box takes (None: other Blocks, whose options are not checked)."""
        if self.box not in _BOXES:
            return None
        if self.fixed_class is not None:
            return frozenset({"attrs", "open"} if self.box == "details" else {"attrs"})
        if self.box == "details":
            return frozenset({"attrs", "open", "type"})
        return frozenset({"attrs", "type"})


class BlocksHeader(AdmonitionHeader):
    """A Blocks box: ``title`` is the ``| Title`` argument (None when absent or empty), and
    the site shows ``shown`` above the body ("" for no title line at all)."""

    __slots__ = ("shown",)

    def __init__(
        self, marker: str, classes: tuple[str, ...], title: str | None, shown: str
    ) -> None:
        super().__init__(marker, classes, title)
        self.shown = shown

    @property
    def shown_title(self) -> str:
        return self.shown


@dataclass(frozen=True)
class StartLine:
    """What a ``///`` line says: slash count, block name (lower case) and the argument."""

    length: int
    name: str
    argument: str | None


def parse_start_line(text: str) -> StartLine | None:
    """Parse a line (indentation removed) that may open a block."""
    m = _START.fullmatch(text.rstrip(" \t"))
    if m is None:
        return None
    return StartLine(len(m.group(1)), m.group(2).lower(), m.group(3))


def _default_title(name: str) -> str:
    return _SEPARATORS.sub(" ", name).title()


def registry_of(extensions: Mapping[str, Mapping[str, object]]) -> dict[str, BlockKind]:
    """Block name -> kind, for the Blocks extensions a site enables (with their options)."""
    found: dict[str, BlockKind] = {}
    for extension, box in BLOCK_EXTENSIONS.items():
        if extension not in extensions:
            continue
        if box in ("tab", "html", "define"):
            found[box] = BlockKind(box)
            continue
        if box != "caption":
            found[box] = BlockKind(box)
        default = {"admonition": _ADMONITION_TYPES, "caption": _CAPTION_TYPES}.get(box, ())
        types = extensions[extension].get("types", default)
        for entry in types if isinstance(types, list | tuple) else ():
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                name = str(entry["name"])
                cls = str(entry.get("class", name))
                title = str(entry.get("title", _default_title(cls)))
            elif isinstance(entry, str):
                name, cls, title = entry, entry, _default_title(entry)
            else:
                continue
            found[name.lower()] = BlockKind(box, cls, title)
    return found


def registry_for(extensions: Iterable[tuple[str, str]]) -> dict[str, BlockKind]:
    """:func:`registry_of` for a flavor's ``(name, options as JSON)`` pairs."""
    return registry_of(
        {name: json.loads(raw) for name, raw in extensions if name in BLOCK_EXTENSIONS}
    )


def read_options(kind: BlockKind, text: str) -> dict[str, object] | str:
    """The options of a block (``text``: the option lines, dedented) or why the site refuses
    them, which makes the start line plain text."""
    import yaml  # noqa: PLC0415 - only pages with Blocks need it

    if not text.strip():
        return {}
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return "its options are not YAML"
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        return "its options are not `name: value` lines"
    if kind.options is None:
        return {str(k): v for k, v in loaded.items()}
    for key, value in loaded.items():
        if key not in kind.options:
            allowed = ", ".join(sorted(kind.options))
            return f"unknown option {key!r} (it takes {allowed})"
        if key == "open" and not isinstance(value, bool):
            return "option 'open' must be true or false"
        if key == "type" and not (isinstance(value, str) and _IDENT.fullmatch(value)):
            return f"option 'type' must be one CSS class name, not {value!r}"
        if key == "attrs":
            problem = _attrs_problem(value)
            if problem:
                return problem
    return {str(k): v for k, v in loaded.items()}


def _attrs_problem(value: object) -> str | None:
    if not isinstance(value, dict):
        return "option 'attrs' must be a mapping such as {class: question}"
    for key, item in value.items():
        if not isinstance(item, str):
            return f"attrs {key!r} must be a string"
        name = str(key).lower()
        if name == "class" and not all(_IDENT.fullmatch(c) for c in item.split()):
            return f"attrs class {item!r} is not a list of CSS class names"
        if name == "id" and not _IDENT.fullmatch(item):
            return f"attrs id {item!r} is not an HTML identifier"
    return None


def _header(kind: BlockKind, start: StartLine, options: Mapping[str, object]) -> BlocksHeader:
    if kind.fixed_class is not None:
        type_class, default = kind.fixed_class, kind.default_title or ""
    else:
        given = options.get("type", "")
        type_class = given if isinstance(given, str) else ""
        default = _default_title(type_class) if type_class else ""
    classes: list[str] = []
    if type_class and not (kind.box == "admonition" and type_class == "admonition"):
        classes.append(type_class)
    attrs = options.get("attrs")
    if isinstance(attrs, dict):
        for key, item in attrs.items():
            if str(key).lower() == "class" and isinstance(item, str):
                classes.extend(item.split())
    shown = default if start.argument is None else start.argument
    heading = _HEADING.fullmatch(shown)
    if heading is not None:
        shown = heading.group("header").strip()
    title = shown if start.argument else None
    marker = ("???+" if options.get("open") is True else "???") if kind.box == "details" else "!!!"
    return BlocksHeader(marker, tuple(c.lower() for c in classes), title, shown)


def _line_text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _option_lines_end(state: StateBlock, first: int, end_line: int) -> int:
    """The line after the option lines below a start line: lines right below it (no blank
    line between) indented four columns or more past the block."""
    line = first
    while (
        line < end_line
        and not state.isEmpty(line)
        and state.sCount[line] - state.blkIndent >= _OPTION_INDENT
    ):
        line += 1
    return line


@dataclass(frozen=True)
class _Opening:
    start: StartLine
    kind: BlockKind
    body: int  # first body line
    header: BlocksHeader
    options: Mapping[str, object]


def _opening(
    state: StateBlock, line: int, end_line: int, registry: Mapping[str, BlockKind]
) -> _Opening | None:
    """The block that opens at ``line``, if the site reads one there."""
    if state.sCount[line] - state.blkIndent > 3 or state.sCount[line] < state.blkIndent:
        return None
    start = parse_start_line(_line_text(state, line))
    if start is None:
        return None
    kind = registry.get(start.name)
    if kind is None or (kind.box in _NEEDS_ARGUMENT and not start.argument):
        return None
    body = _option_lines_end(state, line + 1, end_line)
    raw = "\n".join(
        " " * max(0, state.sCount[n] - state.blkIndent) + _line_text(state, n)
        for n in range(line + 1, body)
    )
    options = read_options(kind, textwrap.dedent(raw))
    if isinstance(options, str):
        return None
    return _Opening(start, kind, body, _header(kind, start, options), options)


def _close_line(
    state: StateBlock,
    opening: _Opening,
    end_line: int,
    registry: Mapping[str, BlockKind],
) -> int | None:
    """The line that closes the block, or None when it runs to ``end_line`` or its
    container ends first. Nested blocks are closed first; fences hide their lines."""
    open_lengths = [opening.start.length]
    fence: str | None = None
    line = opening.body
    while line < end_line:
        if state.isEmpty(line):
            line += 1
            continue
        if state.sCount[line] < state.blkIndent:
            return None
        text = _line_text(state, line).rstrip(" \t")
        top = state.sCount[line] - state.blkIndent <= 3
        if fence is not None:
            if top and text.startswith(fence) and not text.strip(fence[0]):
                fence = None
            line += 1
            continue
        if top:
            opened = _FENCE.match(text)
            if opened is not None:
                fence = opened.group(1)
                line += 1
                continue
            end = _END.fullmatch(text)
            if end is not None and len(end.group(1)) == open_lengths[-1]:
                open_lengths.pop()
                if not open_lengths:
                    return line
                line += 1
                continue
            nested = _opening(state, line, end_line, registry)
            if nested is not None:
                open_lengths.append(nested.start.length)
                line = nested.body
                continue
        line += 1
    return None


def _rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[pos : pos + 3] != "///":  # cheap test first: most lines fail it
        return False
    registry: Mapping[str, BlockKind] = state.md.options.get(_REGISTRY, {})
    opening = _opening(state, start_line, end_line, registry)
    if opening is None:
        return False
    if silent:
        return True
    close = _close_line(state, opening, end_line, registry)
    body_end = close if close is not None else _container_end(state, opening.body, end_line)
    if opening.kind.box not in _BOXES:
        _container(state, opening, start_line, body_end)
        state.line = body_end + 1 if close is not None else body_end
        return True
    header = opening.header

    push_box_open(
        state,
        header,
        start_line,
        body_end + (1 if close is not None else 0),
        col=pos - state.bMarks[start_line] + 1,
        closed=close is not None,
    )

    _body(state, opening, body_end)

    token = state.push("admonition_close", "div", -1)
    token.markup = header.marker
    token.block = True
    state.line = body_end + 1 if close is not None else body_end
    return True


def _body(state: StateBlock, opening: _Opening, body_end: int) -> None:
    old = (state.parentType, state.lineMax)
    state.parentType = "blocks"
    state.lineMax = body_end
    state.md.block.tokenize(state, opening.body, body_end)
    state.parentType, state.lineMax = old


def _container(state: StateBlock, opening: _Opening, start_line: int, body_end: int) -> None:
    """A block that draws no box: its body in the element the site wraps it in. Tabs are
    labelled sections as for ``pymdownx.tabbed`` (consecutive tabs share a set); captions
    and definitions keep their text in a ``<div>``; ``html`` makes the element it names."""
    box, where = opening.kind.box, [start_line, body_end]
    if box == "tab":
        last = state.tokens[-1] if state.tokens else None
        if (
            last is not None
            and last.type == "tabbed_set_close"
            and last.meta.get("blocks")
            and opening.options.get("new") is not True
        ):
            state.tokens.pop()  # join the set just closed
            state.level += 1
        else:
            token = state.push("tabbed_set_open", "div", 1)
            token.attrSet("class", "tabbed-set")
            token.block, token.map = True, where
        token = state.push("tabbed_label_open", "p", 1)
        token.attrSet("class", "tabbed-label")
        token.block, token.map = True, [start_line, start_line + 1]
        token = state.push("inline", "", 0)
        token.content, token.children = opening.start.argument or "", []
        token.map = [start_line, start_line + 1]
        state.push("tabbed_label_close", "p", -1).block = True
        token = state.push("tabbed_content_open", "div", 1)
        token.attrSet("class", "tabbed-content")
        token.block, token.map = True, where
        _body(state, opening, body_end)
        state.push("tabbed_content_close", "div", -1).block = True
        token = state.push("tabbed_set_close", "div", -1)
        token.block, token.meta = True, {"blocks": True}
        return
    tag, attrs = "div", {"class": box}
    if box == "html":
        tag, attrs = _element(opening.start.argument or "div")
    token = state.push("blocks_open", tag, 1)
    for name, value in attrs.items():
        token.attrSet(name, value)
    token.block, token.map = True, where
    _body(state, opening, body_end)
    state.push("blocks_close", tag, -1).block = True


def _element(selector: str) -> tuple[str, dict[str, str]]:
    """``tag.class#id[name=value]``, as ``/// html`` takes it: tag and attributes."""
    tag, classes, attrs = "div", [], {}
    for index, m in enumerate(_SELECTOR.finditer(selector.strip())):
        if m.group(1) and index == 0:
            tag = m.group(1).lower()
        elif m.group(2):
            classes.append(m.group(2))
        elif m.group(3):
            attrs["id"] = m.group(3)
        elif m.group(4):
            attrs[m.group(4).lower()] = (m.group(5) or "").strip("\"'")
    if classes:
        attrs["class"] = " ".join(classes)
    return tag, attrs


def _container_end(state: StateBlock, first: int, end_line: int) -> int:
    """Where an unclosed block ends: at its container's end (a line indented less)."""
    for line in range(first, end_line):
        if not state.isEmpty(line) and state.sCount[line] < state.blkIndent:
            return line
    return end_line


def blocks_plugin(md: MarkdownIt, extension: str, options: Mapping[str, object]) -> None:
    """Enable one Blocks extension (``pymdownx.blocks.details``, ``…admonition``, ``…tab``,
    ``…html``, ``…caption``, ``…definition``) with the site's options; the rule is added once
    and reads every enabled extension's names."""
    registry: dict[str, BlockKind] = md.options.get(_REGISTRY) or {}
    if not registry:
        md.options[_REGISTRY] = registry
        md.block.ruler.after(
            "admonition",
            "pymdownx_blocks",
            _rule,
            {"alt": ["paragraph", "reference", "blockquote", "list"]},
        )
    registry.update(registry_of({extension: options}))
