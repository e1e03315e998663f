"""YAML front matter, the way mkdocs reads it (``mkdocs.utils.meta``).

A page that starts with a ``---`` line and has a closing ``---`` or ``...`` line holds YAML
metadata there. mkdocs drops it from the page when it parses as a YAML mapping. We blank those
lines instead of cutting them, so every later line keeps its number for diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["split_front_matter"]

_OPEN = re.compile(r"\A-{3}[ \t]*\n")
_CLOSE = re.compile(r"^(?:-{3}|\.{3})[ \t]*$", re.MULTILINE)


def split_front_matter(text: str) -> tuple[str, Mapping[str, object]]:
    """(text with the front matter blanked, its metadata); the metadata is {} when none."""
    opened = _OPEN.match(text)
    if opened is None:
        return text, MappingProxyType({})
    closed = _CLOSE.search(text, opened.end())
    if closed is None:
        return text, MappingProxyType({})
    import yaml  # noqa: PLC0415 - only for pages that have front matter

    try:
        data = yaml.safe_load(text[opened.end() : closed.start()])
    except yaml.YAMLError:
        return text, MappingProxyType({})  # mkdocs keeps such a block as page text
    if not isinstance(data, dict):
        return text, MappingProxyType({})
    end = closed.end() + 1 if text[closed.end() : closed.end() + 1] == "\n" else closed.end()
    blank = "\n" * text.count("\n", 0, end)
    return blank + text[end:], MappingProxyType({str(k): v for k, v in data.items()})
