"""Where each page goes: its order in the site, its title, its deck and its URL.

mkdocs' rules: a page's title is its nav title, else the front matter ``title``, else its
first ``# heading``, else its file name; nav pages come in nav order, other pages after them
in path order. Decks: ``Root::Section::Page`` for nav pages, ``Root::Folder::Page`` for pages
outside the nav (as configured by ``subdecks``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from ankigen.config.site import Site, nav_pages

__all__ = ["PagePlace", "page_title_from_name", "page_url", "place_pages", "slugify"]

_H1 = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass(frozen=True)
class PagePlace:
    rel: str  # docs-relative POSIX path
    order: int
    title: str
    deck: str
    url: str | None  # absolute URL of the page on the published site


def page_title_from_name(rel: str) -> str:
    """mkdocs' fallback title: the file name (the folder's for index pages), capitalised."""
    path = PurePosixPath(rel)
    stem = path.stem
    if stem in ("index", "README") and path.parent.name:
        stem = path.parent.name
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Home"


def _first_heading(text: str) -> str | None:
    match = _H1.search(text)
    return match.group(1).strip() if match else None


def page_url(rel: str, site: Site) -> str | None:
    """The page's address as mkdocs publishes it (``use_directory_urls`` included)."""
    if site.site_url is None:
        return None
    path = PurePosixPath(rel)
    stem = path.stem
    parent = "" if str(path.parent) == "." else f"{path.parent}/"
    if stem in ("index", "README"):
        tail = parent if site.use_directory_urls else f"{parent}index.html"
    else:
        tail = f"{parent}{stem}/" if site.use_directory_urls else f"{parent}{stem}.html"
    return site.site_url + tail


def slugify(text: str, separator: str = "-") -> str:
    """Python-Markdown's default ``toc`` slug for a heading (its own function)."""
    from markdown.extensions.toc import slugify as toc_slugify  # noqa: PLC0415 - when needed

    return toc_slugify(text, separator)


def place_pages(
    rels: Sequence[str],
    texts: Mapping[str, str],
    meta_titles: Mapping[str, str],
    root_deck: str,
    *,
    site: Site | None,
    subdecks: str = "pages",
) -> dict[str, PagePlace]:
    """Order, title, deck and URL of every page; pure."""
    present = set(rels)
    in_nav = [(titles, rel) for titles, rel in (nav_pages(site) if site else []) if rel in present]
    nav_rels = {rel for _, rel in in_nav}
    places: dict[str, PagePlace] = {}

    def title_of(rel: str, nav_title: str | None) -> str:
        return (
            nav_title
            or meta_titles.get(rel)
            or _first_heading(texts.get(rel, ""))
            or page_title_from_name(rel)
        )

    def deck(sections: Sequence[str], title: str) -> str:
        if site is None or subdecks == "none":
            return root_deck
        parts = [root_deck, *sections] + ([title] if subdecks == "pages" else [])
        return "::".join(p.replace("::", ":") for p in parts)

    order = 0
    for titles, rel in in_nav:
        has_own = _nav_title(site, rel) is not None
        sections, own = (titles[:-1], titles[-1]) if has_own else (titles, None)
        title = title_of(rel, own)
        url = page_url(rel, site) if site else None
        places[rel] = PagePlace(rel, order, title, deck(sections, title), url)
        order += 1
    rest = sorted((r for r in rels if r not in nav_rels), key=_path_order)
    for rel in rest:
        folders = [page_title_from_name(f"{f}/index.md") for f in PurePosixPath(rel).parts[:-1]]
        if PurePosixPath(rel).stem in ("index", "README") and folders:
            folders = folders[:-1]
        title = title_of(rel, None)
        url = page_url(rel, site) if site else None
        places[rel] = PagePlace(rel, order, title, deck(folders, title), url)
        order += 1
    return places


def _path_order(rel: str) -> tuple[tuple[str, ...], int, str]:
    path = PurePosixPath(rel)
    return (path.parts[:-1], 0 if path.stem in ("index", "README") else 1, path.name)


def _nav_title(site: Site | None, rel: str) -> str | None:
    """The title written at the page's first nav entry, if any."""
    if site is None or site.nav is None:
        return None
    stack = list(reversed(site.nav))
    while stack:
        item = stack.pop()
        if item.page == rel:
            return item.title
        stack.extend(reversed(item.children))
    return None
