"""Python-Markdown's ``attr_list``: ``{: .class #id key=value }`` sets attributes and shows nothing.

The braces count at the end of a paragraph's last line, a heading, a table cell or a term, or
right after an inline element. Where Python-Markdown does not take the braces (a paragraph of
braces only, braces on a one-line paragraph), the site shows them, and so do we.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ankigen.syntax._blocks import (
    Options,
    enclosing,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


__all__ = ["attr_list_plugin"]

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
        parent = enclosing(tokens, idx - 1)
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
