"""markdown-it rules for the block-level syntax of Python-Markdown's own extensions.

One plugin per extension, ``plugin(md, options)`` with the extension's option names, each
giving what the site shows (Python-Markdown 3.x):

- ``footnotes``: ``text[^label]`` + ``[^label]: note``. References show the page's footnote
  number. A card cannot show the page's foot, so every box (card or not) gets the notes its
  own text refers to (and the notes those refer to) as a ``<div class="footnote">`` at the end
  of its answer, before the trailing link list, numbered as on the page.
- ``def_list``: ``Term`` lines + ``:   definition`` (indented 4 to continue).
- ``pymdownx.tasklist``: ``- [ ] item`` / ``- [x] item`` -> a disabled checkbox.
- ``abbr``: ``*[HTML]: Hyper Text Markup Language`` anywhere on the page wraps every ``HTML``
  word in ``<abbr title="…">``; the definition line itself shows nothing.
- ``attr_list``: ``{: .class #id key=value }`` at the end of a paragraph's last line, a
  heading, a table cell or a term, or right after an inline element, sets attributes and
  shows nothing. Where Python-Markdown does not take the braces (a paragraph of braces only,
  braces on a one-line paragraph), the site shows them, and so do we.
- ``md_in_html``: block-level HTML at the start of a line of the page (not inside indented
  containers, as in Python-Markdown) is raw up to its matching end tag, blank lines included;
  with a ``markdown`` (``"1"``, ``"block"``, ``"span"``) attribute its content is Markdown.

And, for every site, raw ``<details>`` boxes (see :func:`html_details_plugin`): a
``<details class="question">`` with a ``<summary>`` is an admonition token pair like
``??? question "…"``, so cards come from it the same way. A classless ``<details>`` has the
type ``details``.
"""

from __future__ import annotations

import copy
import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ankigen.cards.split import _is_label, blocks, link_only
from ankigen.syntax.admonition import AdmonitionHeader

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "HtmlDetailsHeader",
    "abbr_plugin",
    "attr_list_plugin",
    "def_list_plugin",
    "footnotes_plugin",
    "html_details_plugin",
    "md_in_html_plugin",
    "tasklist_plugin",
]

Options = Mapping[str, object]
BlockRule = Callable[[StateBlock, int, int, bool], bool]


def _str_option(options: Options, name: str, default: str) -> str:
    value = options.get(name, default)
    return value if isinstance(value, str) else default


def _bool_option(options: Options, name: str, default: bool) -> bool:
    value = options.get(name, default)
    return value if isinstance(value, bool) else default


def _line_text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _next_nonblank(state: StateBlock, line: int, end_line: int) -> int:
    while line < end_line and state.isEmpty(line):
        line += 1
    return line


def _interrupts_paragraph(state: StateBlock, line: int, end_line: int, skip: str) -> bool:
    """Whether a block rule other than ``skip`` would end a paragraph at ``line``."""
    old_parent = state.parentType
    state.parentType = "paragraph"
    try:
        for rule in state.md.block.ruler.getRules("paragraph"):
            if getattr(rule, "__name__", "") != skip and rule(state, line, end_line, True):
                return True
        return False
    finally:
        state.parentType = old_parent


def _container(state: StateBlock) -> Token | None:
    """The token that opened the innermost block being parsed (None at the page's top).

    ``state.parentType`` cannot tell: markdown-it's setext rule leaves it at "paragraph".
    """
    if state.level == 0:
        return None
    depth = 0
    for token in reversed(state.tokens):
        depth += token.nesting
        if depth > 0:
            return token
    return None


def _inline_tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.type == "inline":
            yield token


# --------------------------------------------------------------------------- footnotes

_FOOTNOTE_DEF = re.compile(r"\[\^([^\]\n]*)\]:[ \t]*")
_FOOTNOTES = "ankigen_footnotes"
_ONE_BLOCK_AT_A_TIME = frozenset({"admonition_open", "tabbed_content_open"})


def _footnote_labels(env: EnvType) -> dict[str, None]:
    labels = env.setdefault(_FOOTNOTES, {})
    assert isinstance(labels, dict)
    return labels


def _footnote_def(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("[^", start):
        return False
    m = _FOOTNOTE_DEF.match(state.src, start, state.eMarks[start_line])
    if m is None:
        return False
    if silent:
        return True
    label = m.group(1)
    _footnote_labels(state.env)[label] = None

    container = _container(state)
    opening = state.push("footnote_def_open", "", 1)
    opening.meta = {"label": label}
    if container is not None and container.type in _ONE_BLOCK_AT_A_TIME:
        # Python-Markdown hands an admonition's or a tab's body to the block parser one
        # block at a time, so a note there ends at its first blank line; its indented
        # continuation stays in the box (as code).
        end_line = start_line + 1
        while end_line < state.lineMax and not state.isEmpty(end_line):
            end_line += 1
    saved = (
        state.bMarks[start_line],
        state.tShift[start_line],
        state.sCount[start_line],
        state.blkIndent,
        state.parentType,
        state.lineMax,
    )
    state.blkIndent += 4
    state.bMarks[start_line] = m.end()
    state.tShift[start_line] = 0
    state.sCount[start_line] = state.blkIndent
    state.parentType = "footnote"
    state.lineMax = end_line
    state.md.block.tokenize(state, start_line, end_line)
    (
        state.bMarks[start_line],
        state.tShift[start_line],
        state.sCount[start_line],
        state.blkIndent,
        state.parentType,
        state.lineMax,
    ) = saved
    opening.map = [start_line, state.line]
    state.push("footnote_def_close", "", -1)
    return True


def _footnote_ref(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not state.src.startswith("[^", pos):
        return False
    labels = state.env.get(_FOOTNOTES)
    if not labels:
        return False
    end = state.src.find("]", pos + 2, state.posMax)
    if end < 0:
        return False
    label = state.src[pos + 2 : end]
    if label not in labels:
        return False
    if not silent:
        token = state.push("footnote_ref", "sup", 0)
        token.meta = {"label": label}
    state.pos = end + 1
    return True


@dataclass
class _Footnotes:
    """The page's footnotes: definitions in definition order, numbers, reference counts."""

    options: Options
    content: dict[str, list[Token]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    refs: dict[str, int] = field(default_factory=dict)

    @property
    def separator(self) -> str:
        return _str_option(self.options, "SEPARATOR", ":")

    def note_id(self, label: str) -> str:
        return f"fn{self.separator}{label}"

    def ref_id(self, label: str, nth: int) -> str:
        return f"fnref{nth if nth > 1 else ''}{self.separator}{label}"


def _extract_definitions(tokens: list[Token]) -> tuple[list[Token], dict[str, list[Token]]]:
    """Remove definitions from the stream; the last definition of a label wins, in the place
    of the first (Python-Markdown keeps an ordered dict)."""
    kept: list[Token] = []
    content: dict[str, list[Token]] = {}
    stack: list[tuple[str, list[Token]]] = []
    for token in tokens:
        if token.type == "footnote_def_open":
            stack.append((str(token.meta["label"]), []))
        elif token.type == "footnote_def_close":
            label, body = stack.pop()
            content[label] = body
        elif stack:
            stack[-1][1].append(token)
        else:
            kept.append(token)
    return kept, content


def _refs_in(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in _inline_tokens(tokens):
        for child in token.children or ():
            if child.type == "footnote_ref":
                yield child


def _refs_by_depth(tokens: Sequence[Token], depth_offset: int) -> Iterator[tuple[int, Token]]:
    """References with the depth of the element whose text holds them on the site."""
    for i, token in enumerate(tokens):
        if token.type != "inline":
            continue
        # A tight list item's or definition's text belongs to the item itself.
        depth = token.level + depth_offset - (1 if i and tokens[i - 1].hidden else 0)
        for child in token.children or ():
            if child.type == "footnote_ref":
                yield depth, child


def _site_order(notes: _Footnotes, tokens: Sequence[Token]) -> list[Token]:
    """References in the order Python-Markdown meets them: its inline pass walks the page
    breadth-first (every text at one depth, in page order, before the next depth), with the
    notes at the page's foot (``div > ol > li > p``: a note's paragraph is at depth 4)."""
    keyed: list[tuple[int, int, int, Token]] = []
    groups = [(tokens, 0), *((body, 3 - body[0].level) for body in notes.content.values() if body)]
    for group, (run, offset) in enumerate(groups):
        for position, (depth, ref) in enumerate(_refs_by_depth(run, offset)):
            keyed.append((depth, group, position, ref))
    keyed.sort(key=lambda k: k[:3])
    return [ref for *_, ref in keyed]


def _number_footnotes(notes: _Footnotes, tokens: Sequence[Token]) -> None:
    order = list(notes.content)
    every_ref = _site_order(notes, tokens)
    if not _bool_option(notes.options, "USE_DEFINITION_ORDER", True):
        first_seen = list(dict.fromkeys(str(r.meta["label"]) for r in every_ref))
        order = first_seen + [label for label in order if label not in first_seen]
    notes.numbers = {label: i for i, label in enumerate(order, start=1)}
    text = _str_option(notes.options, "SUPERSCRIPT_TEXT", "{}")
    for ref in every_ref:
        label = str(ref.meta["label"])
        notes.refs[label] = notes.refs.get(label, 0) + 1
        ref.meta["number"] = notes.numbers[label]
        ref.meta["text"] = text.format(notes.numbers[label])
        ref.meta["id"] = notes.ref_id(label, notes.refs[label])
        ref.meta["href"] = "#" + notes.note_id(label)


def _note_tokens(notes: _Footnotes, label: str) -> list[Token]:
    number = notes.numbers[label]
    opening = Token("footnote_open", "li", 1)
    opening.block = True
    opening.attrs = {"id": notes.note_id(label)}
    body = copy.deepcopy(notes.content[label])
    closing = Token("footnote_close", "li", -1)
    closing.block = True
    if not body:
        return [opening, closing]
    title = _str_option(notes.options, "BACKLINK_TITLE", "Jump back to footnote %d in the text")
    anchors: list[Token] = []
    for nth in range(1, max(1, notes.refs.get(label, 0)) + 1):
        anchor = Token("footnote_anchor", "a", 0)
        anchor.meta = {
            "href": "#" + notes.ref_id(label, nth),
            "title": title.replace("%d", "{}").format(number),
            "text": _str_option(notes.options, "BACKLINK_TEXT", "&#8617;"),
            "nbsp": False,
        }
        anchors.append(anchor)
    if body[-1].type == "paragraph_close" and body[-2].type == "inline":
        anchors[0].meta["nbsp"] = True
        inline = body[-2]
        inline.children = [*(inline.children or []), *anchors]
    else:
        wrapper = Token("inline", "", 0)
        wrapper.children = anchors
        paragraph = [Token("paragraph_open", "p", 1), wrapper, Token("paragraph_close", "p", -1)]
        paragraph[0].block = paragraph[2].block = True
        body += paragraph
    return [opening, *body, closing]


def _notes_block(notes: _Footnotes, labels: Sequence[str]) -> list[Token]:
    """``<div class="footnote"><hr>`` and the notes in page order: one ``<ol start>`` per run
    of consecutive numbers, so every note keeps its number on the page."""
    opening = Token("footnote_block_open", "div", 1)
    opening.block = True
    out = [opening]
    previous = 0
    for label in sorted(labels, key=lambda lb: notes.numbers[lb]):
        number = notes.numbers[label]
        if number != previous + 1 or previous == 0:
            if previous:
                out.append(_block_token("footnote_list_close", "ol", -1))
            out.append(_block_token("footnote_list_open", "ol", 1))
            if number != 1:
                out[-1].attrs = {"start": str(number)}
        out += _note_tokens(notes, label)
        previous = number
    out.append(_block_token("footnote_list_close", "ol", -1))
    return [*out, _block_token("footnote_block_close", "div", -1)]


def _block_token(kind: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
    token = Token(kind, tag, nesting)
    token.block = True
    return token


def _with_cited_notes(notes: _Footnotes, cited: dict[str, None]) -> list[str]:
    """The labels a box cites, and the labels those notes cite, and so on."""
    todo = list(cited)
    seen: dict[str, None] = {}
    while todo:
        label = todo.pop(0)
        if label in seen or label not in notes.content:
            continue
        seen[label] = None
        todo += [str(r.meta["label"]) for r in _refs_in(notes.content[label])]
    return list(seen)


def _answer_end(body: Sequence[Token]) -> int:
    """Where the answer ends in a box's body: before its trailing link list and label."""
    parts = blocks(body)
    end = len(parts)
    while end > 0 and link_only(parts[end - 1]) is not None:
        end -= 1
    if end < len(parts) and end > 0 and _is_label(parts[end - 1]):
        end -= 1
    return sum(len(part) for part in parts[:end])


def _place_notes(notes: _Footnotes, tokens: list[Token]) -> list[Token]:
    """Copy into every admonition the notes cited directly inside it (nested boxes get their
    own)."""
    out: list[Token] = []
    # Per open box: where its body starts in `out`, and the labels cited so far.
    stack: list[tuple[int, dict[str, None]]] = []
    for token in tokens:
        if token.type == "admonition_close" and stack:
            body_start, cited = stack.pop()
            if cited:
                at = body_start + _answer_end(out[body_start:])
                out[at:at] = _notes_block(notes, _with_cited_notes(notes, cited))
        out.append(token)
        if token.type == "admonition_open":
            stack.append((len(out), {}))
        elif token.type == "admonition_title_close" and stack and stack[-1][0] == len(out) - 3:
            stack[-1] = (len(out), stack[-1][1])
        elif token.type == "inline" and stack:
            for child in token.children or ():
                if child.type == "footnote_ref":
                    stack[-1][1][str(child.meta["label"])] = None
    return out


def _render_footnote_ref(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    return (
        f'<sup id="{html.escape(meta["id"])}"><a class="footnote-ref" '
        f'href="{html.escape(meta["href"])}">{html.escape(meta["text"])}</a></sup>'
    )


def _render_footnote_anchor(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    nbsp = "&#160;" if meta["nbsp"] else ""
    return (
        f'{nbsp}<a class="footnote-backref" href="{html.escape(meta["href"])}" '
        f'title="{html.escape(meta["title"])}">{meta["text"]}</a>'
    )


def _render_footnote_block_open(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<div class="footnote">\n<hr>\n'


def footnotes_plugin(md: MarkdownIt, options: Options) -> None:
    """Python-Markdown's ``footnotes`` (``SEPARATOR``, ``SUPERSCRIPT_TEXT``, ``BACKLINK_TEXT``,
    ``BACKLINK_TITLE``, ``USE_DEFINITION_ORDER``)."""

    def footnote_tail(state: StateCore) -> None:
        if _FOOTNOTES not in state.env:
            return
        kept, content = _extract_definitions(state.tokens)
        notes = _Footnotes(options, content)
        _number_footnotes(notes, kept)
        state.tokens = _place_notes(notes, kept)

    md.block.ruler.before(
        "reference", "footnote_def", _footnote_def, {"alt": ["paragraph", "reference"]}
    )
    md.inline.ruler.before("link", "footnote_ref", _footnote_ref)
    md.core.ruler.after("inline", "footnote_tail", footnote_tail)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.add_render_rule("footnote_anchor", _render_footnote_anchor)
    md.add_render_rule("footnote_block_open", _render_footnote_block_open)


# --------------------------------------------------------------------------- def_list

_DD_MARKER = re.compile(r":[ \t]+")


def _dd_content(state: StateBlock, line: int, base: int) -> int | None:
    """Where a ``:   definition`` line's content starts, if ``line`` is one at ``base``."""
    if line >= state.lineMax or not 0 <= state.sCount[line] - base < 4:
        return None
    start = state.bMarks[line] + state.tShift[line]
    m = _DD_MARKER.match(state.src, start, state.eMarks[line])
    return m.end() if m else None


def _terms(state: StateBlock, start_line: int, end_line: int) -> tuple[int, int] | None:
    """``(first line after the terms, the definition's line)`` when ``start_line`` starts
    terms, else None. Terms are the lines of a paragraph; blank lines may separate them from
    the definition (Python-Markdown then takes the paragraph before as the terms)."""
    base = state.blkIndent
    line = start_line + 1
    while line < end_line and not state.isEmpty(line):
        if _dd_content(state, line, base) is not None:
            found = (line, line)
            break
        line += 1
    else:
        following = _next_nonblank(state, line, end_line)
        if following >= end_line or _dd_content(state, following, base) is None:
            return None
        found = (line, following)
    # The terms must be one paragraph: no other block may start among them.
    for term in range(start_line + 1, found[0]):
        if _interrupts_paragraph(state, term, end_line, "_deflist"):
            return None
    return found


def _push_dd(state: StateBlock, line: int, content: int, end_line: int, tight: bool) -> None:
    opening = state.push("dd_open", "dd", 1)
    opening.block = True
    first_token = len(state.tokens)
    saved = (
        state.bMarks[line],
        state.tShift[line],
        state.sCount[line],
        state.blkIndent,
        state.parentType,
        state.ddIndent,
    )
    state.blkIndent += 4
    state.ddIndent = state.blkIndent
    state.bMarks[line] = content
    state.tShift[line] = 0
    state.sCount[line] = state.blkIndent
    state.parentType = "deflist"
    state.md.block.tokenize(state, line, end_line)
    (
        state.bMarks[line],
        state.tShift[line],
        state.sCount[line],
        state.blkIndent,
        state.parentType,
        state.ddIndent,
    ) = saved
    opening.map = [line, state.line]
    # Python-Markdown leaves a lone first paragraph bare; more blocks wrap it in <p> too.
    if tight and len(state.tokens) == first_token + 3:
        first = state.tokens[first_token]
        if first.type == "paragraph_open":
            first.hidden = True
            state.tokens[first_token + 2].hidden = True
    closing = state.push("dd_close", "dd", -1)
    closing.block = True


_ANY_DD = re.compile(r"^[ \t]*:[ \t]", re.MULTILINE)
_HAS_DD = "ankigen_has_definition"


def _deflist(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    has_dd = state.env.get(_HAS_DD)
    if has_dd is None:  # once per page: most pages hold no `:   definition` line at all
        has_dd = state.env[_HAS_DD] = _ANY_DD.search(state.src) is not None
    if not has_dd:
        return False
    if silent:
        # Only as a paragraph terminator inside a definition: the next `:` line.
        return (
            state.ddIndent >= 0 and _dd_content(state, start_line, state.ddIndent - 4) is not None
        )
    base = state.blkIndent
    if state.sCount[start_line] - base >= 4:
        return False
    if _dd_content(state, start_line, base) is not None:
        # No terms: Python-Markdown still makes a definition list when the line follows
        # another block of the same container (a heading, a list, a box's title…).
        if not state.tokens or state.tokens[-1].nesting == 1:
            return False
        found: tuple[int, int] | None = (start_line, start_line)
    else:
        found = _terms(state, start_line, end_line)
    if found is None:
        return False

    opening = state.push("dl_open", "dl", 1)
    opening.block = True
    line = start_line
    while found is not None:
        terms_end, dd_line = found
        for term in range(line, terms_end):
            state.push("dt_open", "dt", 1).block = True
            inline = state.push("inline", "", 0)
            inline.content = _line_text(state, term).strip()
            inline.map = [term, term + 1]
            inline.children = []
            state.push("dt_close", "dt", -1).block = True
        tight = terms_end == dd_line
        while True:
            content = _dd_content(state, dd_line, base)
            assert content is not None
            _push_dd(state, dd_line, content, end_line, tight)
            following = _next_nonblank(state, state.line, end_line)
            if following < end_line and _dd_content(state, following, base) is not None:
                dd_line, tight = following, False
                continue
            break
        # A paragraph of terms with a definition right after a definition list continues it.
        line = _next_nonblank(state, state.line, end_line)
        found = None
        if line < end_line and state.sCount[line] - base < 4:
            found = _terms(state, line, end_line)
    opening.map = [start_line, state.line]
    closing = state.push("dl_close", "dl", -1)
    closing.block = True
    return True


def def_list_plugin(md: MarkdownIt, options: Options) -> None:
    """Python-Markdown's ``def_list``: ``Term`` lines, then ``:`` + spaces + the definition."""
    md.block.ruler.before("lheading", "deflist", _deflist, {"alt": ["paragraph"]})


# --------------------------------------------------------------------------- tasklist

_CHECKBOX = re.compile(r"(?P<checkbox> *\[(?P<state>[ xX])\] +)(?P<line>.*)", re.DOTALL)


def _checkbox_html(checked: bool, options: Options) -> str:
    disabled = "" if _bool_option(options, "clickable_checkbox", False) else " disabled"
    box = '<input type="checkbox"{}{}/>'.format(disabled, " checked" if checked else "")
    if _bool_option(options, "custom_checkbox", False):
        indicator = '<span class="task-list-indicator"></span>'
        box = f'<label class="task-list-control">{box}{indicator}</label>'
    return box + " "


def _enclosing(tokens: Sequence[Token], idx: int) -> int | None:
    """Index of the token that opens the block containing ``tokens[idx]``."""
    depth = 0
    for j in range(idx - 1, -1, -1):
        depth += tokens[j].nesting
        if depth > 0:
            return j
    return None


def tasklist_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.tasklist`` (``custom_checkbox``, ``clickable_checkbox``)."""

    def tasklist(state: StateCore) -> None:
        tokens = state.tokens
        for i, token in enumerate(tokens):
            if token.type != "list_item_open" or i + 2 >= len(tokens):
                continue
            if tokens[i + 1].type != "paragraph_open" or tokens[i + 2].type != "inline":
                continue
            inline = tokens[i + 2]
            m = _CHECKBOX.match(inline.content)
            children = inline.children or []
            if m is None or not children or children[0].type != "text":
                continue
            first = children[0]
            if not first.content.startswith(m.group("checkbox")):
                continue
            first.content = first.content[len(m.group("checkbox")) :]
            box = Token("task_checkbox", "input", 0)
            box.content = _checkbox_html(m.group("state") in "xX", options)
            inline.children = [box, *children]
            token.attrJoin("class", "task-list-item")
            parent = _enclosing(tokens, i)
            if parent is not None:
                classes = str(tokens[parent].attrGet("class") or "").split()
                if "task-list" not in classes:
                    tokens[parent].attrJoin("class", "task-list")

    md.core.ruler.after("inline", "pymdownx_tasklist", tasklist)
    md.add_render_rule("task_checkbox", _render_checkbox)


def _render_checkbox(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return tokens[idx].content


# --------------------------------------------------------------------------- abbr

_ABBR_DEF = re.compile(r"\*\[([^\\]*?)\] ?:[ \t]*(.*)")
_ABBRS = "ankigen_abbr"


def _abbr_def(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # Python-Markdown wants the `*` at the very start of the block's line.
    if state.sCount[start_line] != state.blkIndent:
        return False
    text = _line_text(state, start_line)
    if not text.startswith("*["):
        return False
    m = _ABBR_DEF.fullmatch(text.rstrip())
    if m is None:
        return False
    abbr, title = m.group(1).strip(), m.group(2).strip()
    used = 1
    if not title and start_line + 1 < end_line and not state.isEmpty(start_line + 1):
        title, used = _line_text(state, start_line + 1).strip(), 2
    if not (abbr and title):
        return False
    if silent:
        return True
    definitions = state.env.setdefault(_ABBRS, [])
    assert isinstance(definitions, list)
    definitions.append((abbr, title))
    state.line = start_line + used
    return True


def _abbr_split(child: Token, pattern: re.Pattern[str], titles: Mapping[str, str]) -> list[Token]:
    out: list[Token] = []
    last = 0
    text = child.content
    for m in pattern.finditer(text):
        if m.start() > last:
            out.append(_text(text[last : m.start()], child.level))
        opening = Token("abbr_open", "abbr", 1)
        opening.attrs = {"title": titles[m.group(0)]}
        out += [opening, _text(m.group(0), child.level + 1), Token("abbr_close", "abbr", -1)]
        last = m.end()
    if not out:
        return [child]
    if last < len(text):
        out.append(_text(text[last:], child.level))
    return out


def _text(content: str, level: int) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = level
    return token


def abbr_plugin(md: MarkdownIt, options: Options) -> None:
    """Python-Markdown's ``abbr`` (``glossary``); ``*[ABBR]: ""`` forgets an abbreviation."""
    glossary = options.get("glossary")

    def abbr(state: StateCore) -> None:
        titles: dict[str, str] = {}
        if isinstance(glossary, Mapping):
            titles.update({str(k): str(v) for k, v in glossary.items()})
        for name, title in state.env.get(_ABBRS, ()):
            if title in ("''", '""'):
                titles.pop(name, None)
            else:
                titles[name] = title
        titles = {name: title for name, title in titles.items() if title}
        if not titles:
            return
        names = sorted(titles, key=len, reverse=True)
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
        for inline in _inline_tokens(state.tokens):
            children: list[Token] = []
            for child in inline.children or ():
                if child.type == "text" and not child.meta.get("raw"):
                    children += _abbr_split(child, pattern, titles)
                else:
                    children.append(child)
            inline.children = children

    md.block.ruler.before("lheading", "abbr_def", _abbr_def, {"alt": ["paragraph"]})
    md.core.ruler.push("abbr", abbr)


# --------------------------------------------------------------------------- attr_list

_BASE = r"\{\:?[ ]*([^\}\n ][^\n]*)\}"
_HEADER_ATTRS = re.compile(rf"[ ]+{_BASE}[ ]*$")
_BLOCK_ATTRS = re.compile(rf"\n[ ]*{_BASE}[ ]*$")
_INLINE_ATTRS = re.compile(rf"^{_BASE}")
_ATTR_TOKEN = re.compile(
    r"""(?P<dq>[^ =}]+=".*?")|(?P<sq>[^ =}]+='.*?')|(?P<kv>[^ =}]+=[^ =}]+)"""
    r"""|(?P<word>[^ =}]+)|(?P<sp> )"""
)
_NAME_SANITIZE = re.compile(
    r"[^A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    r"\:\-\.0-9\u00b7\u0300-\u036f\u203f-\u2040]+"
)
# Python-Markdown's serializers.BOOLEAN_ATTRIBUTES for HTML output.
_BOOLEAN = frozenset(
    {
        "allowfullscreen", "allowpaymentrequest", "async", "autofocus", "autoplay",
        "checked", "controls", "default", "defer", "disabled", "formnovalidate", "hidden",
        "inert", "ismap", "itemscope", "loop", "multiple", "muted", "nomodule", "novalidate",
        "open", "playsinline", "readonly", "required", "reversed", "selected",
    }
)  # fmt: skip
_HEADINGS = frozenset({"heading_open"})
_CELLS = frozenset({"th_open", "td_open", "dt_open"})
_PLAIN = frozenset({"text", "softbreak", "text_special", "html_inline"})


def _parse_attrs(attrs: str) -> tuple[list[tuple[str, str | None]], str]:
    """attr_list's scanner: the attributes, and what is left from an unmatched ``}`` on."""
    found: list[tuple[str, str | None]] = []
    pos = 0
    while pos < len(attrs):
        m = _ATTR_TOKEN.match(attrs, pos)
        if m is None:
            break
        pos = m.end()
        text = m.group(0)
        if m.group("dq") or m.group("sq"):
            key, value = text.split("=", 1)
            found.append((key, value.strip(text[-1])))
        elif m.group("kv"):
            key, value = text.split("=", 1)
            found.append((key, value))
        elif m.group("word"):
            if text.startswith("."):
                found.append((".", text[1:]))
            elif text.startswith("#"):
                found.append(("id", text[1:]))
            else:
                found.append((text, None))
    rest = attrs[pos:]
    brace = rest.find("}")
    return found, rest[brace:] if brace != -1 else ""


def _assign(target: Token, attrs: str, *, strict: bool) -> str | None:
    """Set the attributes on ``target``; the leftover text, or None when nothing was taken."""
    found, rest = _parse_attrs(attrs)
    if strict and rest:
        return None
    for key, value in found:
        if key == ".":
            target.attrJoin("class", value or "")
        elif value is None:
            name = _NAME_SANITIZE.sub("_", key)
            target.attrSet(name, name if name.lower() in _BOOLEAN else "")
        else:
            target.attrSet(_NAME_SANITIZE.sub("_", key), value)
    return rest


def _tail(children: Sequence[Token]) -> int:
    """Start of the trailing run of plain text (the last element's "tail")."""
    start = len(children)
    while start > 0 and children[start - 1].type in _PLAIN:
        start -= 1
    return start


def _cut(children: list[Token], start: int, keep: int, strip_hashes: bool) -> list[Token]:
    """Keep the first ``keep`` characters of the plain-text run ``children[start:]``."""
    out = children[:start]
    seen = 0
    for child in children[start:]:
        size = 1 if child.type == "softbreak" else len(child.content)
        if seen + size <= keep:
            out.append(child)
        elif seen < keep and child.type != "softbreak":
            child.content = child.content[: keep - seen]
            out.append(child)
        seen += size
    if strip_hashes and out and out[-1].type == "text":
        out[-1].content = out[-1].content.rstrip("#").rstrip()
    return out


def _block_attrs(tokens: Sequence[Token], idx: int, inline: Token) -> None:
    opener = tokens[idx - 1]
    if opener.type in _HEADINGS or opener.type in _CELLS:
        pattern = _HEADER_ATTRS
    elif opener.type == "paragraph_open":
        pattern = _BLOCK_ATTRS
    else:
        return
    target = opener
    if opener.hidden:  # a tight list item or definition: the attributes go to the item
        parent = _enclosing(tokens, idx - 1)
        if parent is None:
            return
        target = tokens[parent]
    children = list(inline.children or [])
    start = _tail(children)
    tail = "".join("\n" if c.type == "softbreak" else c.content for c in children[start:])
    m = pattern.search(tail)
    if m is None or _assign(target, m.group(1), strict=True) is None:
        return
    inline.children = _cut(children, start, m.start(), opener.type in _HEADINGS)


def _matching_open(children: Sequence[Token], close: int) -> Token | None:
    depth = 0
    for j in range(close, -1, -1):
        depth += children[j].nesting
        if depth == 0:
            return children[j]
    return None


def _inline_attrs(inline: Token) -> None:
    children = inline.children or []
    for i in range(len(children) - 1):
        element = children[i]
        after = children[i + 1]
        if after.type != "text" or not after.content.startswith("{"):
            continue
        if element.nesting == -1:
            target = _matching_open(children, i)
        elif element.type in ("code_inline", "image", "math_inline", "hardbreak"):
            target = element
        else:
            continue
        m = _INLINE_ATTRS.match(after.content)
        if target is None or m is None:
            continue
        rest = _assign(target, m.group(1), strict=False) or ""
        after.content = after.content[m.end() :] + rest


def attr_list_plugin(md: MarkdownIt, options: Options) -> None:
    """Python-Markdown's ``attr_list``."""

    def attr_list(state: StateCore) -> None:
        if "{" not in state.src:  # no attribute list anywhere on the page
            return
        tokens = state.tokens
        for idx, token in enumerate(tokens):
            if token.type == "inline" and token.children:
                _inline_attrs(token)
                if idx > 0:
                    _block_attrs(tokens, idx, token)

    md.core.ruler.before("text_join", "attr_list", attr_list)


# ------------------------------------------------------------------ md_in_html, <details>

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
_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*\n)+")


class HtmlDetailsHeader(AdmonitionHeader):
    """A raw ``<details>``: like ``???`` with its classes; a classless one is a ``details``."""

    __slots__ = ()

    @property
    def kind(self) -> str:
        return self.classes[0] if self.classes else "details"


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


def _raw(state: StateBlock, begin: int, end: int) -> None:
    """Raw HTML ``src[begin:end]``; ``<details>`` boxes starting a line in it stay boxes."""
    pos = begin
    for m in re.finditer(r"(?m)^[ \t]{0,3}(<details\b)", state.src[begin:end]):
        at = begin + m.start(1)
        if at < pos:
            continue
        element = _element(state.src, at, end)
        if element is None:
            continue
        _push_html(state, state.src[pos:at], pos)
        _push_details(state, element, "off", raw=True)
        pos = element.close_end
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
            token = _text(html.unescape(piece), 1)
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


def _reads_html(container: Token) -> bool:
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
        container = _container(state)
        if container is not None and not _reads_html(container):
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


def _install(md: MarkdownIt, markdown_in_html: bool) -> None:
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
