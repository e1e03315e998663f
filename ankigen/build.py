"""Gather everything, then write: a build that finds an error writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ankigen import _speed
from ankigen.cards.cache import (
    ImageLookups,
    RenderCache,
)
from ankigen.cards.fields import tombstone_source_html
from ankigen.cards.pages import Progress, RenderSettings, available_cores, render_pages
from ankigen.config.project import Config
from ankigen.errors import AnkigenError, Diagnostic, Severity, has_errors, shown_path
from ankigen.files import commit_prepared, prepare_text
from ankigen.freshness import build_key, written_files
from ankigen.identity.lockfile import dump_lock, dump_lock_chunks, load_lock, remember_lock
from ankigen.identity.namespace import choose_namespace, site_namespace
from ankigen.identity.notes import Identified, KeptNotes, check_notetype, identify, in_scope
from ankigen.output.manifest import (
    Manifest,
    file_digest,
    file_stamp,
    manifest_path,
    save_manifest,
)
from ankigen.output.notetype import note_type
from ankigen.output.paths import apkg_name
from ankigen.output.report import Report, make_report, report_json_chunks, report_text_chunks
from ankigen.read.media import MediaLibrary
from ankigen.read.pageset import PageSet, read_pages
from ankigen.records import MediaFile, MediaProblem, RenderedCard

if TYPE_CHECKING:
    from ankigen.output.earlier import EarlierPackage

__all__ = [
    "BuildPlan",
    "apkg_name",
    "available_cores",
    "lock_drift",
    "plan_build",
    "write_build",
]


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
    cards_rendered: int = 0  # cards of those pages rendered afresh (the others were unchanged)

    @cached_property
    def report(self) -> Report:
        return make_report(
            self.config.deck, str(self.output), self.identified.notes, self.identified.proposals
        )


# In a process that builds again and again with its cache in memory (watch mode, a build
# server), the notes of the last build, for ``identify`` to give back unchanged ones.
_KEPT_NOTES = KeptNotes()


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
    settings = RenderSettings.of(config)
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
        notes = lock.notes.values() if lock is not None else ()
        live = sum(not e.removed and in_scope(e.page, config.only) for e in notes)
        # Emptying a deck on purpose must still reach Anki (as removed notes, which is never
        # destructive); with nothing built before, an empty source is a mistake.
        problems.append(
            Diagnostic(
                shown_path(source),
                f"no cards found in {pageset.count} Markdown page(s)"
                + (f"; all {live} notes of the last build will be marked removed" if live else ""),
                hint=f'cards are admonitions of type {types}, e.g. ??? question "…?" '
                "with the answer indented 4 spaces; for other types set `types` in the config "
                "or pass them on the command line, e.g. --types question,example",
                severity=Severity.WARNING if live else Severity.ERROR,
            )
        )
    problems.extend(check_notetype(lock, note_type(), shown_path(config.lock_path)))
    earlier = None
    if lock is None:
        from ankigen.output.earlier import read_earlier_packages  # noqa: PLC0415 - no lockfile

        earlier = read_earlier_packages(output)
    namespace = _namespace(config, cards, earlier)
    identified = identify(
        cards,
        lock,
        namespace,
        note_type(),
        now,
        deck=config.deck,
        decks=pageset.decks,
        tags=pageset.tags,
        accept=accept,
        tombstone_source=tombstone_source_html,
        only=config.only,
        kept=_KEPT_NOTES if cache is not None and cache.remember else None,
    )
    if lock is None and (earlier is not None or output.exists()):
        problems.append(_lost_lockfile(config, output, earlier, identified))
    root = pageset.root
    problems.extend(_relocate(d, shown_path(root / d.path)) for d in identified.diagnostics)
    # A snippet included by several pages reports its own problems once, not once per page.
    problems = list(dict.fromkeys(problems))
    if has_errors(problems):
        raise AnkigenError(problems)
    key = build_key(config, output, pageset, cache) if cache is not None and not accept else None
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
        cards_rendered=sum(len(o.cards) - o.reused for o in outcomes if not o.cached),
    )


def default_namespace(config: Config) -> str:
    """The GUID namespace when neither the lockfile nor the config names one: the site's
    address when it has one (it outlives a renamed ``site_name``), else the deck name."""
    if config.namespace:
        return config.namespace
    site = config.site
    if site is not None and site.site_url:
        return site_namespace(site.site_url)
    return config.deck


def _namespace(
    config: Config, cards: Sequence[RenderedCard], earlier: EarlierPackage | None
) -> str:
    """The namespace of a build (the lockfile's wins in ``identify``). Without a lockfile,
    the one that keeps the most GUIDs of the packages beside the output: the default, the
    deck name (ankigen's default before site addresses), or an earlier package's deck."""
    default = default_namespace(config)
    if config.namespace or earlier is None:
        return default
    return choose_namespace(default, [config.deck, *earlier.roots], cards, earlier.guids)


def _lost_lockfile(
    config: Config, output: Path, earlier: EarlierPackage | None, identified: Identified
) -> Diagnostic:
    """The warning of a build without a lockfile whose deck was built before: what it costs."""
    live = [n for n in identified.notes if not n.is_tombstone]
    if earlier is None:  # the package is there but cannot be read
        cost = "identities fall back to page + question"
    else:
        new = sum(n.guid not in earlier.guids for n in live)
        where = ", ".join(shown_path(p) for p in earlier.paths)
        cost = (
            f"{new} of {len(live)} notes will be new on this build "
            f"(no note with their identity in {where})"
        )
    return Diagnostic(
        shown_path(config.lock_path),
        f"no lockfile, but {shown_path(output)} was built before: {cost}",
        hint="notes whose question was reworded or moved in earlier builds import as new "
        "notes (a duplicate of the old one, which keeps its review history), and every note "
        "is sent as changed once. Restore the lockfile from version control if you can, and "
        "commit it",
        severity=Severity.WARNING,
    )


def _relocate(diag: Diagnostic, shown: str) -> Diagnostic:
    return Diagnostic(shown, diag.message, diag.hint, diag.line, diag.col, diag.severity)


def lock_drift(plan: BuildPlan) -> Diagnostic | None:
    """Under ``--locked``: why the lockfile this build would write is not the one on disk
    (byte for byte); None when it is."""
    path = plan.config.lock_path
    shown = shown_path(path)
    hint = f"build without --locked and commit {shown} with the pages"
    try:
        on_disk = path.read_bytes()
    except FileNotFoundError:
        return Diagnostic(shown, "no lockfile yet (--locked wants one)", hint=hint)
    except OSError as exc:
        return Diagnostic(shown, f"cannot read the lockfile: {exc.strerror or exc}", hint=hint)
    new = plan.identified.lock
    if dump_lock(new).encode("utf-8") == on_disk:
        return None
    report = plan.report
    why = [
        f"{report.count(s)} {s}"
        for s in ("new", "changed", "reworded", "moved", "removed")
        if report.count(s)
    ]
    old = load_lock(path)
    if old is not None and (old.notetype_hash, old.notetype_mod, old.notetype_schema) != (
        new.notetype_hash,
        new.notetype_mod,
        new.notetype_schema,
    ):
        why.append("the note type's templates or CSS")
    if old is not None and old.namespace != new.namespace:
        why.append(f"the namespace ({old.namespace!r} -> {new.namespace!r})")
    if not why:
        why.append("its layout only (written by another ankigen version)")
    return Diagnostic(
        shown, "the build would change the lockfile (--locked): " + ", ".join(why), hint=hint
    )


def write_build(plan: BuildPlan, *, lockfile: bool = True) -> None:
    """Write the deck, the lockfile and the reports; without ``lockfile`` (``--locked``,
    which has checked it is the one on disk) the lockfile is left as it is."""
    with _speed.paused_gc():
        _write_build(plan, lockfile)


def _named(
    write: Callable[[Path, Iterable[str]], tuple[Path, str]], path: Path, chunks: Iterable[str]
) -> tuple[Path, str]:
    """``write(path, chunks)``, with an OSError naming ``path`` rather than its temp file."""
    try:
        return write(path, chunks)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


def _write_build(plan: BuildPlan, lockfile: bool) -> None:
    """Every file goes to a temp file first; only when all of them are written are they
    renamed into place: the .apkg, the reports, the lockfile last. A build that fails while
    writing changes nothing; a build killed between two renames leaves the old lockfile,
    so the next build makes the same files again.

    The manifest that lets the next build stop early is saved before the renames, with the
    stamps the files will have (a rename keeps size and mtime): a build killed after its last
    rename is already recorded, and one killed before it is not up to date (the files on disk
    are not the ones the manifest names).

    (The package was once written on a thread beside the text files: measured no faster,
    0.33 against 0.31 s at 10,000 notes, as both mostly need the interpreter.)
    """
    from ankigen.output.apkg import prepare_apkg  # noqa: PLC0415 - genanki, when writing

    ident = plan.identified
    _speed.release_memory(plan.pages)  # what identify freed, before the package's rows are made
    made: list[Path] = []
    prepared: list[tuple[Path, str, Path]] = []
    try:
        try:
            made.append(
                prepare_apkg(
                    plan.output,
                    plan.config.deck,
                    ident.notes,
                    note_type(),
                    ident.notetype_mod,
                    templates=None if plan.cache is None else plan.cache.folder / "collections",
                )
            )
        except OSError as exc:  # named after the deck, not its temp file
            raise OSError(exc.errno, exc.strerror, str(plan.output)) from exc
        report = plan.report
        _, lock_path, json_path, text_path = written_files(plan.output, plan.config.lock_path)
        texts = [
            (json_path, report_json_chunks(report)),
            (text_path, report_text_chunks(report)),
        ]
        if lockfile:  # renamed last: a build killed before that keeps the old lockfile
            texts.append((lock_path, dump_lock_chunks(ident.lock)))
        lock_digest = "" if lockfile else file_digest(lock_path)
        for path, chunks in texts:
            prepared.append((*_named(prepare_text, path, chunks), path))
        targets = [plan.output, *(path for _, _, path in prepared)]
        for target in targets:  # a rename onto a folder would fail half-way through
            if target.is_dir():
                raise IsADirectoryError(21, "Is a directory", str(target))
    except BaseException:
        for tmp in [*made, *(tmp for tmp, _, _ in prepared)]:
            tmp.unlink(missing_ok=True)
        raise
    lock_digest = lock_digest or prepared[-1][1]  # the SHA-256 of the lockfile's bytes
    renames = [(made[0], plan.output), *((tmp, path) for tmp, _, path in prepared)]
    cache = plan.cache
    if cache is not None and plan.manifest_key is not None:
        stamps = tuple(
            (str(path), stamp[1], stamp[2])
            for tmp, path in renames
            if (stamp := file_stamp(tmp)) is not None
        )
        manifest = Manifest(
            key=plan.manifest_key,
            lock_digest=lock_digest,
            outputs=stamps,
            images=plan.images,
            diagnostics=plan.diagnostics,
            notes=report.live,
            pages=plan.pages,
        )
        save_manifest(manifest_path(cache.folder, plan.output), manifest)
    for done, (tmp, path) in enumerate(renames):
        try:
            commit_prepared(tmp, path)
        except OSError as exc:
            for left, _ in renames[done:]:
                left.unlink(missing_ok=True)
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
    remember_lock(plan.config.lock_path, lock_digest, ident.lock)
    if cache is not None and cache.written:
        cache.trim()
