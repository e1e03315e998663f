"""Render many pages: from the cache when it holds them, else serially or in a process pool.

The output is the same whatever the route: pages come back in the order they were given, and
each page is rendered by the same pure ``render_source`` with the same settings, so a
parallel build writes byte-identical files to a serial one (a test holds us to it).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ankigen.cards.beside import Beside, available_cores, can_fork, take_early
from ankigen.cards.cache import (
    CacheEntry,
    ImageLookups,
    RenderCache,
    dump_entry,
    load_entry,
    lookups_hold,
)
from ankigen.config.flavor import Flavor
from ankigen.config.project import DEFAULT_ANSWER_TYPES, DEFAULT_LABELS, Config
from ankigen.config.site import Site
from ankigen.digest import text_digest
from ankigen.errors import AnkigenError, Diagnostic
from ankigen.read.layout import page_url
from ankigen.read.media import MediaLibrary, html_base
from ankigen.records import MediaFile, MediaProblem, RenderedCard, SourceFile
from ankigen.syntax.refs import CardRefs

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["PageOutcome", "RenderSettings", "available_cores", "render_pages", "renderer"]

# A pool pays for itself only with enough text to split (fork + result transfer ~30 ms).
PARALLEL_MIN_CHARS = 300_000
_BATCH_CHARS = 64_000
# A rebuild that renders a few pages (an edit) renders them in a forked process (cards/beside)
# while this one reads the other pages' cards back from the cache: the one the command line
# started early, else one forked here when the stored pages are this much text (reading back
# ~2 MB of pages costs what the fork does). That process loads the renderer (markdown-it,
# Pygments), which this one then never needs.
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

    @classmethod
    def of(cls, config: Config) -> RenderSettings:
        """A build's settings, from its config."""
        return cls(config.types, config.flavor, config.site, config.labels, config.answer_types)

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
    if workers < 2 or total < 2 or chars < PARALLEL_MIN_CHARS or not can_fork():
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
    keys, ids, stored, missing = _lookup(pages, settings, library, cache, digests)

    def earlier_of(i: int) -> CacheEntry | None:  # i: index into ``pages``
        return cache.latest(ids[i]) if cache is not None else None

    def keep(
        i: int, outcome: PageOutcome, lookups: ImageLookups | None, data: bytes | None
    ) -> None:
        results[i] = replace(outcome, images=lookups or ())
        if cache is not None and lookups is not None:
            cache.put(keys[i], outcome.entry(lookups), data)
            cache.note_latest(ids[i], keys[i])

    # read back from memory (watch mode, a build server), the stored pages leave nothing to
    # overlap a forked renderer with: the few missing ones are rendered here
    remembered = cache is not None and cache.remembers([keys[i] for i in stored])
    beside = _beside(
        pages, stored, missing, workers, settings=settings, library=library, here=remembered
    )
    away: list[int] = []  # pages the forked renderer has
    if beside is not None:
        away, missing = missing, []
        before = [cache.latest_data(ids[i]) if cache is not None else None for i in away]
        _send_job(beside, [pages[i] for i in away], settings, library, before)
    try:
        for i in stored:  # read back while the forked renderer renders
            entry = cache.get(keys[i]) if cache is not None else None
            if entry is not None and lookups_hold(entry.images, library.resolve):
                results[i] = PageOutcome(entry.cards, entry.diagnostics, entry.images, cached=True)
                if cache is not None:
                    cache.note_latest(ids[i], keys[i])
            else:
                missing.append(i)
        if beside is not None:
            answers = _answers(beside, len(away))
            if answers is None:
                missing.extend(away)  # rendered here after all
            else:
                for i, (outcome, lookups, data) in zip(away, answers, strict=True):
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


def _lookup(
    pages: Sequence[SourceFile],
    settings: RenderSettings,
    library: MediaLibrary,
    cache: RenderCache | None,
    digests: Mapping[str, bytes] | None,
) -> tuple[list[str], list[str], list[int], list[int]]:
    """Per page its cache key and page id ("" without a cache); the indices of the pages the
    cache holds, and of the others."""
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
    return keys, ids, stored, missing


def _beside(
    pages: Sequence[SourceFile],
    stored: Sequence[int],
    missing: Sequence[int],
    workers: int,
    *,
    settings: RenderSettings,
    library: MediaLibrary,
    here: bool = False,
) -> Beside | None:
    """The forked renderer for the missing pages: the one the command line started early, or
    one forked now when reading back the stored pages takes long enough to pay for it; None
    when the pages are rendered here (many of them: the pool's work; one core; ``here``)."""
    early = take_early()
    if here or workers < 2 or not missing or len(missing) > OVERLAP_MAX_PAGES:
        if early is not None:
            early.close()  # before a pool forks: its workers must not hold its job pipe
        return None
    if early is not None:
        return early
    if sum(len(pages[i].text) for i in stored) < OVERLAP_MIN_CHARS:
        return None
    return Beside.fork(renderer(settings, library.root, library.memo))


def _send_job(
    beside: Beside,
    pages: Sequence[SourceFile],
    settings: RenderSettings,
    library: MediaLibrary,
    earlier: Sequence[bytes | None],
) -> None:
    """The pages to render, their earlier entries, and the settings they are to be rendered
    with, as the cache key holds them (the renderer has its own copy, from before it forked:
    a site's settings hold read-only mappings that do not pickle)."""
    import pickle  # noqa: PLC0415 - a job for the forked renderer only

    check = settings.cache_settings(str(library.root))
    beside.send(pickle.dumps((check, list(pages), list(earlier)), protocol=5))


def _answers(
    beside: Beside, count: int
) -> list[tuple[PageOutcome, ImageLookups | None, bytes | None]] | None:
    """The forked renderer's outcomes, in the order of its pages; None when it sent none (it
    died, or failed): those pages are then rendered here."""
    import pickle  # noqa: PLC0415

    answer = beside.receive()
    if answer is None:
        return None
    try:
        sent: list[tuple[Sent, int]] = pickle.loads(answer)
    except Exception:  # a damaged answer is no answer
        return None
    if len(sent) != count:
        return None
    out = []
    for item, reused in sent:
        outcome, lookups, data = _received(item)
        out.append((replace(outcome, reused=reused), lookups, data))
    return out


def renderer(
    settings: RenderSettings, root: Path, memo: dict[str, tuple[int, int, int, str]] | None = None
) -> Callable[[], Callable[[bytes], bytes]]:
    """What a forked renderer (``cards.beside``) runs: it loads the renderer and builds the
    parser of the settings' flavor while it waits for its job, then serves the job with these
    settings and images under ``root`` (``memo``: image hashes of earlier builds, see
    ``MediaLibrary``). A job meant for other settings gets no answer."""

    def load() -> Callable[[bytes], bytes]:
        import ankigen.cards.page  # noqa: F401, PLC0415 - in the forked process
        from ankigen.syntax.markdown import markdown  # noqa: PLC0415

        markdown(settings.flavor)
        library = MediaLibrary(root, memo)
        mine = settings.cache_settings(str(library.root))

        def serve(job: bytes) -> bytes:
            return serve_beside(job, mine, settings, library)

        return serve

    return load


def serve_beside(job: bytes, mine: str, settings: RenderSettings, library: MediaLibrary) -> bytes:
    """In the forked renderer: the job's pages rendered, each with its earlier entry."""
    import pickle  # noqa: PLC0415

    check, pages, earlier = pickle.loads(job)  # from our parent
    if check != mine:
        raise ValueError("a job for other settings than the renderer's")
    out: list[tuple[Sent, int]] = []
    for page, data in zip(pages, earlier, strict=True):
        known = load_entry(data) if data is not None else None
        outcome, lookups = _render(page, settings, library, known)
        sent: Sent = outcome if lookups is None else dump_entry(outcome.entry(lookups))
        out.append((sent, outcome.reused))
    return pickle.dumps(out, protocol=5)
