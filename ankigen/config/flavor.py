"""Which site extensions pages are rendered with, and their options: a value, no parser."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_FLAVOR", "Flavor"]


def _plain(value: object) -> object:
    """Read-only mappings and tuples (as the site loader freezes them) as JSON-able values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Flavor:
    """Which site extensions a page is rendered with, and their options (as sorted JSON)."""

    extensions: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, extensions: Iterable[tuple[str, Mapping[str, object]]]) -> Flavor:
        return cls(
            tuple(
                (name, json.dumps(_plain(options), sort_keys=True, default=repr))
                for name, options in extensions
            )
        )


DEFAULT_FLAVOR = Flavor.of(
    (name, {}) for name in ("tables", "ankigen.strikethrough", "pymdownx.arithmatex")
)


# --------------------------------------------------------------- what ankigen applies

# Markdown extensions whose effect on cards ankigen gives: the plugins of
# ``syntax/markdown.EXTENSION_PLUGINS`` (a test keeps the two lists in step), what is always
# on (boxes, fences, highlighting, tables, heading slugs), snippets (read before parsing),
# and extensions whose rules are CommonMark's own (betterem's emphasis, saneheaders' `# `).
APPLIED_EXTENSIONS = frozenset(
    {
        "abbr",
        "admonition",
        "attr_list",
        "codehilite",
        "def_list",
        "fenced_code",
        "footnotes",
        "md_in_html",
        "smarty",
        "markdown.extensions.smarty",
        "tables",
        "toc",
        "pymdownx.arithmatex",
        "pymdownx.betterem",
        "pymdownx.blocks.admonition",
        "pymdownx.blocks.caption",
        "pymdownx.blocks.definition",
        "pymdownx.blocks.details",
        "pymdownx.blocks.html",
        "pymdownx.blocks.tab",
        "pymdownx.caret",
        "pymdownx.critic",
        "pymdownx.details",
        "pymdownx.emoji",
        "pymdownx.highlight",
        "pymdownx.keys",
        "pymdownx.magiclink",
        "pymdownx.mark",
        "pymdownx.quotes",
        "pymdownx.saneheaders",
        "pymdownx.smartsymbols",
        "pymdownx.snippets",
        "pymdownx.superfences",
        "pymdownx.tabbed",
        "pymdownx.tasklist",
        "pymdownx.tilde",
    }
)
# mkdocs plugins that leave a page's Markdown and the nav as they are (search, dates,
# social cards, lightboxes, minifying, feeds, redirects, blog archives, tags pages, …).
INERT_PLUGINS = frozenset(
    {
        "ankigen",  # this tool: it reads the pages as written
        "blog",
        "git-authors",
        "git-committers",
        "git-revision-date",
        "git-revision-date-localized",
        "glightbox",
        "group",
        "htmlproofer",
        "info",
        "meta",
        "minify",
        "offline",
        "optimize",
        "print-site",
        "privacy",
        "redirects",
        "rss",
        "search",
        "social",
        "tags",
        "typeset",
    }
)


def extension_name(name: str) -> str:
    """``markdown.extensions.abbr`` -> ``abbr``: the short name Python-Markdown also takes."""
    return name.removeprefix("markdown.extensions.")


def plugin_configs(value: object) -> dict[str, Mapping[str, object]]:
    """The plugins of an mkdocs ``plugins`` value (a list of names or ``{name: config}``
    entries, or a mapping) by name, ``material/`` prefixes removed (``material/tags`` is
    ``tags``), each with its config ({} when it has none); a disabled one is left out."""
    entries: list[tuple[object, object]] = []
    if isinstance(value, Mapping):
        entries = list(value.items())
    elif isinstance(value, tuple | list):
        for item in value:
            if isinstance(item, Mapping):
                entries.extend(item.items())
            else:
                entries.append((item, {}))
    found: dict[str, Mapping[str, object]] = {}
    for name, options in entries:
        if not isinstance(name, str):
            continue
        config = options if isinstance(options, Mapping) else {}
        if config.get("enabled") is False:
            continue
        found.setdefault(name.removeprefix("material/"), config)
    return found


def plugin_names(value: object) -> tuple[str, ...]:
    """The names of the enabled plugins of an mkdocs ``plugins`` value, in order."""
    return tuple(plugin_configs(value))


def unapplied(
    extensions: Iterable[str], plugins: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The site's Markdown extensions and plugins ankigen does not apply, in listed order."""
    return (
        tuple(n for n in extensions if extension_name(n) not in APPLIED_EXTENSIONS),
        tuple(n for n in plugins if n not in INERT_PLUGINS),
    )
