"""markdown-it block rule for mkdocs admonitions (``!!!``) and details (``???``, ``???+``).

It follows Python-Markdown's ``admonition`` and pymdownx's ``details`` rather than
``mdit_py_plugins.admon``: the body is every line indented four columns more than the marker
(a tab counts as four), and blank lines, whitespace-only lines and runs of them never end it.
The first non-blank line indented less does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from ankigen.syntax.lists import list_marker_column

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "OPEN_BOXES",
    "AdmonitionHeader",
    "admonition_plugin",
    "indented_body_end",
    "marker_column",
    "parse_marker_line",
    "push_box_open",
]

# The same grammar as pymdownx.details' START and markdown.extensions.admonition's RE, anchored
# on one line. The title runs to the last quote on the line.
_DETAILS = re.compile(
    r'\?{3}(\+)? ?(?:([\w\-]+(?: +[\w\-]+)*?)?(?: +"(.*?)")|([\w\-]+(?: +[\w\-]+)*?)) *'
)
_ADMONITION = re.compile(r'!!! ?([\w\-]+(?: +[\w\-]+)*)(?: +"(.*?)")? *')
_SPACES = re.compile(r" {2,}")
BODY_INDENT = 4
# Render-env key: render every collapsible box open (the answer field).
OPEN_BOXES = "ankigen_open_boxes"


class AdmonitionHeader:
    """What a marker line says: marker, classes (lower case) and title.

    ``title`` is None when no quoted title was given (the site then shows the capitalised
    type) and ``""`` for an explicit empty title.
    """

    __slots__ = ("classes", "marker", "title")

    def __init__(self, marker: str, classes: tuple[str, ...], title: str | None) -> None:
        self.marker = marker
        self.classes = classes
        self.title = title

    @property
    def kind(self) -> str:
        return self.classes[0] if self.classes else ""

    @property
    def card_classes(self) -> tuple[str, ...]:
        """The classes that can make this box a card."""
        return self.classes

    def card_type(self, types: Collection[str]) -> str | None:
        """The first of the box's classes that is a card type, as mkdocs-material styles a
        box by any of its classes (``???- question``, ``??? note question``); else None."""
        return next((c for c in self.card_classes if c in types), None)

    @property
    def shown_title(self) -> str:
        """The title the site displays."""
        if self.title is None:
            return self.kind.capitalize()
        return self.title


def parse_marker_line(line: str) -> AdmonitionHeader | None:
    """Parse a line (without indentation) that may open an admonition."""
    text = line.rstrip(" \t")
    if text.startswith("???"):
        m = _DETAILS.fullmatch(text.replace("\t", " "))
        if m is None:
            return None
        marker = "???+" if m.group(1) else "???"
        if m.group(4):
            classes = _SPACES.sub(" ", m.group(4).lower()).split(" ")
            return AdmonitionHeader(marker, tuple(classes), None)
        raw = m.group(2)
        classes = _SPACES.sub(" ", raw.lower()).split(" ") if raw else []
        return AdmonitionHeader(marker, tuple(classes), m.group(3))
    if text.startswith("!!!"):
        m = _ADMONITION.fullmatch(text.replace("\t", " "))
        if m is None:
            return None
        classes = _SPACES.sub(" ", m.group(1).lower()).split(" ")
        return AdmonitionHeader("!!!", tuple(classes), m.group(2))
    return None


def indented_body_end(state: StateBlock, start_line: int, end_line: int, body_indent: int) -> int:
    """The line after the last line of the body below ``start_line``: blank and
    whitespace-only lines never end it, the first non-blank line indented less does."""
    last = start_line
    for line in range(start_line + 1, end_line):
        if not state.isEmpty(line):
            if state.sCount[line] < body_indent:
                break
            last = line
    return last + 1


def marker_column(state: StateBlock) -> int:
    """Where a marker must start: the container's own column. Python-Markdown indents list
    item content 4 columns past the list marker (CommonMark only past its width)."""
    marker = list_marker_column(state)
    return state.blkIndent if marker is None else marker + BODY_INDENT


def push_box_open(
    state: StateBlock,
    header: AdmonitionHeader,
    start_line: int,
    end: int,
    **meta: object,
) -> None:
    """A box's ``admonition_open`` token and, when the site shows one, its title: the tokens
    the renderer and the card finder read, whichever syntax drew the box (``???``/``!!!``,
    Blocks). ``meta`` goes on the opening token beside its header (``col``, ...)."""
    token = state.push("admonition_open", "div", 1)
    token.markup = header.marker
    token.block = True
    token.info = " ".join(header.classes)
    token.meta = {"header": header, **meta}
    token.map = [start_line, end]
    if header.shown_title:
        token = state.push("admonition_title_open", "", 1)
        token.map = [start_line, start_line + 1]
        token.meta = {"marker": header.marker}
        token = state.push("inline", "", 0)
        token.content = header.shown_title
        token.map = [start_line, start_line + 1]
        token.children = []
        token = state.push("admonition_title_close", "", -1)
        token.meta = {"marker": header.marker}


def _rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[pos : pos + 3] not in ("???", "!!!"):  # cheap test first: most lines fail it
        return False
    # The marker sits exactly at the container's indentation, as Python-Markdown requires.
    if state.sCount[start_line] != marker_column(state):
        return False
    maximum = state.eMarks[start_line]
    header = parse_marker_line(state.src[pos:maximum])
    if header is None:
        return False
    if silent:
        return True

    body_indent = state.sCount[start_line] + BODY_INDENT
    end = indented_body_end(state, start_line, end_line, body_indent)

    push_box_open(state, header, start_line, end, col=pos - state.bMarks[start_line] + 1)

    old = (state.parentType, state.lineMax, state.blkIndent, state.listIndent)
    state.parentType = "admonition"
    state.lineMax = end
    state.blkIndent = body_indent
    state.listIndent = -1  # the body is a fresh container, as in Python-Markdown
    state.md.block.tokenize(state, start_line + 1, end)
    state.parentType, state.lineMax, state.blkIndent, state.listIndent = old

    token = state.push("admonition_close", "div", -1)
    token.markup = header.marker
    token.block = True
    state.line = end
    return True


def _render_open(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    header: AdmonitionHeader = tokens[idx].meta["header"]
    if header.marker == "!!!":
        return f'<div class="{" ".join(("admonition", *header.classes))}">\n'
    classes = " ".join(header.classes)
    # On a card's back every collapsible box of the answer is open: the back is where the
    # answer is revealed (a nested `??? tip "Answer"` would otherwise hide it again).
    opened = " open" if header.marker == "???+" or env.get(OPEN_BOXES) else ""
    cls = f' class="{classes}"' if classes else ""
    return f"<details{cls}{opened}>\n"


def _render_close(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</div>\n" if tokens[idx].markup == "!!!" else "</details>\n"


def _render_title_open(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<p class="admonition-title">' if tokens[idx].meta["marker"] == "!!!" else "<summary>"


def _render_title_close(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</p>\n" if tokens[idx].meta["marker"] == "!!!" else "</summary>\n"


def admonition_plugin(md: MarkdownIt) -> None:
    """Add the rule; like the reference, a marker line interrupts paragraphs and lists."""
    md.block.ruler.before(
        "fence", "admonition", _rule, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.add_render_rule("admonition_open", _render_open)
    md.add_render_rule("admonition_close", _render_close)
    md.add_render_rule("admonition_title_open", _render_title_open)
    md.add_render_rule("admonition_title_close", _render_title_close)
