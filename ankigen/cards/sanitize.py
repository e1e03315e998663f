"""Raw HTML from the pages, made safe for Anki with nh3 (a maintained sanitizer, not regexes).

Only cards whose Markdown holds raw HTML go through it: everything markdown-it generates is
escaped by construction. Kept: the tags and attributes an answer needs (including ours:
classes, details/summary, task-list checkboxes). Removed: scripts, styles, iframes, event
handlers, ``javascript:`` URLs, ``data:`` URLs outside images. What was removed is reported,
so the author hears about it with ``path:line``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape
from html.parser import HTMLParser

import nh3

from ankigen.syntax.icons import SVG_ATTRIBUTES, SVG_TAGS

__all__ = ["sanitize"]

_TAGS = (set(nh3.ALLOWED_TAGS) | {"input", "label", "section", "tfoot", "caption"}) - {"map"}
_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
}
for _tag, _extra in {
    "*": {"class", "id", "title", "lang", "dir"},
    "details": {"open"},
    "input": {"type", "checked", "disabled"},
    "img": {"title", "loading"},
    "a": {"title"},
    "ol": {"type", "reversed"},
}.items():
    _ATTRIBUTES.setdefault(_tag, set()).update(_extra)
# Inline SVG icons (syntax/icons.py): drawing elements only.
_TAGS |= SVG_TAGS
for _tag, _extra in SVG_ATTRIBUTES.items():
    _ATTRIBUTES.setdefault(_tag, set()).update(_extra)
_ATTRIBUTES["svg"].update({"width", "height"})  # the size icons are given
_DROP_WITH_CONTENT = {"script", "style"}
# Attributes that tell the site's Markdown what to do (md_in_html's ``markdown="span"``): the
# site acts on them and nobody sees them, so dropping them is no removal worth a warning.
_INSTRUCTIONS = frozenset({"markdown"})


class _Inventory(HTMLParser):
    """Which tags and attributes a fragment holds (to say what the sanitizer removed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add(name)
            if value and value.strip().lower().startswith(("javascript:", "vbscript:", "data:")):
                self.attributes.add(f"{name}={value.strip().split(':', 1)[0].lower()}:")


def _inventory(html: str) -> _Inventory:
    found = _Inventory()
    found.feed(html)
    found.close()
    return found


def sanitize(html: str, image: Callable[[str], str | None] | None = None) -> tuple[str, list[str]]:
    """(safe HTML, what was removed); ``image`` rewrites each ``<img src>``, or gives None for
    an image that cannot be shown: the ``<img>`` becomes its alt text."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        lowered = value.strip().lower()
        if tag == "img" and attribute == "src":
            return value
        if lowered.startswith("data:"):
            return None  # data: URLs only for images
        return value

    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        clean_content_tags=_DROP_WITH_CONTENT,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel=None,
        attribute_filter=attribute_filter,
    )
    before, after = _inventory(html), _inventory(cleaned)
    removed = [f"<{t}>" for t in sorted(before.tags - after.tags)]
    removed += sorted(a for a in before.attributes - after.attributes - _INSTRUCTIONS)
    if image is not None and "<img" in cleaned:
        cleaned = _IMG.sub(lambda m: _image(m.group(0), image), cleaned)
    return cleaned, removed


# nh3 writes every attribute value in double quotes, with '"' escaped inside.
_IMG = re.compile(r'<img\b(?:[^>"]|"[^"]*")*>')
_SRC = re.compile(r'(\ssrc=")([^"]*)(")')
_ALT = re.compile(r'\salt="([^"]*)"')


def _image(tag: str, image: Callable[[str], str | None]) -> str:
    src = _SRC.search(tag)
    if src is None:
        return tag
    found = image(unescape(src.group(2)))
    if found is None:
        alt = _ALT.search(tag)
        return alt.group(1) if alt is not None else ""  # still escaped, as nh3 wrote it
    return tag[: src.start(2)] + escape(found, quote=True) + tag[src.end(2) :]
