"""Python-Markdown's ``footnotes``: ``text[^label]`` + ``[^label]: note``, as the site shows them.

References show the page's footnote number. A card cannot show the page's foot, so every box
(card or not) gets the notes its own text refers to (and the notes those refer to) as a
``<div class="footnote">`` at the end of its answer, before the trailing link list, numbered
as on the page.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ankigen.syntax._blocks import (
    Options,
    bool_option,
    container_token,
    inline_tokens,
    str_option,
)
from ankigen.syntax.linklist import blocks, is_label, link_only

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.utils import EnvType, OptionsDict


__all__ = ["footnotes_plugin"]

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

    container = container_token(state)
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
        return str_option(self.options, "SEPARATOR", ":")

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
    for token in inline_tokens(tokens):
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
    if not bool_option(notes.options, "USE_DEFINITION_ORDER", True):
        first_seen = list(dict.fromkeys(str(r.meta["label"]) for r in every_ref))
        order = first_seen + [label for label in order if label not in first_seen]
    notes.numbers = {label: i for i, label in enumerate(order, start=1)}
    text = str_option(notes.options, "SUPERSCRIPT_TEXT", "{}")
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
    title = str_option(notes.options, "BACKLINK_TITLE", "Jump back to footnote %d in the text")
    anchors: list[Token] = []
    for nth in range(1, max(1, notes.refs.get(label, 0)) + 1):
        anchor = Token("footnote_anchor", "a", 0)
        anchor.meta = {
            "href": "#" + notes.ref_id(label, nth),
            "title": title.replace("%d", "{}").format(number),
            "text": str_option(notes.options, "BACKLINK_TEXT", "&#8617;"),
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
    if end < len(parts) and end > 0 and is_label(parts[end - 1]):
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
