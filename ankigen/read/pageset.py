"""The pages of a build: discovered, read, front matter stripped, snippets expanded, placed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ankigen import _speed
from ankigen.config.exclude import Exclusion
from ankigen.config.flavor import plugin_names, unapplied
from ankigen.digest import text_digest
from ankigen.errors import AnkigenError, Diagnostic, Severity, shown_path
from ankigen.read.frontmatter import split_front_matter
from ankigen.read.layout import place_pages
from ankigen.read.snippets import LineMap, SnippetOptions, expand_snippets_mapped
from ankigen.read.sources import discover, read_source
from ankigen.read.tags import MetaFile, TagOptions, front_matter_lines, page_tags, read_meta_files
from ankigen.records import SourceFile

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from ankigen.config.project import Config
    from ankigen.config.site import NavItem, Site

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
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # rel -> Anki tags, if any
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
    problems: list[Diagnostic] = list(config.diagnostics)
    if site is not None:
        excluded = Exclusion.of(site.exclude_docs, site.draft_docs)
        on_disk = {path.relative_to(root).as_posix() for path in paths}
        paths = [p for p in paths if not excluded.excludes(p.relative_to(root).as_posix())]
        problems.extend(_nav_problems(site.nav or (), on_disk, excluded))
    if config.only is not None:  # one page or folder of the site
        paths = _only(root, paths, config.only, source)
    pages: dict[str, tuple[SourceFile, str]] = {}  # rel -> (page, how it is shown)
    meta_titles: dict[str, str] = {}
    maps: dict[str, LineMap] = {}  # pages whose text snippets changed
    cwd = Path.cwd().resolve()
    if site is not None:
        problems.extend(site_warnings(site, shown_path(site.config_file, cwd)))
    tag_options = _tag_options(config)
    meta_files: list[MetaFile] = []
    if tag_options.meta_file is not None and root.is_dir():
        meta_files, found = read_meta_files(root, tag_options.meta_file, cwd)
        problems.extend(found)
    tags: dict[str, tuple[str, ...]] = {}
    for path in paths:
        shown = shown_path(path, cwd)
        try:
            page = read_source(path, root, shown)
        except AnkigenError as exc:
            problems.extend(exc.diagnostics)
            continue
        text, meta = split_front_matter(page.text)
        if meta_files or tag_options.name in meta:
            lines_of = front_matter_lines(page.text, (tag_options.name,)) if meta else {}
            own, found = page_tags(page.rel, meta, lines_of, shown, meta_files, tag_options)
            problems.extend(found)
            if own:
                tags[page.rel] = own
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
        pages=tuple(
            replace(pages[rel][0], url=places[rel].url, title=places[rel].title, text="")
            for rel in ordered
        ),
        texts={rel: page.text for rel, (page, _) in pages.items()},
        shown={rel: shown for rel, (_, shown) in pages.items()},
        decks={rel: place.deck for rel, place in places.items()},
        problems=tuple(problems),
        digests={rel: text_digest(page.text) for rel, (page, _) in pages.items()},
        lines=maps,
        tags=tags,
    )


def site_warnings(site: Site, shown: str) -> list[Diagnostic]:
    """One warning per Markdown extension or plugin of the site that ankigen does not apply,
    at its line in ``mkdocs.yml`` (once per build, not per page)."""
    extensions, plugins = unapplied(
        (name for name, _ in site.markdown_extensions), plugin_names(site.extra.get("plugins"))
    )
    if not extensions and not plugins:
        return []
    try:
        lines = site.config_file.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    found = [
        Diagnostic(
            shown,
            f"Markdown extension {name!r} is not applied by ankigen: pages that use its "
            "syntax may make cards that differ from the site",
            "the README lists what ankigen reads (What becomes a card); check the cards of "
            "pages that use it",
            _entry_line(lines, name),
            severity=Severity.WARNING,
        )
        for name in extensions
    ]
    found.extend(
        Diagnostic(
            shown,
            f"plugin {name!r} is not run by ankigen: cards are made from the pages as "
            "written, not as the plugin changes them",
            "if the plugin rewrites pages or the nav, check the cards of the pages it touches",
            _entry_line(lines, name, "material/"),
            severity=Severity.WARNING,
        )
        for name in plugins
    )
    return found


def _entry_line(lines: list[str], name: str, prefix: str = "") -> int | None:
    """The 1-based line listing ``name`` (``- name``, ``- name:`` or ``name:``), if any."""
    quoted = f"(?:{re.escape(prefix)})?{re.escape(name)}"
    entry = re.compile(rf"\s*(?:-\s*)?(['\"]?){quoted}\1\s*(?::.*)?(?:#.*)?")
    for number, line in enumerate(lines, start=1):
        if entry.fullmatch(line):
            return number
    return None


def _tag_options(config: Config) -> TagOptions:
    """The front matter key and hierarchy of the site's tags plugin, the meta plugin's file
    name when the site enables it, and the project's tag prefix."""
    if config.site is None:
        return TagOptions(prefix=config.tag_prefix)
    from ankigen.config.site import site_plugins  # noqa: PLC0415

    plugins = site_plugins(config.site)
    tags = plugins.get("tags", {})
    name = tags.get("tags_name_property", "tags")
    separator = tags.get("tags_hierarchy_separator", "/")
    meta = plugins.get("meta")
    meta_file = meta.get("meta_file", ".meta.yml") if meta is not None else None
    return TagOptions(
        name=name if isinstance(name, str) and name else "tags",
        hierarchy=tags.get("tags_hierarchy", False) is True,
        separator=separator if isinstance(separator, str) else "/",
        meta_file=meta_file if isinstance(meta_file, str) and meta_file else None,
        prefix=config.tag_prefix,
    )


def _only(root: Path, paths: list[Path], only: str, source: Path) -> list[Path]:
    """The site's pages inside ``only`` (a docs-relative page or folder)."""
    prefix = only + "/"
    kept = [
        p
        for p in paths
        if (rel := p.relative_to(root).as_posix()) == only or rel.startswith(prefix)
    ]
    if not kept and (root / only).is_file():
        raise AnkigenError(
            Diagnostic(
                shown_path(source),
                "not a page the site builds: ankigen reads .md and .markdown files outside "
                "hidden folders",
                hint="pass a Markdown page of the docs folder, a folder of them, or the site",
            )
        )
    return kept


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
