"""``pymdownx.mark`` (``==text==`` -> ``<mark>``), ``pymdownx.caret`` (``^^text^^`` ->
``<ins>``, ``^text^`` -> ``<sup>``) and ``pymdownx.tilde`` (``~~text~~`` -> ``<del>``,
``~text~`` -> ``<sub>``).

The three share one delimiter scheme, modelled on what pymdownx's delimiter processor shows
(checked against it by tests/test_ext_inline.py):

- a run of markers can open and/or close by what is on either side of it: whitespace,
  Unicode punctuation and symbols (CommonMark's flanking rules; caret and tilde ignore
  punctuation unless ``punctuation`` is on), or a code span, link, escape or emphasis, which
  Python-Markdown has already replaced by a placeholder at that point;
- runs pair one marker at a time, closers left to right, never across an emphasis or another
  span; a doubled pair is the "double" tag (``<mark>``, ``<ins>``, ``<del>``), a single pair
  the "single" tag (``<sup>``, ``<sub>``), and a single pair may not enclose unescaped
  whitespace (Pandoc's rule: ``^a b^`` is text, ``^a\\ b^`` is a superscript).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token

from ankigen.syntax._inline import (
    ETX,
    PLACEHOLDER,
    PLACEHOLDER_TYPES,
    STX,
    Options,
    is_punct,
    is_space,
    is_word,
    option,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


__all__ = ["caret_plugin", "mark_plugin", "tilde_plugin"]


@dataclass(frozen=True)
class _SpanSpec:
    marker: str
    double_tag: str | None  # the tag of ``XXtextXX``; None: doubled markers nest singles
    single_tag: str | None  # the tag of ``XtextX``; None: single markers are text
    smart: bool  # no intra-word opening / closing
    punct: bool  # CommonMark's punctuation rules for flanking
    no_space: bool  # a single pair must not enclose unescaped whitespace

    @property
    def name(self) -> str:
        return f"pymdownx_span_{ord(self.marker):x}"


def _run_flags(
    spec: _SpanSpec, prev: str | None, nxt: str | None, length: int
) -> list[tuple[bool, bool, int]]:
    """(opens, closes, run length) for each marker of a run between ``prev`` and ``nxt``.

    ``prev`` / ``nxt`` are the neighbouring characters, ``None`` at the start / end of the
    text, ``ETX`` / ``STX`` when a placeholder (code span, link, …) ends / starts there.
    """
    prev_blocks_close = prev is None or is_space(prev) or (spec.punct and is_punct(prev))
    next_blocks_open = nxt is None or is_space(nxt) or (spec.punct and is_punct(nxt))
    # The smart rule (no opening right after a word character, no closing right before
    # one); with the no-space rule pymdownx keeps it for runs of two only, and reads a run
    # of two it stops altogether as a closing marker and an opening one (``x^^y^^z`` is
    # ``x^<sup>y</sup>^z``).
    smart = spec.smart and (not spec.no_space or length == 2)
    after_word = smart and prev != "_" and is_word(prev)
    before_word = smart and nxt != "_" and is_word(nxt)
    # Punctuation (or a placeholder) on both sides: either way.
    both = (
        not prev_blocks_close and not next_blocks_open and not after_word and not before_word
    ) or ((is_punct(prev) or prev == ETX) and (nxt == STX or is_punct(nxt)))
    closes = (not prev_blocks_close and not before_word) or (
        is_punct(prev) and (nxt is None or is_space(nxt) or nxt == STX or is_punct(nxt))
    )
    opens = (not next_blocks_open and not after_word) or (
        (prev is None or is_space(prev) or prev == ETX or is_punct(prev)) and is_punct(nxt)
    )
    if spec.no_space and smart and not (both or opens or closes):
        return [(False, not prev_blocks_close, 1), (not next_blocks_open, False, 1)]
    return [(both or opens, both or closes, length)] * length


def _span_rules(md: MarkdownIt, spec: _SpanSpec) -> None:
    marker = spec.marker
    code = ord(marker)
    # Runs found while tokenizing one inline text: (first token, start, end) in the source.
    runs: weakref.WeakKeyDictionary[StateInline, list[tuple[int, int, int]]] = (
        weakref.WeakKeyDictionary()
    )

    def tokenize(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if silent or state.src[start] != marker:
            return False
        end = start
        while end < state.posMax and state.src[end] == marker:
            end += 1
        if spec.single_tag is None and end - start < 2:
            return False  # a lone marker can never be used: plain text
        if state.pending:
            state.pushPending()
        first = len(state.tokens)
        for _ in range(end - start):
            token = state.push("text", "", 0)
            token.content = marker
            state.delimiters.append(
                Delimiter(
                    marker=code,
                    length=end - start,
                    token=len(state.tokens) - 1,
                    end=-1,
                    open=False,
                    close=False,
                )
            )
        runs.setdefault(state, []).append((first, start, end))
        state.pos = end
        return True

    def pairing(state: StateInline) -> None:
        """Decide whether each run opens / closes, now that its neighbour tokens are known,
        and pair them (markdown-it's ``balance_pairs`` then leaves these delimiters alone)."""
        found = runs.pop(state, None)
        if not found:
            return
        decided: dict[int, tuple[bool, bool, int]] = {}
        emphasis = _emphasis_edges(state)
        for first, start, end in found:
            last = first + end - start - 1
            before = state.src[start - 1] if start else None
            after = state.src[end] if end < len(state.src) else None
            prev = _neighbour(state, first - 1, before, -1, emphasis)
            nxt = _neighbour(state, last + 1, after, 1, emphasis)
            for index, flags in enumerate(_run_flags(spec, prev, nxt, end - start), first):
                decided[index] = flags
        for delimiters in _delimiter_lists(state):
            for delim in delimiters:
                if delim.marker == code and delim.token in decided:
                    delim.open, delim.close, delim.length = decided[delim.token]
            _balance(state, delimiters, spec)

    def post_process(state: StateInline) -> None:
        if spec.marker not in state.src:  # nothing of ours in this inline: most text
            return
        for delimiters in _delimiter_lists(state):
            _pair_tags(state, delimiters, spec)

    md.inline.ruler.before("emphasis", spec.name, tokenize)
    md.inline.ruler2.after("balance_pairs", spec.name + "_pairs", pairing)
    md.inline.ruler2.after("emphasis", spec.name, post_process)


def _balance(state: StateInline, delimiters: list[Delimiter], spec: _SpanSpec) -> None:
    """Pair one marker's delimiters, one character each, closers left to right.

    As CommonMark, except that:

    - its "rule of 3" only applies to a closer that could also open (``x^2^^`` is
      ``x<sup>2</sup>^``);
    - a single-marker pair may not enclose whitespace: the closer then pairs with an earlier
      opener, or becomes an opener itself (``~5 and x~a\\ b~`` subscripts ``a b``);
    - a pair never crosses an emphasis pair (Python-Markdown reads emphasis first, and its
      content as a text of its own) nor a pair of another pymdownx marker paired before.
    """
    code = ord(spec.marker)
    gap_rule = spec.no_space and spec.single_tag is not None
    scope, hidden = _scopes(delimiters, code, gap_rule)
    # Unpaired openers per scope (the innermost enclosing pair, -1 for none).
    openers: dict[int, list[int]] = {}
    # Per scope and kind of closer, how many openers at the bottom of that scope's stack a
    # closer of that kind can never pair with (they failed an earlier one): linear time.
    bottom: dict[tuple[int, bool, int, bool], int] = {}
    run_start = 0  # index of the first delimiter of the closer's own run
    for index, closer in enumerate(delimiters):
        if closer.marker != code:
            continue
        previous = delimiters[index - 1] if index else None
        if previous is None or previous.marker != code or previous.token != closer.token - 1:
            run_start = index
        stack = openers.setdefault(scope[index], [])
        if not closer.close:
            if closer.open:
                stack.append(index)
            continue
        kind = (scope[index], closer.open, closer.length % 3, closer.length == 1)
        own_run = len(stack)
        while own_run and stack[own_run - 1] >= run_start:
            own_run -= 1
        gapped = False  # a single pair with a deeper opener encloses that whitespace too
        for depth in range(own_run - 1, bottom.get(kind, 0) - 1, -1):
            opener = delimiters[stack[depth]]
            if (
                closer.open
                and (opener.length + closer.length) % 3 == 0
                and (opener.length % 3 or closer.length % 3)
            ):
                continue
            if gap_rule and (spec.double_tag is None or 1 in (opener.length, closer.length)):
                gapped = gapped or _has_space(state, opener.token, closer.token, hidden)
                if gapped:
                    continue
            opener.end = index
            del stack[depth:]  # openers in between can no longer pair
            for key, value in bottom.items():
                if key[0] == scope[index]:
                    bottom[key] = min(value, depth)
            break
        else:
            bottom[kind] = own_run
            if closer.open:
                stack.append(index)
    for delim in delimiters:
        if delim.marker == code:
            delim.open = delim.close = False


def _scopes(
    delimiters: list[Delimiter], code: int, want_hidden: bool
) -> tuple[dict[int, int], frozenset[int]]:
    """For each delimiter of ``code``, the index of the innermost pair enclosing it (-1 for
    none); and the tokens inside emphasis, which Python-Markdown has made placeholders."""
    scope: dict[int, int] = {}
    enclosing: list[tuple[int, int]] = []
    emphasis: list[tuple[int, int]] = []
    for index, delim in enumerate(delimiters):
        while enclosing and enclosing[-1][1] < index:
            enclosing.pop()
        if delim.marker == code:
            scope[index] = enclosing[-1][0] if enclosing else -1
        elif delim.end > index:
            enclosing.append((index, delim.end))
            if want_hidden and delim.marker in (0x2A, 0x5F):  # * _
                emphasis.append((delim.token, delimiters[delim.end].token))
    if not emphasis:
        return scope, frozenset()
    # Emphasis pairs nest: count how many cover each token, in one pass.
    size = max(last for _, last in emphasis) + 1
    cover = [0] * (size + 1)
    for first, last in emphasis:
        cover[first + 1] += 1
        cover[last] -= 1
    hidden: set[int] = set()
    running = 0
    for index in range(size):
        running += cover[index]
        if running:
            hidden.add(index)
    return scope, frozenset(hidden)


def _delimiter_lists(state: StateInline) -> list[list[Delimiter]]:
    lists = [state.delimiters]
    lists.extend(meta["delimiters"] for meta in state.tokens_meta if meta and "delimiters" in meta)
    return lists


def _emphasis_edges(state: StateInline) -> dict[int, bool]:
    """Tokens of paired ``*`` / ``_`` delimiters: True for an opening one, False a closing."""
    edges: dict[int, bool] = {}
    for delimiters in _delimiter_lists(state):
        for delim in delimiters:
            if delim.marker in (0x2A, 0x5F) and delim.end >= 0:
                edges[delim.token] = True
                edges[delimiters[delim.end].token] = False
    return edges


def _neighbour(
    state: StateInline, index: int, raw: str | None, direction: int, emphasis: dict[int, bool]
) -> str | None:
    """The character beside a run as pymdownx's delimiter processor sees it.

    Constructs Python-Markdown has already replaced by placeholders (code, escapes, HTML,
    links, emphasis, math, keys, emoji, critic marks) read as ``ETX`` before and ``STX``
    after a run; the text of a link or an emphasis is a string of its own (its edges are the
    ends of the text).
    """
    if index < 0 or index >= len(state.tokens):
        return raw
    token = state.tokens[index]
    opening = token.type == "link_open" or emphasis.get(index) is True
    closing = token.type == "link_close" or emphasis.get(index) is False
    if direction < 0:
        if opening:
            return None
        if closing or token.type in PLACEHOLDER_TYPES or token.meta.get(PLACEHOLDER):
            return ETX
    else:
        if closing:
            return None
        if opening or token.type in PLACEHOLDER_TYPES or token.meta.get(PLACEHOLDER):
            return STX
    return raw


def _pair_tags(state: StateInline, delimiters: list[Delimiter], spec: _SpanSpec) -> None:
    """Turn matched pairs into tags, from the innermost: two adjacent pairs are one double."""
    code = ord(spec.marker)
    i = len(delimiters) - 1
    while i >= 0:
        start = delimiters[i]
        if start.marker != code or start.end == -1:
            i -= 1
            continue
        end = delimiters[start.end]
        double = (
            spec.double_tag is not None
            and i > 0
            and delimiters[i - 1].end == start.end + 1
            and delimiters[i - 1].marker == code
            and delimiters[i - 1].token == start.token - 1
            and delimiters[start.end + 1].token == end.token + 1
        )
        tag = spec.double_tag if double else spec.single_tag
        if tag is not None and (
            double or not spec.no_space or not _has_space(state, start.token, end.token)
        ):
            markup = spec.marker * (2 if double else 1)
            _retag(state.tokens[start.token], tag, 1, markup)
            _retag(state.tokens[end.token], tag, -1, markup)
            if double:
                state.tokens[delimiters[i - 1].token].content = ""
                state.tokens[delimiters[start.end + 1].token].content = ""
        i -= 2 if double else 1


def _retag(token: Token, tag: str, nesting: Literal[-1, 1], markup: str) -> None:
    token.type = f"{tag}_open" if nesting > 0 else f"{tag}_close"
    token.tag = tag
    token.nesting = nesting
    token.markup = markup
    token.content = ""
    token.meta = {**token.meta, "pymdownx_span": True}


def _has_space(
    state: StateInline, first: int, last: int, hidden: frozenset[int] = frozenset()
) -> bool:
    """Unescaped whitespace between two tokens, outside constructs that were placeholders."""
    depth = 0
    for index in range(first + 1, last):
        token = state.tokens[index]
        if index in hidden or token.meta.get("pymdownx_span"):
            continue  # mark / ins / sup / … spans are parsed together with this one
        if token.nesting > 0:
            depth += 1
        elif token.nesting < 0:
            depth -= 1
        elif depth == 0 and (
            token.type == "softbreak"
            or (token.type == "text" and any(ch.isspace() for ch in token.content))
        ):
            return True
    return False


def _escaped_space(state: StateInline, silent: bool) -> bool:
    """``\\ ``: an escaped space (a space a ``^sup^`` or ``~sub~`` may contain)."""
    pos = state.pos
    if state.src[pos] != "\\" or pos + 1 >= state.posMax or state.src[pos + 1] != " ":
        return False
    if not silent:
        token = state.push("text_special", "", 0)
        token.content = " "
        token.markup = "\\ "
        token.info = "escape"
    state.pos = pos + 2
    return True


def _span_plugin(
    md: MarkdownIt, options: Options, marker: str, tags: tuple[str, str], names: tuple[str, str]
) -> None:
    """caret / tilde: a double tag, a single tag, or both (pymdownx's option names)."""
    use_double = option(options, names[0], True)
    use_single = option(options, names[1], True)
    if not use_double and not use_single:
        return
    no_space = option(options, "no_space", True)
    smart = option(options, f"smart_{names[0]}", False)
    punct = option(options, "punctuation", False)
    if use_double and use_single:
        spec = _SpanSpec(marker, tags[0], tags[1], smart, punct, no_space)
    elif use_double:
        spec = _SpanSpec(marker, tags[0], None, smart, True, False)
    else:
        spec = _SpanSpec(marker, None, tags[1], smart, punct, no_space)
    if use_single and no_space and "pymdownx_escaped_space" not in md.inline.ruler.get_all_rules():
        md.inline.ruler.before("escape", "pymdownx_escaped_space", _escaped_space)
    _span_rules(md, spec)


def mark_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.mark``: ``==text==`` -> ``<mark>``."""
    smart = option(options, "smart_mark", False)
    _span_rules(md, _SpanSpec("=", "mark", None, smart, True, False))


def caret_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.caret``: ``^^text^^`` -> ``<ins>``, ``^text^`` -> ``<sup>``."""
    _span_plugin(md, options, "^", ("ins", "sup"), ("insert", "superscript"))


def tilde_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.tilde``: ``~~text~~`` -> ``<del>``, ``~text~`` -> ``<sub>``."""
    md.disable("strikethrough", ignoreInvalid=True)
    _span_plugin(md, options, "~", ("del", "sub"), ("delete", "subscript"))
