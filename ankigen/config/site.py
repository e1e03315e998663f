"""A site's settings as ankigen reads them (what ``config/mkdocs`` loads from ``mkdocs.yml``),
and the nav walk: plain values, no YAML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from ankigen.config.flavor import plugin_configs

__all__ = [
    "CONFIG_NAMES",
    "MKDOCS_BUILTIN_EXTENSIONS",
    "MKDOCS_NAMES",
    "ZENSICAL_NAME",
    "NavItem",
    "PyApply",
    "PyName",
    "Relative",
    "Site",
    "find_site_config",
    "nav_pages",
    "site_plugins",
]

MKDOCS_NAMES = ("mkdocs.yml", "mkdocs.yaml")  # the names mkdocs tries, in its order
ZENSICAL_NAME = "zensical.toml"  # Zensical's own config (it also reads mkdocs.yml)
# What makes a folder a site. mkdocs.yml comes first: a site moving to Zensical often keeps
# both files for a while, and its decks should not change under it (pass zensical.toml itself
# to build from that).
CONFIG_NAMES = (*MKDOCS_NAMES, ZENSICAL_NAME)
# mkdocs always enables these before the ones mkdocs.yml lists (``MkDocsConfig``); they are
# not repeated in ``Site.markdown_extensions``, which is what the file says.
MKDOCS_BUILTIN_EXTENSIONS = ("toc", "tables", "fenced_code")


@dataclass(frozen=True)
class PyName:
    """``!!python/name:X``: a reference to a Python object, never imported here."""

    path: str


@dataclass(frozen=True)
class PyApply:
    """``!!python/object/apply:X`` (``X(*args, **kwds)`` in mkdocs), never called here."""

    path: str
    args: tuple[object, ...] = ()
    kwds: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Relative:
    """mkdocs' ``!relative`` tag: ``""`` (the current page's folder), ``"$config_dir[/…]"`` or
    ``"$docs_dir[/…]"``. Kept unresolved: it only means something while a page renders."""

    path: str = ""


@dataclass(frozen=True)
class NavItem:
    """One nav entry: a page (``page`` set), a section (``children``) or a link (``url`` set).

    ``page`` is a docs-relative POSIX path. A relative entry whose name mkdocs does not take
    for Markdown, an absolute path and a URL are links: ``page`` is None, ``url`` the target.
    Whether a page file exists is not checked here.
    """

    title: str | None
    page: str | None
    children: tuple[NavItem, ...] = ()
    url: str | None = None
    # where the entry is written (the config file, or the one it INHERITs), for messages
    written_in: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Site:
    """The parts of ``mkdocs.yml`` ankigen reads; everything else is kept in ``extra``."""

    config_file: Path  # absolute (lexically normalised, like mkdocs' os.path.abspath)
    site_name: str
    site_url: str | None  # ends with "/"; None when unset or ""
    docs_dir: Path  # absolute; relative values are relative to config_file's folder
    use_directory_urls: bool = True
    nav: tuple[NavItem, ...] | None = None  # None: mkdocs.yml has no (or an empty) nav
    # (name, config) in first-listed order; a name listed twice keeps its first place and its
    # last non-empty config, as mkdocs does; {} when it has none. Builtins not included.
    markdown_extensions: tuple[tuple[str, Mapping[str, object]], ...] = ()
    # .gitignore-style patterns of pages left out of the published site (config/exclude.py)
    exclude_docs: str = ""
    draft_docs: str = ""
    # every other top-level key (theme, plugins, mkdocs' own "extra", …), read-only
    extra: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    # what the generator enables before ``markdown_extensions`` (mkdocs: toc, tables,
    # fenced_code; Zensical: toc and tables)
    builtin_extensions: tuple[str, ...] = MKDOCS_BUILTIN_EXTENSIONS


def find_site_config(folder: Path, names: tuple[str, ...] = CONFIG_NAMES) -> Path | None:
    """``folder/mkdocs.yml``, else ``folder/mkdocs.yaml`` (mkdocs' order), else
    ``folder/zensical.toml``, else None. ``names``: the names to try, in order."""
    for name in names:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def nav_pages(site: Site) -> list[tuple[tuple[str, ...], str]]:
    """Every page of the nav in order, with its titles path: the titles of the sections
    around it, then its own nav title when it has one.

    A page listed twice counts once, at its first place (mkdocs reuses that first entry's
    page). Links and titles of links are left out.
    """
    found: list[tuple[tuple[str, ...], str]] = []
    _walk_nav(site.nav or (), (), found, set())
    return found


def _walk_nav(
    items: tuple[NavItem, ...],
    sections: tuple[str, ...],
    found: list[tuple[tuple[str, ...], str]],
    seen: set[str],
) -> None:
    # A module function: a closure calling itself is a reference cycle, kept until the
    # collector runs, and builds pause it.
    for item in items:
        if item.page is not None:
            if item.page not in seen:
                seen.add(item.page)
                own = (item.title,) if item.title is not None else ()
                found.append(((*sections, *own), item.page))
        elif item.children:
            next_sections = (*sections, item.title) if item.title else sections
            _walk_nav(item.children, next_sections, found, seen)


def site_plugins(site: Site) -> dict[str, Mapping[str, object]]:
    """The site's enabled plugins by name, each with its config (see ``plugin_configs``)."""
    return plugin_configs(site.extra.get("plugins"))
