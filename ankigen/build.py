"""Gather everything, then write: a build that finds an error writes nothing."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import re
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from ankigen.config import Config
from ankigen.errors import AnkigenError, Diagnostic, Severity, has_errors
from ankigen.frontmatter import split_front_matter
from ankigen.fsutil import write_text_atomic
from ankigen.ids import Identified, check_notetype, identify
from ankigen.layout import page_url, place_pages
from ankigen.lockfile import dump_lock, load_lock
from ankigen.media import MediaLibrary
from ankigen.model import RenderedCard, SourceFile
from ankigen.notetype import note_type
from ankigen.package import write_apkg
from ankigen.pipeline import render_source
from ankigen.refs import CardRefs
from ankigen.report import Report, make_report, report_json, report_text
from ankigen.snippets import SnippetOptions, expand_snippets
from ankigen.sources import discover, read_source

__all__ = ["BuildPlan", "apkg_name", "plan_build", "write_build"]


@dataclass(frozen=True)
class BuildPlan:
    config: Config
    pages: int
    cards: tuple[RenderedCard, ...]
    identified: Identified
    diagnostics: tuple[Diagnostic, ...]
    output: Path

    @property
    def report(self) -> Report:
        return make_report(
            self.config.deck, str(self.output), self.identified.notes, self.identified.proposals
        )


def apkg_name(deck: str) -> str:
    slug = re.sub(r"[^\w]+", "-", deck.casefold()).strip("-")
    return f"{slug or 'deck'}.apkg"


def _shown(path: Path) -> str:
    """Paths in messages: relative to the working folder when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, restoring its state afterwards.

    markdown-it makes hundreds of thousands of short-lived, acyclic token objects; reference
    counting frees them, and cyclic collection passes only cost time (~9% of a large build).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def plan_build(
    source: Path,
    config: Config,
    now: int,
    output: Path,
    accept: Collection[tuple[str, int]] = (),
) -> BuildPlan:
    """Read and render everything; raise ``AnkigenError`` with every error found.

    ``accept`` holds (page, line) of cards whose proposed match with an earlier note the
    author accepted (``--accept PAGE:LINE``).
    """
    with _gc_paused():
        return _plan_build(source, config, now, output, accept)


def _plan_build(
    source: Path, config: Config, now: int, output: Path, accept: Collection[tuple[str, int]]
) -> BuildPlan:
    site = config.site
    root, paths = discover(site.docs_dir if site is not None else source)
    snippets = _snippet_options(config)
    problems: list[Diagnostic] = []
    pages: dict[str, tuple[SourceFile, str]] = {}  # rel -> (page, how it is shown)
    meta_titles: dict[str, str] = {}
    for path in paths:
        shown = _shown(path)
        try:
            page = read_source(path, root, shown)
        except AnkigenError as exc:
            problems.extend(exc.diagnostics)
            continue
        text, meta = split_front_matter(page.text)
        if snippets is not None:
            text, found = expand_snippets(text, shown, snippets, _read_snippet)
            problems.extend(found)
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
    library = MediaLibrary(root)

    def refs(rel: str) -> CardRefs:
        return CardRefs(
            page=rel,
            resolve_image=library.resolve,
            page_url=(lambda target: page_url(target, site)) if site is not None else None,
            site_url=site.site_url if site is not None else None,
        )

    cards: list[RenderedCard] = []
    for rel in sorted(pages, key=lambda r: places[r].order):
        page, shown = pages[rel]
        try:
            result = render_source(
                replace(page, url=places[rel].url), config.types, config.flavor, refs
            )
        except AnkigenError as exc:
            problems.extend(_relocate(d, shown) for d in exc.diagnostics)
            continue
        # Diagnostics name the page as the user can open it.
        problems.extend(_relocate(d, shown) for d in result.diagnostics)
        cards.extend(result.cards)
    lock = load_lock(config.lock_path)
    if not cards and not has_errors(problems):
        types = ", ".join(config.types)
        live = sum(not e.removed for e in lock.notes.values()) if lock is not None else 0
        # Emptying a deck on purpose must still reach Anki (as removed notes, which is never
        # destructive); with nothing built before, an empty source is a mistake.
        problems.append(
            Diagnostic(
                _shown(source),
                f"no cards found in {len(paths)} Markdown page(s)"
                + (f"; all {live} notes of the last build will be marked removed" if live else ""),
                hint=f'cards are admonitions of type {types}, e.g. ??? question "…?" '
                "with the answer indented 4 spaces; set `types` in the config for other types",
                severity=Severity.WARNING if live else Severity.ERROR,
            )
        )
    problems.extend(check_notetype(lock, note_type(), _shown(config.lock_path)))
    if lock is None and output.exists():
        problems.append(
            Diagnostic(
                _shown(config.lock_path),
                f"no lockfile, but {_shown(output)} was built before",
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
        decks={rel: place.deck for rel, place in places.items()},
        accept=accept,
    )
    problems.extend(_relocate(d, _shown(root / d.path)) for d in identified.diagnostics)
    if has_errors(problems):
        raise AnkigenError(problems)
    return BuildPlan(config, len(paths), tuple(cards), identified, tuple(problems), output)


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
    lockfile, so nothing is left in the project; the OS releases it if a build dies.
    """
    key = hashlib.sha256(str(lock_path.resolve()).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"ankigen-{key}.busy"
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AnkigenError(
                Diagnostic(
                    _shown(lock_path),
                    "another ankigen build is writing this project right now",
                    hint="wait for it to finish, then build again",
                )
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_build(plan: BuildPlan) -> None:
    with _gc_paused():
        _write_build(plan)


def _write_build(plan: BuildPlan) -> None:
    ident = plan.identified
    write_apkg(plan.output, plan.config.deck, ident.notes, note_type(), ident.notetype_mod)
    write_text_atomic(plan.config.lock_path, dump_lock(ident.lock))
    report = plan.report
    stem = plan.output.with_suffix("")
    write_text_atomic(stem.with_name(stem.name + ".report.json"), report_json(report))
    write_text_atomic(stem.with_name(stem.name + ".report.txt"), report_text(report))
