"""The one markdown-it configuration every stage shares."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock, html_block

from ankigen import _speed
from ankigen.config.flavor import DEFAULT_FLAVOR, Flavor
from ankigen.syntax._blocks import container_token
from ankigen.syntax.abbr import abbr_plugin
from ankigen.syntax.admonition import admonition_plugin
from ankigen.syntax.annotations import annotations_plugin
from ankigen.syntax.arithmatex import math_plugin
from ankigen.syntax.attr_list import attr_list_plugin
from ankigen.syntax.blocks import BLOCK_EXTENSIONS, blocks_plugin
from ankigen.syntax.callouts import callouts_plugin
from ankigen.syntax.critic import critic_plugin
from ankigen.syntax.def_list import def_list_plugin
from ankigen.syntax.emoji import emoji_plugin
from ankigen.syntax.footnotes import footnotes_plugin
from ankigen.syntax.headings import pm_headings_plugin
from ankigen.syntax.highlight import highlight_plugin
from ankigen.syntax.keys import keys_plugin
from ankigen.syntax.lists import pm_lists_plugin
from ankigen.syntax.md_in_html import html_details_plugin, md_in_html_plugin, reads_html
from ankigen.syntax.refs import refs_plugin
from ankigen.syntax.smartsymbols import smartsymbols_plugin
from ankigen.syntax.smarty import smarty_plugin
from ankigen.syntax.spans import caret_plugin, mark_plugin, tilde_plugin
from ankigen.syntax.tabbed import tabbed_plugin
from ankigen.syntax.tasklist import tasklist_plugin

__all__ = [
    "DEFAULT_FLAVOR",
    "EXTENSION_PLUGINS",
    "Flavor",
    "markdown",
]

Plugin = Callable[[MarkdownIt, Mapping[str, object]], None]


def _tables(md: MarkdownIt, options: Mapping[str, object]) -> None:
    md.enable("table")


def _strikethrough(md: MarkdownIt, options: Mapping[str, object]) -> None:
    md.enable("strikethrough")


def _math(md: MarkdownIt, options: Mapping[str, object]) -> None:
    math_plugin(md)


def _blocks(extension: str) -> Plugin:
    def plugin(md: MarkdownIt, options: Mapping[str, object]) -> None:
        blocks_plugin(md, extension, options)

    return plugin


# Python-Markdown extension name -> the markdown-it plugin that gives the same result.
# Extensions without an entry are not supported yet (the README lists them). Admonitions,
# details and fenced code are always on: cards need them.
EXTENSION_PLUGINS: dict[str, Plugin] = {
    "tables": _tables,
    "pymdownx.tilde": tilde_plugin,
    # Not a Python-Markdown extension: GFM's ~~strike~~, for pages without a site config.
    "ankigen.strikethrough": _strikethrough,
    "pymdownx.arithmatex": _math,
    "pymdownx.mark": mark_plugin,
    "pymdownx.caret": caret_plugin,
    "pymdownx.keys": keys_plugin,
    "pymdownx.smartsymbols": smartsymbols_plugin,
    "pymdownx.critic": critic_plugin,
    "pymdownx.emoji": emoji_plugin,
    "pymdownx.tabbed": tabbed_plugin,
    "pymdownx.tasklist": tasklist_plugin,
    **{name: _blocks(name) for name in BLOCK_EXTENSIONS},
    "pymdownx.quotes": callouts_plugin,
    "footnotes": footnotes_plugin,
    "def_list": def_list_plugin,
    "abbr": abbr_plugin,
    "attr_list": attr_list_plugin,
    "md_in_html": md_in_html_plugin,
    "markdown.extensions.footnotes": footnotes_plugin,
    "markdown.extensions.def_list": def_list_plugin,
    "markdown.extensions.abbr": abbr_plugin,
    "markdown.extensions.attr_list": attr_list_plugin,
    "markdown.extensions.md_in_html": md_in_html_plugin,
    "smarty": smarty_plugin,
    "markdown.extensions.smarty": smarty_plugin,
}

# Python-Markdown runs smarty over the finished text, after every other inline pattern.
_LAST = frozenset({"smarty", "markdown.extensions.smarty"})


def markdown(flavor: Flavor = DEFAULT_FLAVOR) -> MarkdownIt:
    """CommonMark + linkify (full URLs only) + admonitions + highlighting + the flavor's plugins."""
    return _markdown(flavor, _speed.active())


@lru_cache(maxsize=8)
def _markdown(flavor: Flavor, speedups: frozenset[str]) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "html": True})
    md.enable("linkify")
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})  # type: ignore[union-attr]
    # Bare `scheme://` URLs are linked by the inline linkify rule. The core rule would only add
    # `mailto:` and `//host` text, at the price of a regex pass over every text token (a fifth
    # of parse time on large sites): off.
    md.core.ruler.disable("linkify")
    _speed.install_parser(md, speedups)
    admonition_plugin(md)
    pm_lists_plugin(md)
    pm_headings_plugin(md)
    highlight_plugin(md)
    refs_plugin(md)
    ordered = sorted(flavor.extensions, key=lambda extension: extension[0] in _LAST)
    for name, options in ordered:
        plugin = EXTENSION_PLUGINS.get(name)
        if plugin is not None:
            plugin(md, json.loads(options))
    # mkdocs-material's (1) annotations need a block with a class: attr_list or md_in_html.
    if any(name.rsplit(".", 1)[-1] in ("attr_list", "md_in_html") for name, _ in ordered):
        annotations_plugin(md)
    # Raw `<details class="question">` boxes are cards on every site (with md_in_html their
    # body is Markdown, set up above): the same admonition tokens as `??? question`.
    html_details_plugin(md)
    md.block.ruler.at(
        "html_block", _html_block_before_fences, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    return md


def _html_block_before_fences(
    state: StateBlock, start_line: int, end_line: int, silent: bool
) -> bool:
    """CommonMark's HTML block, ended before a line that opens a code fence; only where the
    site reads raw HTML.

    CommonMark runs an HTML block started by a tag line (``</details>``, ``<br>``) to the
    next blank line, fence lines included; the site finds fences first. Without this, a
    fence opener swallowed by the HTML block pairs the fences below differently from the
    site, and a card between them is code for one and a card for the other.
    """
    start = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[start : start + 1] != "<":
        return False  # the cheap test first: this runs for every line a paragraph goes on
    if state.level and not state.src.startswith("<!--", start):
        # Python-Markdown reads raw HTML blocks on the page's own lines only: inside a box,
        # list item or tab, a tag line is paragraph text holding inline HTML, and the
        # Markdown around the tags is rendered. Comments stay hidden, blank lines and all
        # (the site would show a comment holding a blank line as text: a known difference).
        container = container_token(state)
        if container is not None and not reads_html(container):
            return False
    if not html_block(state, start_line, end_line, silent):
        return False
    if silent:
        return True
    token = state.tokens[-1]
    first, last = token.map or (start_line, state.line)
    for line in range(first + 1, last):
        begin = state.bMarks[line] + state.tShift[line]
        if state.sCount[line] - state.blkIndent < 4 and state.src.startswith(("```", "~~~"), begin):
            token.map = [first, line]
            token.content = state.getLines(first, line, state.blkIndent, True)
            state.line = line
            break
    return True
