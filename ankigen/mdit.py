"""The one markdown-it configuration every stage shares."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

from ankigen.admonition import admonition_plugin
from ankigen.highlight import highlight_plugin
from ankigen.mathjax import math_plugin

__all__ = ["markdown"]


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """CommonMark + tables + strikethrough + linkify (full URLs only) + admonitions + math."""
    md = MarkdownIt("commonmark", {"linkify": True, "html": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})  # type: ignore[union-attr]
    admonition_plugin(md)
    math_plugin(md)
    highlight_plugin(md)
    return md
