"""Gather everything, then write: a build that finds an error writes nothing."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import IO

from ankigen import _speed
from ankigen.cards.cache import (
    ImageLookups,
    RenderCache,
    code_fingerprint,
    lookups_hold,
    text_digest,
)
from ankigen.cards.pages import Progress, RenderSettings, render_pages
from ankigen.cards.render import tombstone_source_html
from ankigen.config.project import Config
from ankigen.errors import AnkigenError, Diagnostic, Severity, has_errors
from ankigen.files import commit_prepared, prepare_text
from ankigen.identity.lockfile import dump_lock_chunks, load_lock, remember_lock
from ankigen.identity.notes import Identified, check_notetype, identify
from ankigen.output.apkg import prepare_apkg
from ankigen.output.manifest import (
    Manifest,
    file_digest,
    file_stamp,
    load_manifest,
    manifest_path,
    save_manifest,
)
from ankigen.output.notetype import note_type
from ankigen.output.report import Report, make_report, report_json_chunks, report_text_chunks
from ankigen.read.frontmatter import split_front_matter
from ankigen.read.layout import place_pages
from ankigen.read.media import MediaLibrary
from ankigen.read.snippets import LineMap, SnippetOptions, expand_snippets_mapped
from ankigen.read.sources import discover, read_source, shown_path
from ankigen.records import MediaFile, MediaProblem, RenderedCard, SourceFile

__all__ = ["BuildPlan", "apkg_name", "plan_build", "write_build", "written_files"]


@dataclass(frozen=True)
class BuildPlan:
    config: Config
    pages: int
    cards: tuple[RenderedCard, ...]
    identified: Identified
    diagnostics: tuple[Diagnostic, ...]
    output: Path
    # Set when the build may be recorded as the last one (a cache is in use, no --accept).
    manifest_key: str | None = None
    images: ImageLookups = ()
    cache: RenderCache | None = None
    rendered: tuple[str, ...] = ()  # pages rendered afresh (the others came from the cache)

    @cached_property
    def report(self) -> Report:
        return make_report(
            self.config.deck, str(self.output), self.identified.notes, self.identified.proposals
        )


def apkg_name(deck: str) -> str:
    slug = re.sub(r"[^\w]+", "-", deck.casefold()).strip("-")
    return f"{slug or 'deck'}.apkg"


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


def plan_build(
    source: Path,
    config: Config,
    now: int,
    output: Path,
    accept: Collection[tuple[str, int]] = (),
    *,
    cache: RenderCache | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    pageset: PageSet | None = None,
    keep_cards: bool = True,
) -> BuildPlan:
    """Read and render everything; raise ``AnkigenError`` with every error found.

    ``accept`` holds (page, line) of cards whose proposed match with an earlier note the
    author accepted (``--accept PAGE:LINE``). ``cache`` serves pages rendered before;
    ``workers`` > 1 renders the others in a process pool when there are enough of them;
    ``progress(done, total)`` hears about rendered pages. Without ``keep_cards`` the plan
    does not keep the rendered cards (its notes hold what the package needs), so a large
    build can let them go before writing.
    """
    with _speed.paused_gc():
        pageset = pageset if pageset is not None else read_pages(source, config)
        return _plan_build(
            source,
            config,
            now,
            output,
            accept,
            pageset=pageset,
            cache=cache,
            workers=workers,
            progress=progress,
            keep_cards=keep_cards,
        )


def _plan_build(
    source: Path,
    config: Config,
    now: int,
    output: Path,
    accept: Collection[tuple[str, int]],
    *,
    pageset: PageSet,
    cache: RenderCache | None,
    workers: int,
    progress: Progress | None,
    keep_cards: bool,
) -> BuildPlan:
    problems = list(pageset.problems)
    library = MediaLibrary(pageset.root, cache.media_memo() if cache is not None else None)
    settings = RenderSettings(config.types, config.flavor, config.site)
    sources = pageset.take_sources()
    outcomes = render_pages(
        sources,
        settings,
        library,
        cache=cache,
        workers=workers,
        progress=progress,
        digests=pageset.digests,
    )
    del sources  # the texts are not needed any more
    _speed.release_memory(pageset.count)
    cards: list[RenderedCard] = []
    images: list[tuple[str, str, MediaFile | MediaProblem]] = []
    for page, outcome in zip(pageset.pages, outcomes, strict=True):
        # Diagnostics name the page as the user can open it, at the file and line the text
        # came from (snippets); cards keep page lines (an included card: the --8<-- line).
        found = (_relocate(d, pageset.shown[page.rel]) for d in outcome.diagnostics)
        lines = pageset.lines.get(page.rel)
        if lines is None:
            problems.extend(found)
            cards.extend(outcome.cards)
        else:
            problems.extend(map(lines.relocate, found))
            cards.extend(replace(c, line=lines.page_line(c.line)) for c in outcome.cards)
        images.extend(outcome.images)
    if cache is not None:
        cache.save_media_memo(library.memo)
    lock = load_lock(config.lock_path)
    if not cards and not has_errors(problems):
        types = ", ".join(config.types)
        live = sum(not e.removed for e in lock.notes.values()) if lock is not None else 0
        # Emptying a deck on purpose must still reach Anki (as removed notes, which is never
        # destructive); with nothing built before, an empty source is a mistake.
        problems.append(
            Diagnostic(
                shown_path(source),
                f"no cards found in {pageset.count} Markdown page(s)"
                + (f"; all {live} notes of the last build will be marked removed" if live else ""),
                hint=f'cards are admonitions of type {types}, e.g. ??? question "…?" '
                "with the answer indented 4 spaces; set `types` in the config for other types",
                severity=Severity.WARNING if live else Severity.ERROR,
            )
        )
    problems.extend(check_notetype(lock, note_type(), shown_path(config.lock_path)))
    if lock is None and output.exists():
        problems.append(
            Diagnostic(
                shown_path(config.lock_path),
                f"no lockfile, but {shown_path(output)} was built before",
                hint="identities fall back to page + question: notes whose question was "
                "reworded or moved in earlier builds will import as new notes, and every note "
                "is sent as changed once. Restore the lockfile from version control if you can",
                severity=Severity.WARNING,
            )
        )
    identified = identify(
        cards,
        lock,
        config.namespace or config.deck,
        note_type(),
        now,
        deck=config.deck,
        decks=pageset.decks,
        accept=accept,
        tombstone_source=tombstone_source_html,
    )
    root = pageset.root
    problems.extend(_relocate(d, shown_path(root / d.path)) for d in identified.diagnostics)
    # A snippet included by several pages reports its own problems once, not once per page.
    problems = list(dict.fromkeys(problems))
    if has_errors(problems):
        raise AnkigenError(problems)
    key = build_key(config, output, pageset) if cache is not None and not accept else None
    return BuildPlan(
        config,
        pageset.count,
        tuple(cards) if keep_cards else (),
        identified,
        tuple(problems),
        output,
        manifest_key=key,
        images=tuple(images),
        cache=cache,
        rendered=tuple(p.rel for p, o in zip(pageset.pages, outcomes, strict=True) if not o.cached),
    )


def build_key(config: Config, output: Path, pageset: PageSet) -> str:
    """Everything a build is made from, besides images and the lockfile (see manifest)."""
    digest = hashlib.sha256(f"{code_fingerprint()}\0{config!r}\0{output.resolve()}".encode())
    digest.update(repr(note_type()).encode())
    digest.update(repr(pageset.problems).encode())
    for page in pageset.pages:
        digest.update(f"\0{page.rel}\0{page.url}\0{pageset.decks[page.rel]}\0".encode())
        digest.update(pageset.digests[page.rel])
        if page.rel in pageset.lines:  # same text, other lines: other diagnostics
            digest.update(repr(pageset.lines[page.rel].segments).encode())
    return digest.hexdigest()


def written_files(output: Path, lock_path: Path) -> tuple[Path, Path, Path, Path]:
    """What a build writes: the deck, the lockfile, and the JSON and text reports."""
    stem = output.with_suffix("")
    return (
        output,
        lock_path,
        stem.with_name(stem.name + ".report.json"),
        stem.with_name(stem.name + ".report.txt"),
    )


def up_to_date(
    config: Config, output: Path, pageset: PageSet, cache: RenderCache
) -> Manifest | None:
    """The last build's manifest, when this build would write exactly what is on disk."""
    with _speed.paused_gc():
        return _up_to_date(config, output, pageset, cache)


def _up_to_date(
    config: Config, output: Path, pageset: PageSet, cache: RenderCache
) -> Manifest | None:
    manifest = load_manifest(manifest_path(cache.folder, output))
    if manifest is None or manifest.key != build_key(config, output, pageset):
        return None
    if any(file_stamp(Path(path)) != (path, size, mtime) for path, size, mtime in manifest.outputs):
        return None
    if file_digest(config.lock_path) != manifest.lock_digest:
        return None
    library = MediaLibrary(pageset.root, cache.media_memo())
    if not lookups_hold(manifest.images, library.resolve):
        return None
    cache.save_media_memo(library.memo)
    return manifest


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


def _relocate(diag: Diagnostic, shown: str) -> Diagnostic:
    return Diagnostic(shown, diag.message, diag.hint, diag.line, diag.col, diag.severity)


@contextmanager
def project_lock(lock_path: Path) -> Iterator[None]:
    """One build at a time per project: a second one stops with a clear error.

    The lock is an advisory ``flock`` on a file in the temp folder named after the project's
    lockfile, so nothing is left in the project; the OS releases it if a build dies. The
    file is removed when the build ends (it was left behind once per project, and a test
    run builds thousands of projects). A build that locked a file just removed by the one
    before it sees that the path no longer names that file, and locks the new one.
    """
    key = hashlib.sha256(str(lock_path.resolve()).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"ankigen-{key}.busy"
    handle = _locked(path, lock_path)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # while holding the lock: nobody else is using it
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _locked(path: Path, lock_path: Path) -> IO[str]:
    """``path`` opened and locked, the file the path names (not one removed since)."""
    while True:
        handle = path.open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise AnkigenError(
                Diagnostic(
                    shown_path(lock_path),
                    "another ankigen build is writing this project right now",
                    hint="wait for it to finish, then build again",
                )
            ) from exc
        except BaseException:
            handle.close()
            raise
        try:
            named, held = path.stat(), os.fstat(handle.fileno())
            if (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino):
                return handle
        except FileNotFoundError:
            pass
        handle.close()  # removed by the build that held it: lock the file there now


def write_build(plan: BuildPlan) -> None:
    with _speed.paused_gc():
        _write_build(plan)


def _named(
    write: Callable[[Path, Iterable[str]], tuple[Path, str]], path: Path, chunks: Iterable[str]
) -> tuple[Path, str]:
    """``write(path, chunks)``, with an OSError naming ``path`` rather than its temp file."""
    try:
        return write(path, chunks)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _write_build(plan: BuildPlan) -> None:
    """Every file goes to a temp file first; only when all of them are written are they
    renamed into place, the .apkg first: a build that fails while writing changes nothing.

    The package is written on a thread (SQLite and zlib release the GIL) while the lockfile
    and reports are streamed into their temp files on this one.
    """
    ident = plan.identified
    _speed.release_memory(plan.pages)  # what identify freed, before the package's rows are made
    made: list[Path] = []
    failure: list[BaseException] = []

    def package() -> None:
        try:
            made.append(
                prepare_apkg(
                    plan.output, plan.config.deck, ident.notes, note_type(), ident.notetype_mod
                )
            )
        except OSError as exc:  # named after the deck, not its temp file
            failure.append(OSError(exc.errno, exc.strerror, str(plan.output)))
        except BaseException as exc:  # re-raised below, on the caller's thread
            failure.append(exc)

    writer = threading.Thread(target=package, name="ankigen-apkg")
    writer.start()  # first: the package is the longest part
    prepared: list[tuple[Path, str, Path]] = []
    try:
        try:
            report = plan.report
            _, lock_path, json_path, text_path = written_files(plan.output, plan.config.lock_path)
            texts = (
                (lock_path, dump_lock_chunks(ident.lock)),
                (json_path, report_json_chunks(report)),
                (text_path, report_text_chunks(report)),
            )
            for path, chunks in texts:
                prepared.append((*_named(prepare_text, path, chunks), path))
        finally:
            writer.join()
        if failure:
            raise failure[0]
        targets = [plan.output, *(path for _, _, path in prepared)]
        for target in targets:  # a rename onto a folder would fail half-way through
            if target.is_dir():
                raise IsADirectoryError(21, "Is a directory", str(target))
    except BaseException:
        for tmp in [*made, *(tmp for tmp, _, _ in prepared)]:
            tmp.unlink(missing_ok=True)
        raise
    commit_prepared(made[0], plan.output)
    for tmp, _, path in prepared:
        commit_prepared(tmp, path)
    remember_lock(plan.config.lock_path, prepared[0][1], ident.lock)
    cache = plan.cache
    if cache is None:
        return
    if plan.manifest_key is not None:
        written = written_files(plan.output, plan.config.lock_path)
        stamps = tuple(s for s in map(file_stamp, written) if s is not None)
        manifest = Manifest(
            key=plan.manifest_key,
            lock_digest=prepared[0][1],  # the SHA-256 of the lockfile's bytes as written
            outputs=stamps,
            images=plan.images,
            diagnostics=plan.diagnostics,
            notes=report.live,
            pages=plan.pages,
        )
        save_manifest(manifest_path(cache.folder, plan.output), manifest)
    if cache.written:
        cache.trim()
