"""Python-Markdown's ``smarty``: curly quotes, en and em dashes, ellipses (and « » if asked).

smarty is a second pass of inline patterns over every text node of the finished tree: the text
between two elements (emphasis, links, code, math, line breaks), in which raw HTML, entities
and backslash escapes stand as placeholders. Each pattern, in smarty's order, replaces its
matches one after another with a placeholder of its own, so later patterns see the earlier
replacements as placeholders too. This module replays exactly that on markdown-it's inline
tokens: a run of text, soft breaks, raw HTML and escapes is one text node; what a pattern
replaces becomes text (or raw HTML, for a configured substitution holding a tag).

markdown-it's own ``typographer`` is not used: its quote pairing and its other replacements
(``(c)``, ``+-``) differ from smarty's.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from markdown_it.token import Token

from ankigen.syntax._inline import ATOMIC, Options, option

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore

__all__ = ["smarty_plugin"]

_SUBSTITUTIONS = {
    "mdash": "&mdash;",
    "ndash": "&ndash;",
    "ellipsis": "&hellip;",
    "left-angle-quote": "&laquo;",
    "right-angle-quote": "&raquo;",
    "left-single-quote": "&lsquo;",
    "right-single-quote": "&rsquo;",
    "left-double-quote": "&ldquo;",
    "right-double-quote": "&rdquo;",
}

# smarty's character classes and quote patterns (Python-Markdown's extensions/smarty.py).
_PUNCT = r"""[!"#\$\%'()*+,-.\/:;<=>?\@\[\\\]\^_`{|}~]"""
_CLOSE = r"[^\ \t\r\n\[\{\(\-\u0002\u0003]"
_OPENING = r"(\s|&nbsp;|--|\u2013|\u2014|&[mn]dash;|&#8211;|&#8212;)"

# (pattern, replacement): an int keeps that group as written, a str is a substitution name.
Rule = tuple[re.Pattern[str], tuple[int | str, ...]]


@lru_cache(maxsize=1)
def _rule_sets() -> dict[str, tuple[Rule, ...]]:
    """smarty's patterns by option, compiled on first use (a build without smarty never)."""
    return {
        "smart_dashes": (
            (re.compile(r"(?<!-)---(?!-)"), ("mdash",)),
            (re.compile(r"(?<!-)--(?!-)"), ("ndash",)),
        ),
        "smart_angled_quotes": (
            (re.compile(r"\<\<"), ("left-angle-quote",)),
            (re.compile(r"\>\>"), ("right-angle-quote",)),
        ),
        "smart_quotes": (
            (re.compile(r"^'(?=" + _PUNCT + r"\B)"), ("right-single-quote",)),
            (re.compile(r'^"(?=' + _PUNCT + r"\B)"), ("right-double-quote",)),
            (re.compile(r""""'(?=\w)"""), ("left-double-quote", "left-single-quote")),
            (re.compile(r"""'"(?=\w)"""), ("left-single-quote", "left-double-quote")),
            (re.compile(r"(?<=" + _CLOSE + r")'\""), ("right-single-quote", "right-double-quote")),
            (re.compile(r"(?<=" + _CLOSE + r")\"'"), ("right-double-quote", "right-single-quote")),
            (re.compile(r"(?<!\w)'(?=\d{2}s)"), ("right-single-quote",)),
            (re.compile(_OPENING + r"'(?=\w)"), (1, "left-single-quote")),
            (re.compile(r"(?<=" + _CLOSE + r")'(?!\s|s\b|\d)"), ("right-single-quote",)),
            (re.compile(r"'(\s|s\b)"), ("right-single-quote", 1)),
            (re.compile(r"'"), ("left-single-quote",)),
            (re.compile(_OPENING + r'"(?=\w)'), (1, "left-double-quote")),
            (re.compile(r'"(?=\s)'), ("right-double-quote",)),
            (re.compile(r"(?<=" + _CLOSE + r')"'), ("right-double-quote",)),
            (re.compile(r'"'), ("left-double-quote",)),
        ),
        "smart_ellipses": ((re.compile(r"(?<!\.)\.{3}(?!\.)"), ("ellipsis",)),),
    }


# Text no pattern can change: most runs, skipped without building anything.
_ANY = re.compile(r"""['"]|--|\.\.\.|<<|>>""")


@dataclass
class _Cell:
    """One unit of a text node: a character of a text token (``token`` None), a token standing
    as a placeholder (soft break, raw HTML, entity, escape), or a replacement made here."""

    text: str  # what the patterns see
    token: Token | None = None
    parts: tuple[_Cell, ...] = ()  # a replacement: the kept groups and substitutions
    output: str | None = None  # a substitution's HTML


def _placeholder(token: Token) -> str:
    if token.type == "softbreak":
        return "\n"
    if token.type == "text_special" and token.info == "escape":
        return f"\x02{ord(token.content[:1] or ' ')}\x03"
    return "\x02wzxhzdk:0000\x03"  # raw HTML and entities: Python-Markdown's stash


def _educate(cells: list[_Cell], rules: Sequence[Rule], subs: dict[str, str]) -> list[_Cell]:
    made = 0
    for pattern, replacement in rules:
        start = 0
        while True:
            text = "".join(cell.text for cell in cells)
            m = pattern.search(text, start)
            if m is None:
                break
            bounds = [0]
            for cell in cells:
                bounds.append(bounds[-1] + len(cell.text))
            first, last = bounds.index(m.start()), bounds.index(m.end())
            parts: list[_Cell] = []
            for part in replacement:
                if isinstance(part, int):
                    g0, g1 = bounds.index(m.start(part)), bounds.index(m.end(part))
                    parts.extend(cells[g0:g1])
                else:
                    parts.append(_Cell("", output=subs[part]))
            stand_in = f"\x02klzzwxh:{made:04d}\x03"
            made += 1
            cells[first:last] = [_Cell(stand_in, parts=tuple(parts))]
            start = bounds[first] + len(stand_in)
    return cells


def _flat(cells: Sequence[_Cell]) -> list[_Cell]:
    out: list[_Cell] = []
    for cell in cells:
        if cell.parts:
            out.extend(_flat(cell.parts))
        else:
            out.append(cell)
    return out


def _tokens(cells: Sequence[_Cell], level: int) -> list[Token]:
    out: list[Token] = []
    text: list[str] = []

    def flush() -> None:
        if text:
            out.append(Token("text", "", 0, level=level, content="".join(text)))
            text.clear()

    for cell in _flat(cells):
        if cell.output is not None:
            if "<" in cell.output:
                flush()
                out.append(Token("html_inline", "", 0, level=level, content=cell.output))
            else:
                text.append(html.unescape(cell.output))
        elif cell.token is not None:
            flush()
            out.append(cell.token)
        else:
            text.append(cell.text)
    flush()
    return out


def _node(run: list[Token], rules: Sequence[Rule], subs: dict[str, str]) -> list[Token]:
    cells: list[_Cell] = []
    for token in run:
        if token.type == "text":
            cells.extend(_Cell(ch) for ch in token.content)
        else:
            cells.append(_Cell(_placeholder(token), token=token))
    if not _ANY.search("".join(cell.text for cell in cells)):
        return run
    return _tokens(_educate(cells, rules, subs), run[0].level)


_IN_NODE = frozenset({"text", "softbreak", "html_inline", "text_special"})


def _educate_children(
    children: list[Token], rules: Sequence[Rule], subs: dict[str, str]
) -> list[Token]:
    out: list[Token] = []
    run: list[Token] = []
    atomic = 0  # inside an autolink or a key label: left as written, as on the site

    def flush() -> None:
        if run:
            out.extend(_node(run, rules, subs) if not atomic else run)
            run.clear()

    for token in children:
        if token.type in _IN_NODE and not token.meta.get(ATOMIC):
            run.append(token)
            continue
        flush()
        if token.nesting > 0 and (token.meta.get(ATOMIC) or token.markup == "autolink"):
            atomic += 1
        elif token.nesting < 0 and (token.meta.get(ATOMIC) or token.markup == "autolink"):
            atomic -= 1
        out.append(token)
    flush()
    return out


def smarty_plugin(md: MarkdownIt, options: Options) -> None:
    """Python-Markdown's ``smarty`` with its options ``smart_dashes``, ``smart_quotes``,
    ``smart_angled_quotes``, ``smart_ellipses`` and ``substitutions``."""
    subs = dict(_SUBSTITUTIONS)
    configured = options.get("substitutions")
    if isinstance(configured, dict):
        subs.update({str(k): str(v) for k, v in configured.items()})
    # In smarty's order: dashes, angled quotes, quotes, ellipses.
    defaults = {"smart_dashes": True, "smart_angled_quotes": False}
    rules: list[Rule] = []
    for name, patterns in _rule_sets().items():
        if option(options, name, defaults.get(name, True)):
            rules.extend(patterns)

    def rule(state: StateCore) -> None:
        for block in state.tokens:
            if block.type == "inline" and block.children and _ANY.search(block.content):
                block.children = _educate_children(block.children, rules, subs)

    # After the other text rules (smartsymbols' "-->" comes first, as on the site), before
    # escapes are joined into the text around them.
    md.core.ruler.before("text_join", "smarty", rule)
