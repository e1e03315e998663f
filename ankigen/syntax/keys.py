"""``pymdownx.keys``: ``++ctrl+alt+delete++`` -> ``<span class="keys"><kbd …>Ctrl</kbd>…``."""

from __future__ import annotations

import html
import importlib
import re
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markdown_it.rules_inline import StateInline

from ankigen.syntax._inline import (
    ATOMIC,
    PLACEHOLDER,
    Options,
    option,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


__all__ = ["keys_plugin"]

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
        wrapper="kbd" if option(options, "strict", False) else "span",
        classes=" ".join(str(classes).split()) if classes else "",
        camel_case=option(options, "camel_case", False),
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
    marks = {PLACEHOLDER: True, ATOMIC: True}
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
