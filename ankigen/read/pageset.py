"""The pages of a build: discovered, read, front matter stripped, snippets expanded, placed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ankigen import _speed
from ankigen.config.exclude import Exclusion
from ankigen.digest import text_digest
from ankigen.errors import AnkigenError, Diagnostic, Severity
from ankigen.read.frontmatter import split_front_matter
from ankigen.read.layout import place_pages
from ankigen.read.snippets import LineMap, SnippetOptions, expand_snippets_mapped
from ankigen.read.sources import discover, read_source, shown_path
from ankigen.records import SourceFile

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from ankigen.config.project import Config
    from ankigen.config.site import NavItem

__all__ = ["PageSet", "read_pages"]


@dataclass(frozen=True)
class PageSet:
    """The pages of a build, read and placed: what everything after it is made from."""

    root: Path  # the docs folder
    count: int  # Markdown files found (including unreadable ones)
    pages: tuple[SourceFile, ...]  # readable pages in site order, with URLs; text in ``texts``
    shown: Mapping[str, str]  # rel -> the path diagnostics show
    decks: Mapping[str, str]  # rel -> deck
    problems: tuple[Diagnostic, ...]  # found while reading (bad bytes, snippets)
    digests: Mapping[str, bytes]  # rel -> hash of the page's text (after snippets)
    lines: Mapping[str, LineMap] = field(default_factory=dict)  # rel -> where lines came from
    # rel -> page text (after snippets), handed over once to the build that renders them:
    # holding every page's text until the package is written cost ~85 MB at 100,000 cards.
    texts: dict[str, str] = field(default_factory=dict)

    def take_sources(self) -> list[SourceFile]:
        """The pages with their texts, for the one build that renders them."""
        if len(self.texts) != len(self.pages):
            raise RuntimeError("a PageSet serves one build: call read_pages again")
        texts, sources = dict(self.texts), []
        self.texts.clear()
        for page in self.pages:
            sources.append(replace(page, text=texts.pop(page.rel)))
        return sources


def read_pages(source: Path, config: Config) -> PageSet:
    """Discover, read, strip front matter, expand snippets, and place every page."""
    with _speed.paused_gc():
        return _read_pages(source, config)


def _read_pages(source: Path, config: Config) -> PageSet:
    site = config.site
    root, paths = discover(site.docs_dir if site is not None else source)
    snippets = _snippet_options(config)
    problems: list[Diagnostic] = []
    if site is not None:
        excluded = Exclusion.of(site.exclude_docs, site.draft_docs)
        on_disk = {path.relative_to(root).as_posix() for path in paths}
        paths = [p for p in paths if not excluded.excludes(p.relative_to(root).as_posix())]
        problems.extend(_nav_problems(site.nav or (), on_disk, excluded))
    pages: dict[str, tuple[SourceFile, str]] = {}  # rel -> (page, how it is shown)
    meta_titles: dict[str, str] = {}
    maps: dict[str, LineMap] = {}  # pages whose text snippets changed
    cwd = Path.cwd().resolve()
    for path in paths:
        shown = shown_path(path, cwd)
        try:
            page = read_source(path, root, shown)
        except AnkigenError as exc:
            problems.extend(exc.diagnostics)
            continue
        text, meta = split_front_matter(page.text)
        if snippets is not None:
            text, found, lines = expand_snippets_mapped(text, shown, snippets, _read_snippet)
            problems.extend(found)
            if not lines.is_identity:
                maps[page.rel] = lines
        if isinstance(meta.get("title"), str):
            meta_titles[page.rel] = str(meta["title"])
        pages[page.rel] = (replace(page, text=text), shown)
    places = place_pages(
        list(pages),
        {rel: page.text for rel, (page, _) in pages.items()},
        meta_titles,
        config.deck,
        site=site,
        subdecks=config.subdecks,
    )
    ordered = sorted(pages, key=lambda r: places[r].order)
    return PageSet(
        root=root,
        count=len(paths),
        pages=tuple(replace(pages[rel][0], url=places[rel].url, text="") for rel in ordered),
        texts={rel: page.text for rel, (page, _) in pages.items()},
        shown={rel: shown for rel, (_, shown) in pages.items()},
        decks={rel: place.deck for rel, place in places.items()},
        problems=tuple(problems),
        digests={rel: text_digest(page.text) for rel, (page, _) in pages.items()},
        lines=maps,
    )


def _nav_problems(
    items: Iterable[NavItem], found: set[str], excluded: Exclusion
) -> Iterator[Diagnostic]:
    """A nav entry naming a page that is not there, or that the site leaves out: a warning at
    its line of mkdocs.yml, as mkdocs gives one (the rest of the site still builds)."""
    for item in items:
        yield from _nav_problems(item.children, found, excluded)
        if item.page is None or (item.page in found and not excluded.excludes(item.page)):
            continue
        why = "is excluded from the site" if item.page in found else "is not in the docs folder"
        yield Diagnostic(
            item.written_in or "mkdocs.yml",
            f"nav entry {item.page!r} {why}: no cards from it",
            hint="fix the path in nav (it is relative to docs_dir), or remove the entry"
            if item.page not in found
            else "remove the entry from nav, or the pattern from exclude_docs/draft_docs",
            line=item.line,
            severity=Severity.WARNING,
        )


def _snippet_options(config: Config) -> SnippetOptions | None:
    """pymdownx.snippets settings when the site enables it; paths relative to the site."""
    for name, raw in config.flavor.extensions:
        if name != "pymdownx.snippets":
            continue
        options = json.loads(raw)
        base = options.get("base_path", ["."])
        bases = [base] if isinstance(base, str) else [str(b) for b in base]
        site_dir = config.site.config_file.parent if config.site is not None else config.root
        return SnippetOptions(
            base_paths=tuple((site_dir / b).resolve() for b in bases),
            root=site_dir.resolve(),
            check_paths=bool(options.get("check_paths", False)),
        )
    return None


def _read_snippet(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
