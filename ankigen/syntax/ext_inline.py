"""markdown-it rules for pymdown-extensions' inline syntax, as a mkdocs-material site shows it.

One plugin per Python-Markdown extension, each ``plugin(md, options)`` with the extension's own
option names and defaults (pymdown-extensions 10-13):

- ``pymdownx.mark``: ``==text==`` -> ``<mark>``.
- ``pymdownx.caret``: ``^^text^^`` -> ``<ins>``, ``^text^`` -> ``<sup>``.
- ``pymdownx.tilde``: ``~~text~~`` -> ``<del>``, ``~text~`` -> ``<sub>``.
- ``pymdownx.keys``: ``++ctrl+alt+delete++`` -> ``<span class="keys"><kbd …>Ctrl</kbd>…``.
- ``pymdownx.smartsymbols``: ``(c)``, ``-->``, ``1/4``, ``2nd`` … -> the symbol.
- ``pymdownx.critic``: ``{++ins++}``, ``{--del--}``, ``{~~old~>new~~}``, ``{==mark==}``,
  ``{>>comment<<}`` in the extension's default ``view`` mode (or ``accept`` / ``reject``).
- ``pymdownx.emoji``: ``:smile:`` -> the Unicode character itself (cards work offline: no
  image, no CDN), from pymdown-extensions' own emoji indexes.

None of them fires inside code spans, code blocks or math: they are inline rules, and those
are single tokens before any of these rules could see their text.

mark, caret and tilde share one delimiter scheme, modelled on what pymdownx's delimiter
processor shows (checked against it by tests/test_ext_inline.py):

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

import html
import importlib
import re
import unicodedata
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.utils import EnvType, OptionsDict

__all__ = [
    "caret_plugin",
    "critic_plugin",
    "emoji_char",
    "emoji_plugin",
    "keys_plugin",
    "mark_plugin",
    "smartsymbols_plugin",
    "tilde_plugin",
]

Options = Mapping[str, object]

# Stand-ins for "a placeholder starts / ends here" (Python-Markdown's STX / ETX).
_STX = "\x02"
_ETX = "\x03"
_WORD = re.compile(r"\w")

# Tokens that Python-Markdown has turned into placeholders before its delimiter processor
# (priority 60) runs: code, escapes, raw HTML, links, images, math, emoji, keys, critic marks.
_PLACEHOLDER_TYPES = frozenset(
    {
        "code_inline",
        "text_special",
        "html_inline",
        "image",
        "math_inline",
        "math_inline_double",
    }
)
_PLACEHOLDER = "pymdownx_placeholder"


def _option(options: Options, name: str, default: bool) -> bool:
    value = options.get(name, default)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _is_space(ch: str | None) -> bool:
    return ch is not None and ch.isspace()


def _is_punct(ch: str | None) -> bool:
    """Unicode punctuation or symbol (CommonMark's definition, and pymdownx's ``PUNCT``)."""
    return ch is not None and ch not in (_STX, _ETX) and unicodedata.category(ch)[0] in "PS"


def _is_word(ch: str | None) -> bool:
    return ch is not None and _WORD.match(ch) is not None


# ----------------------------------------------------------------- delimiter spans


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
    text, ``_ETX`` / ``_STX`` when a placeholder (code span, link, …) ends / starts there.
    """
    prev_blocks_close = prev is None or _is_space(prev) or (spec.punct and _is_punct(prev))
    next_blocks_open = nxt is None or _is_space(nxt) or (spec.punct and _is_punct(nxt))
    # The smart rule (no opening right after a word character, no closing right before
    # one); with the no-space rule pymdownx keeps it for runs of two only, and reads a run
    # of two it stops altogether as a closing marker and an opening one (``x^^y^^z`` is
    # ``x^<sup>y</sup>^z``).
    smart = spec.smart and (not spec.no_space or length == 2)
    after_word = smart and prev != "_" and _is_word(prev)
    before_word = smart and nxt != "_" and _is_word(nxt)
    # Punctuation (or a placeholder) on both sides: either way.
    both = (
        not prev_blocks_close and not next_blocks_open and not after_word and not before_word
    ) or ((_is_punct(prev) or prev == _ETX) and (nxt == _STX or _is_punct(nxt)))
    closes = (not prev_blocks_close and not before_word) or (
        _is_punct(prev) and (nxt is None or _is_space(nxt) or nxt == _STX or _is_punct(nxt))
    )
    opens = (not next_blocks_open and not after_word) or (
        (prev is None or _is_space(prev) or prev == _ETX or _is_punct(prev)) and _is_punct(nxt)
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
    links, emphasis, math, keys, emoji, critic marks) read as ``_ETX`` before and ``_STX``
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
        if closing or token.type in _PLACEHOLDER_TYPES or token.meta.get(_PLACEHOLDER):
            return _ETX
    else:
        if closing:
            return None
        if opening or token.type in _PLACEHOLDER_TYPES or token.meta.get(_PLACEHOLDER):
            return _STX
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
    use_double = _option(options, names[0], True)
    use_single = _option(options, names[1], True)
    if not use_double and not use_single:
        return
    no_space = _option(options, "no_space", True)
    smart = _option(options, f"smart_{names[0]}", False)
    punct = _option(options, "punctuation", False)
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
    smart = _option(options, "smart_mark", False)
    _span_rules(md, _SpanSpec("=", "mark", None, smart, True, False))


def caret_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.caret``: ``^^text^^`` -> ``<ins>``, ``^text^`` -> ``<sup>``."""
    _span_plugin(md, options, "^", ("ins", "sup"), ("insert", "superscript"))


def tilde_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.tilde``: ``~~text~~`` -> ``<del>``, ``~text~`` -> ``<sub>``."""
    md.disable("strikethrough", ignoreInvalid=True)
    _span_plugin(md, options, "~", ("del", "sub"), ("delete", "subscript"))


# ------------------------------------------------------------------------------ keys

_KEY = re.compile(r"""[\w\-]+|"(?:\\.|[^\\"])+"|'(?:\\.|[^\\'])+'""")
_BACKSLASH_ESCAPE = re.compile(r"\\(.)")


def _scan_keys(src: str, pos: int, maximum: int) -> tuple[list[str], int] | None:
    """``++key+key++`` from ``pos`` (just after the opening ``++``): the keys and the end."""
    keys: list[str] = []
    while True:
        m = _KEY.match(src, pos, maximum)
        if m is None:
            return None
        keys.append(m.group(0))
        pos = m.end()
        if src.startswith("++", pos) and pos + 2 <= maximum:
            return keys, pos + 2
        if pos < maximum and src[pos] == "+":
            pos += 1
            continue
        return None


def _camel_to_dashes(key: str) -> str:
    out: list[str] = []
    last = ""
    for ch in key:
        if ch.isupper():
            out.append(ch.lower() if not last or last == "-" else "-" + ch.lower())
        else:
            out.append(ch)
        last = ch
    return "".join(out)


@dataclass(frozen=True)
class _KeysConfig:
    separator: str
    wrapper: str
    classes: str
    camel_case: bool
    keymap: Mapping[str, str]
    aliases: Mapping[str, str]

    def label(self, key: str) -> tuple[str | None, str] | None:
        """(canonical key, label) of one key; None when the keymap does not know it."""
        if key[0] in "\"'":
            return None, html.unescape(_BACKSLASH_ESCAPE.sub(r"\1", key[1:-1])).strip()
        name = _camel_to_dashes(key) if self.camel_case else key
        canonical = self.aliases.get(name, name)
        label = self.keymap.get(canonical)
        return (canonical, label) if label else None


def keys_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.keys``: ``++ctrl+alt+delete++`` -> the key labels in ``<kbd>`` elements."""
    keymap_db: Any = importlib.import_module("pymdownx.keymap_db")  # pymdownx's US key map
    extra = options.get("key_map") or {}
    keymap = dict(keymap_db.keymap)
    if isinstance(extra, Mapping):
        keymap.update({str(k): str(v) for k, v in extra.items()})
    separator = options.get("separator", "+")
    classes = options.get("class", "keys")
    config = _KeysConfig(
        separator=str(separator) if separator is not None else "",
        wrapper="kbd" if _option(options, "strict", False) else "span",
        classes=" ".join(str(classes).split()) if classes else "",
        camel_case=_option(options, "camel_case", False),
        keymap=keymap,
        aliases=dict(keymap_db.aliases),
    )
    # Python-Markdown looks for quoted keys first and for plain ones later; a match whose
    # keys are not all known is skipped as a whole by that pass, never retried inside.
    skip_quoted: weakref.WeakKeyDictionary[StateInline, int] = weakref.WeakKeyDictionary()
    skip_plain: weakref.WeakKeyDictionary[StateInline, int] = weakref.WeakKeyDictionary()

    def rule(state: StateInline, silent: bool) -> bool:
        pos = state.pos
        if pos + 2 > state.posMax or not state.src.startswith("++", pos):
            return False
        scanned = _scan_keys(state.src, pos + 2, state.posMax)
        if scanned is None:
            return False
        keys, end = scanned
        quoted = any(key[0] in "\"'" for key in keys)
        skip = skip_quoted if quoted else skip_plain
        if pos < skip.get(state, -1):
            return False
        labels = [config.label(key) for key in keys]
        if any(label is None for label in labels):
            skip[state] = end
            return False
        if not silent:
            _push_keys(state, config, [label for label in labels if label is not None])
        state.pos = end
        return True

    md.inline.ruler.before("emphasis", "pymdownx_keys", rule)


def _push_keys(
    state: StateInline, config: _KeysConfig, labels: Sequence[tuple[str | None, str]]
) -> None:
    marks = {_PLACEHOLDER: True, _ATOMIC: True}
    token = state.push("keys_open", config.wrapper, 1)
    token.meta = dict(marks)
    if config.classes:
        token.attrSet("class", config.classes)
    for n, (canonical, label) in enumerate(labels):
        if n and config.separator:
            state.push("keys_separator_open", "span", 1)
            state.push("text", "", 0).content = config.separator
            state.push("keys_separator_close", "span", -1)
        kbd = state.push("kbd_open", "kbd", 1)
        if canonical:
            kbd.attrSet("class", f"key-{canonical}")
        state.push("text", "", 0).content = label
        state.push("kbd_close", "kbd", -1)
    state.push("keys_close", config.wrapper, -1).meta = dict(marks)


# ---------------------------------------------------------------------- smartsymbols

_ATOMIC = "pymdownx_atomic"  # text no later pattern may change (key labels)

Piece = tuple[str, str]  # (kind, text): kind "text" (still open), "done", or "sup"


def _ordinal(m: re.Match[str]) -> list[Piece] | None:
    number, suffix = m.group(1), m.group(2)
    if number != "0" and number.startswith("0"):
        return None
    last = number[-1]
    teen = len(number) > 1 and number[-2] == "1" and last in "123"
    expected = {"1": "st", "2": "nd", "3": "rd"}.get(last, "th")
    if suffix != expected and not (teen and suffix == "th"):
        return None
    return [("done", number), ("sup", suffix)]


def _fixed(symbol: str) -> Callable[[re.Match[str]], list[Piece] | None]:
    return lambda m: [("done", symbol)]


_FRACTIONS = {
    "1/4": "\u00bc", "1/2": "\u00bd", "3/4": "\u00be", "1/3": "\u2153", "2/3": "\u2154",
    "1/5": "\u2155", "2/5": "\u2156", "3/5": "\u2157", "4/5": "\u2158", "1/6": "\u2159",
    "5/6": "\u215a", "1/8": "\u215b", "3/8": "\u215c", "5/8": "\u215d", "7/8": "\u215e",
}  # fmt: skip
_ARROWS = {"-->": "\u2192", "<--": "\u2190", "<-->": "\u2194"}

# pymdownx.smartsymbols' options, in the order its patterns apply.
_SYMBOLS: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], list[Piece] | None]], ...] = (
    ("trademark", re.compile(r"\(tm\)"), _fixed("\u2122")),
    ("copyright", re.compile(r"\(c\)"), _fixed("\u00a9")),
    ("registered", re.compile(r"\(r\)"), _fixed("\u00ae")),
    ("plusminus", re.compile(r"\+/-"), _fixed("\u00b1")),
    (
        "arrows",
        re.compile(r"<-->|(?<!-)-->|<--(?!-)"),
        lambda m: [("done", _ARROWS[m.group(0)])],
    ),
    ("notequal", re.compile(r"=/="), _fixed("\u2260")),
    (
        "fractions",
        re.compile(r"(?<!\d)(?:[1-7]/[2-8])(?!\d)"),
        lambda m: [("done", _FRACTIONS[m.group(0)])] if m.group(0) in _FRACTIONS else None,
    ),
    ("ordinal_numbers", re.compile(r"\b([0-9]+)(st|nd|rd|th)\b"), _ordinal),
    ("care_of", re.compile(r"\bc/o\b"), _fixed("\u2105")),
)


# Matches wherever any of the patterns above could: most text has none, and skips them all.
_ANY_SYMBOL = re.compile(r"\((?:tm|c|r)\)|\+/-|-->|<--|=/=|\d/\d|\d(?:st|nd|rd|th)|c/o")


def _apply_symbols(
    text: str,
    patterns: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], list[Piece] | None]]],
) -> list[Piece]:
    pieces: list[Piece] = [("text", text)]
    if not _ANY_SYMBOL.search(text):
        return pieces
    for pattern, replace in patterns:
        out: list[Piece] = []
        for kind, part in pieces:
            if kind != "text":
                out.append((kind, part))
                continue
            last = 0
            for m in pattern.finditer(part):
                replacement = replace(m)
                if replacement is None:
                    continue
                if m.start() > last:
                    out.append(("text", part[last : m.start()]))
                out.extend(replacement)
                last = m.end()
            if last < len(part):
                out.append(("text", part[last:]))
        pieces = out
    return pieces


def smartsymbols_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.smartsymbols``: ``(c)`` ``(tm)`` ``(r)`` ``c/o`` ``+/-`` ``-->`` ``<--``
    ``<-->`` ``=/=`` ``1/4`` … ``1st`` … in text (never in code, math, URLs of autolinks)."""
    patterns = [
        (pattern, replace) for name, pattern, replace in _SYMBOLS if _option(options, name, True)
    ]

    def rule(state: StateCore) -> None:
        for block in state.tokens:
            # The block's source holds every text its children can hold: most has no symbol.
            if block.type == "inline" and block.children and _ANY_SYMBOL.search(block.content):
                block.children = _symbols_in(block.children, patterns)

    md.core.ruler.before("text_join", "pymdownx_smartsymbols", rule)


def _symbols_in(
    children: list[Token],
    patterns: Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], list[Piece] | None]]],
) -> list[Token]:
    out: list[Token] = []
    run: list[Token] = []
    atomic = 0  # inside an autolink or a key label

    def flush() -> None:
        if not run:
            return
        text = "".join(token.content for token in run)
        pieces = _apply_symbols(text, patterns)
        if len(pieces) == 1 and pieces[0][0] == "text":
            out.extend(run)
        else:
            level = run[0].level
            for kind, part in pieces:
                if kind == "sup":
                    out.append(Token("sup_open", "sup", 1, level=level, markup=""))
                    out.append(Token("text", "", 0, level=level + 1, content=part))
                    out.append(Token("sup_close", "sup", -1, level=level, markup=""))
                else:
                    out.append(Token("text", "", 0, level=level, content=part))
        run.clear()

    for token in children:
        if token.nesting > 0 and (token.meta.get(_ATOMIC) or token.markup == "autolink"):
            atomic += 1
        elif token.nesting < 0 and (token.meta.get(_ATOMIC) or token.markup == "autolink"):
            atomic -= 1
        if token.type == "text" and not atomic and not token.meta.get(_ATOMIC):
            run.append(token)
            continue
        flush()
        out.append(token)
    flush()
    return out


# ---------------------------------------------------------------------------- critic

_CRITIC_CLOSERS = {"++": "++}", "--": "--}", "==": "==}", ">>": "<<}", "~~": "~~}"}
_CRITIC_TAGS = {"++": "ins", "--": "del", "==": "mark"}


def critic_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.critic``: CriticMarkup, shown the way the extension's ``mode`` says.

    ``view`` (the default) shows insertions as ``<ins class="critic">``, deletions as
    ``<del class="critic">``, a substitution as both, highlights as ``<mark class="critic">``
    and comments as ``<span class="critic comment">``; ``accept`` / ``reject`` show the text
    after accepting / rejecting every change, without comments.
    """
    mode = str(options.get("mode", "view")).strip().lower()
    if mode not in ("view", "accept", "reject"):
        mode = "view"
    # (kind, end of the searched text) with no closer left: no later opener can close either.
    dead: weakref.WeakKeyDictionary[StateInline, set[tuple[str, int]]] = weakref.WeakKeyDictionary()
    inside = [0]  # marks do not nest: no mark starts inside another

    def rule(state: StateInline, silent: bool) -> bool:
        src, pos, maximum = state.src, state.pos, state.posMax
        if src[pos] != "{" or inside[0] or pos + 3 > maximum:
            return False
        kind = src[pos + 1 : pos + 3]
        if kind not in _CRITIC_CLOSERS or (kind, maximum) in dead.get(state, ()):
            return False
        start = pos + 3
        middle = -1
        if kind == "~~":
            middle = src.find("~>", start, maximum)
            close = src.find("~~}", middle + 2, maximum) if middle >= 0 else -1
        else:
            close = src.find(_CRITIC_CLOSERS[kind], start, maximum)
        if close < 0:
            dead.setdefault(state, set()).add((kind, maximum))
            return False
        if not silent:
            inside[0] += 1
            try:
                _push_critic(state, mode, kind, start=start, middle=middle, close=close)
            finally:
                inside[0] -= 1
        state.pos = close + 3
        return True

    md.inline.ruler.after("backticks", "pymdownx_critic", rule)
    md.add_render_rule("critic_comment", _render_critic_comment)


def _push_critic(
    state: StateInline, mode: str, kind: str, *, start: int, middle: int, close: int
) -> None:
    end = middle if kind == "~~" else close
    if kind == ">>":
        if mode == "view":
            comment = state.push("critic_comment", "span", 0)
            comment.content = state.src[start:end].replace("\n", " ")
            comment.meta = {_PLACEHOLDER: True}
        return
    if mode == "view":
        if kind == "~~":
            _critic_span(state, "del", start, middle)
            _critic_span(state, "ins", middle + 2, close)
        else:
            _critic_span(state, _CRITIC_TAGS[kind], start, end)
        return
    accept = mode == "accept"
    if kind == "~~":
        _parse_range(state, middle + 2, close) if accept else _parse_range(state, start, middle)
    elif kind == "==" or (kind == "++") == accept:
        _parse_range(state, start, end)


def _critic_span(state: StateInline, tag: str, start: int, end: int) -> None:
    token = state.push(f"critic_{tag}_open", tag, 1)
    token.attrSet("class", "critic")
    token.meta = {_PLACEHOLDER: True}
    _parse_range(state, start, end)
    state.push(f"critic_{tag}_close", tag, -1).meta = {_PLACEHOLDER: True}


def _parse_range(state: StateInline, start: int, end: int) -> None:
    """Inline Markdown of ``src[start:end]``, tokens appended in place."""
    maximum = state.posMax
    state.pos, state.posMax = start, end
    state.md.inline.tokenize(state)
    state.posMax = maximum


def _render_critic_comment(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<span class="critic comment">{html.escape(tokens[idx].content)}</span>'


# ----------------------------------------------------------------------------- emoji

_SHORTCODE = re.compile(r":[+\-\w]+:")


@lru_cache(maxsize=4)
def _emoji_index(name: str) -> tuple[Mapping[str, Mapping[str, str]], Mapping[str, str]]:
    module = {"gemoji": "gemoji_db", "twemoji": "twemoji_db"}.get(name, "emoji1_db")
    db: Any = importlib.import_module(f"pymdownx.{module}")  # loaded once, on first use
    return db.emoji, db.aliases


def _index_name(configured: object) -> str:
    """emojione when nothing is configured (pymdownx's default); gemoji or emojione when the
    configured index says so; any other index (mkdocs-material's, twemoji, custom) twemoji."""
    if configured is None:
        return "emojione"
    text = str(configured).lower()
    for name in ("gemoji", "emojione"):
        if name in text:
            return name
    return "twemoji"


def emoji_char(
    shortcode: str, index: str = "emojione", remove_variation_selector: bool = False
) -> str | None:
    """The Unicode text of ``:shortcode:`` in an index, or None when it has none."""
    emoji, aliases = _emoji_index(index)
    entry = emoji.get(aliases.get(shortcode, shortcode))
    if entry is None:
        return None
    points = entry.get("unicode_alt", entry.get("unicode"))
    if not points:
        return None
    if remove_variation_selector:
        points = points.replace("-fe0f", "")
    return "".join(chr(int(point, 16)) for point in points.split("-"))


def emoji_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.emoji``: ``:shortcode:`` -> its Unicode character; unknown codes stay text.

    Whatever image generator the site configures, the card shows the character itself.
    """
    index = _index_name(options.get("emoji_index"))
    remove_vs = _option(options, "remove_variation_selector", False)

    def rule(state: StateInline, silent: bool) -> bool:
        m = _SHORTCODE.match(state.src, state.pos, state.posMax)
        if m is None:
            return False
        if not silent:
            char = emoji_char(m.group(0), index, remove_vs)
            token = state.push("text", "", 0)
            # Python-Markdown consumes an unknown code too: no emoji starts inside it.
            token.content = m.group(0) if char is None else char
            token.meta = {_PLACEHOLDER: True}
        state.pos = m.end()
        return True

    md.inline.ruler.before("emphasis", "pymdownx_emoji", rule)
