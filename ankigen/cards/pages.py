"""Render many pages: from the cache when it holds them, else serially or in a process pool.

The output is the same whatever the route: pages come back in the order they were given, and
each page is rendered by the same pure ``render_source`` with the same settings, so a
parallel build writes byte-identical files to a serial one (a test holds us to it).
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ankigen.cards.cache import (
    CacheEntry,
    ImageLookups,
    RenderCache,
    dump_entry,
    load_entry,
    lookups_hold,
)
from ankigen.config.flavor import Flavor
from ankigen.config.project import DEFAULT_ANSWER_TYPES, DEFAULT_LABELS
from ankigen.config.site import Site
from ankigen.digest import text_digest
from ankigen.errors import AnkigenError, Diagnostic
from ankigen.read.layout import page_url
from ankigen.read.media import MediaLibrary, html_base
from ankigen.records import MediaFile, MediaProblem, RenderedCard, SourceFile
from ankigen.syntax.refs import CardRefs

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["PageOutcome", "RenderSettings", "available_cores", "render_pages"]

# A pool pays for itself only with enough text to split (fork + result transfer ~30 ms).
PARALLEL_MIN_CHARS = 300_000
_BATCH_CHARS = 64_000
# A rebuild that renders a few pages (an edit) renders them in a forked worker while this
# process reads the other pages' cards back from the cache, when those are this much text:
# reading back ~2 MB of pages costs what the fork does (~10 ms); the worker also loads the
# renderer (markdown-it, Pygments), which this process then never needs.
OVERLAP_MIN_CHARS = 2_000_000
OVERLAP_MAX_PAGES = 8

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RenderSettings:
    """Everything besides the page that decides its cards (part of the cache key)."""

    types: tuple[str, ...]
    flavor: Flavor
    site: Site | None
    labels: tuple[str, ...] = DEFAULT_LABELS
    answer_types: tuple[str, ...] = DEFAULT_ANSWER_TYPES

    def cache_settings(self, media_root: str) -> str:
        site = self.site
        urls = (site.site_url, site.use_directory_urls) if site is not None else None
        return repr(
            (self.types, self.flavor.extensions, urls, media_root, self.labels, self.answer_types)
        )


@dataclass(frozen=True)
class PageOutcome:
    """One page's cards and diagnostics (in the page's own terms), and where they came from."""

    cards: tuple[RenderedCard, ...]
    diagnostics: tuple[Diagnostic, ...]
    images: ImageLookups = ()  # the image lookups its rendering made
    cached: bool = False
    signatures: tuple[bytes | None, ...] = ()  # per card (cards/signature)
    card_images: tuple[ImageLookups, ...] = ()  # per card: its image lookups
    reused: int = 0  # cards of a re-rendered page given back from its earlier entry

    def entry(self, lookups: ImageLookups) -> CacheEntry:
        return CacheEntry(self.cards, self.diagnostics, lookups, self.signatures, self.card_images)


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _render(
    page: SourceFile,
    settings: RenderSettings,
    library: MediaLibrary,
    earlier: CacheEntry | None = None,
) -> tuple[PageOutcome, ImageLookups | None]:
    """Render one page; the image lookups it made, or None when it must not be cached.
    ``earlier``: an entry of this page's text before an edit, whose unchanged cards are
    given back rather than rendered again."""
    seen: list[tuple[str, str, MediaFile | MediaProblem]] = []

    def resolve(rel: str, src: str) -> MediaFile | MediaProblem:
        found = library.resolve(rel, src)
        seen.append((rel, src, found))
        return found

    site = settings.site

    def refs(rel: str) -> CardRefs:
        return CardRefs(
            page=rel,
            resolve_image=resolve,
            page_url=(lambda target: page_url(target, site)) if site is not None else None,
            site_url=site.site_url if site is not None else None,
            html_base=html_base(rel, site.use_directory_urls) if site is not None else None,
            site_dir=site.config_file.parent if site is not None else None,
        )

    try:
        from ankigen.cards.page import render_source  # noqa: PLC0415 - the parser, when needed

        known = earlier.by_signature() if earlier is not None else None
        result = render_source(
            page,
            settings.types,
            settings.flavor,
            refs,
            known,
            labels=settings.labels,
            answer_types=settings.answer_types,
        )
    except AnkigenError as exc:
        return PageOutcome((), exc.diagnostics), None
    outcome = PageOutcome(
        result.cards,
        result.diagnostics,
        signatures=result.signatures,
        card_images=result.lookups,
        reused=result.reused,
    )
    return outcome, tuple(seen)


# Set in the parent just before the pool forks; the workers inherit it.
_WORKER_STATE: list[tuple[RenderSettings, MediaLibrary]] = []


# What a worker sends back per page: a cacheable result as ``dump_entry`` bytes, else the
# outcome itself (a page that failed to render; rare).
Sent = bytes | PageOutcome


def _work(batch: Sequence[SourceFile]) -> list[Sent]:
    settings, library = _WORKER_STATE[0]
    out: list[Sent] = []
    for page in batch:
        outcome, lookups = _render(page, settings, library)
        if lookups is None:
            out.append(outcome)
        else:
            out.append(dump_entry(outcome.entry(lookups)))
    return out


def _received(sent: Sent) -> tuple[PageOutcome, ImageLookups | None, bytes | None]:
    if isinstance(sent, PageOutcome):
        return sent, None, None
    entry = load_entry(sent)
    if entry is None:  # cannot happen: same code on both ends
        raise RuntimeError("a render worker sent an unreadable result")
    outcome = PageOutcome(
        entry.cards,
        entry.diagnostics,
        signatures=entry.signatures,
        card_images=entry.card_images,
    )
    return outcome, entry.images, sent


def _batches(pages: Sequence[SourceFile]) -> Iterator[list[SourceFile]]:
    batch: list[SourceFile] = []
    size = 0
    for page in pages:
        batch.append(page)
        size += len(page.text)
        if size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _can_fork() -> bool:
    import multiprocessing  # noqa: PLC0415 - a pool only for large cold builds

    return "fork" in multiprocessing.get_all_start_methods()  # not on Windows


def _render_all(
    pages: Sequence[SourceFile],
    settings: RenderSettings,
    library: MediaLibrary,
    workers: int,
    progress: Progress | None,
    *,
    earlier: Callable[[int], CacheEntry | None] = lambda i: None,
) -> Iterator[tuple[PageOutcome, ImageLookups | None, bytes | None]]:
    """(outcome, image lookups or None when it must not be cached, its entry's bytes when
    already made) per page, in order, as they come: the caller stores each and lets the
    bytes go, so a 100,000-card build never holds them all."""
    total = len(pages)
    chars = sum(len(p.text) for p in pages)
    if workers < 2 or total < 2 or chars < PARALLEL_MIN_CHARS or not _can_fork():
        for i, page in enumerate(pages):
            yield (*_render(page, settings, library, earlier(i)), None)
            if progress is not None:
                progress(i + 1, total)
        return
    _WORKER_STATE[:] = [(settings, library)]
    try:
        import multiprocessing  # noqa: PLC0415
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # Batches in flight are bounded, so results cannot pile up waiting for us.
            batches = _batches(pages)
            pending: deque[Future[list[Sent]]] = deque()
            for batch in itertools.islice(batches, 8 * workers):
                pending.append(pool.submit(_work, batch))
            done = 0
            while pending:
                sent = pending.popleft().result()
                for batch in itertools.islice(batches, 1):
                    pending.append(pool.submit(_work, batch))
                for item in sent:
                    yield _received(item)
                done += len(sent)
                if progress is not None:
                    progress(done, total)
    finally:
        _WORKER_STATE.clear()


def render_pages(
    pages: Sequence[SourceFile],
    settings: RenderSettings,
    library: MediaLibrary,
    *,
    cache: RenderCache | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    digests: Mapping[str, bytes] | None = None,
) -> list[PageOutcome]:
    """Cards of every page, in the given order. Pages carry their URL already; ``digests``
    are their ``text_digest``s when already known."""
    results: list[PageOutcome | None] = [None] * len(pages)
    keys: list[str] = []
    ids: list[str] = []
    stored: list[int] = []
    missing: list[int] = []
    shared = settings.cache_settings(str(library.root))
    for i, page in enumerate(pages):
        key = page_id = ""
        if cache is not None:
            known = digests.get(page.rel) if digests is not None else None
            text = known if known is not None else text_digest(page.text)
            # the page title is the question of a label box with nothing before it
            key = cache.key(shared, page.rel, f"{page.url}\0{page.title}", text)
            page_id = cache.page_id(shared, page.rel, page.url)
        keys.append(key)
        ids.append(page_id)
        (stored if cache is not None and cache.has(key) else missing).append(i)

    def earlier_of(i: int) -> CacheEntry | None:  # i: index into ``pages``
        return cache.latest(ids[i]) if cache is not None else None

    def keep(
        i: int, outcome: PageOutcome, lookups: ImageLookups | None, data: bytes | None
    ) -> None:
        results[i] = replace(outcome, images=lookups or ())
        if cache is not None and lookups is not None:
            cache.put(keys[i], outcome.entry(lookups), data)
            cache.note_latest(ids[i], keys[i])

    beside = None
    if _overlap(pages, stored, missing, workers):
        beside = _RenderBeside([pages[i] for i in missing], settings, library, missing, earlier_of)
        missing = []
    try:
        for i in stored:  # read back while the worker renders
            entry = cache.get(keys[i]) if cache is not None else None
            if entry is not None and lookups_hold(entry.images, library.resolve):
                results[i] = PageOutcome(entry.cards, entry.diagnostics, entry.images, cached=True)
                if cache is not None:
                    cache.note_latest(ids[i], keys[i])
            else:
                missing.append(i)
        if beside is not None:
            for i, (outcome, lookups, data) in zip(beside.indices, beside.results(), strict=True):
                keep(i, outcome, lookups, data)
    finally:
        if beside is not None:
            beside.close()
    missing.sort()
    todo = [pages[i] for i in missing]

    def earlier(n: int) -> CacheEntry | None:  # n: index into ``missing``
        return earlier_of(missing[n])

    rendered = _render_all(todo, settings, library, workers, progress, earlier=earlier)
    for i, (outcome, lookups, data) in zip(missing, rendered, strict=True):
        keep(i, outcome, lookups, data)
    if cache is not None:
        cache.flush()
        cache.save_latest()
    return [r for r in results if r is not None]


def _overlap(
    pages: Sequence[SourceFile], stored: Sequence[int], missing: Sequence[int], workers: int
) -> bool:
    """Whether the missing pages are rendered beside reading back the stored ones."""
    if workers < 2 or not missing or len(missing) > OVERLAP_MAX_PAGES:
        return False
    if sum(len(pages[i].text) for i in stored) < OVERLAP_MIN_CHARS:
        return False
    return _can_fork()


class _RenderBeside:
    """A few pages rendered in one forked worker, each with its earlier entry (read in the
    worker), while the caller goes on; ``results()`` waits for them, in order."""

    def __init__(
        self,
        pages: Sequence[SourceFile],
        settings: RenderSettings,
        library: MediaLibrary,
        indices: Sequence[int],
        earlier: Callable[[int], CacheEntry | None],
    ) -> None:
        import multiprocessing  # noqa: PLC0415
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415

        self.indices = list(indices)
        _BESIDE_STATE[:] = [(settings, library, earlier)]
        try:
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
            self._future = self._pool.submit(_work_beside, list(pages), self.indices)
        finally:
            _BESIDE_STATE.clear()  # the worker has its copy (forked at submit)

    def results(self) -> Iterator[tuple[PageOutcome, ImageLookups | None, bytes | None]]:
        for sent, reused in self._future.result():
            outcome, lookups, data = _received(sent)
            yield replace(outcome, reused=reused), lookups, data

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


# (settings, library, earlier entry by page index): set while the worker forks.
_BESIDE_STATE: list[tuple[RenderSettings, MediaLibrary, Callable[[int], CacheEntry | None]]] = []


def _work_beside(pages: Sequence[SourceFile], indices: Sequence[int]) -> list[tuple[Sent, int]]:
    settings, library, earlier = _BESIDE_STATE[0]
    out: list[tuple[Sent, int]] = []
    for page, i in zip(pages, indices, strict=True):
        outcome, lookups = _render(page, settings, library, earlier(i))
        sent: Sent = outcome if lookups is None else dump_entry(outcome.entry(lookups))
        out.append((sent, outcome.reused))
    return out
