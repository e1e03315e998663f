"""Running a command: the stages it needs, loaded when it runs; every diagnostic printed here."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ankigen.cli.commands import EXIT_FAIL, EXIT_OK, cache_off
from ankigen.errors import AnkigenError, Diagnostic, Severity

if TYPE_CHECKING:
    from ankigen.build import BuildPlan
    from ankigen.cards.cache import RenderCache
    from ankigen.config.project import Config
    from ankigen.output.manifest import Manifest

__all__ = ["Outcome", "build", "command", "watch_command"]

WRITERS = ("build", "sync")  # the commands that write the deck, its lockfile and reports


@dataclass(frozen=True)
class Outcome:
    """What one build, check or diff came to: its exit status and the summary line to
    print last; for a build that went through, what it wrote (or found up to date)."""

    status: int
    summary: str | None
    output: Path | None = None
    lock_path: Path | None = None
    deck: str = ""  # the root deck's name
    counts: Mapping[str, int] | None = None  # the report's notes per status; None: up to date
    notes: int = 0
    warnings: int = 0


def command(args: argparse.Namespace, environ: dict[str, str]) -> int:
    """Run one build, check or diff and print its summary line; the exit status."""
    outcome = build(args, environ)
    if outcome.summary is not None:  # a failure's summary is the last line on stderr
        print(outcome.summary, file=sys.stdout if outcome.status == EXIT_OK else sys.stderr)
    return outcome.status


def build(args: argparse.Namespace, environ: dict[str, str]) -> Outcome:
    """One build, check or diff, its diagnostics and details printed; not its summary."""
    outcome = _run(args, environ)
    _print_skipped_writes(args)
    return outcome


def _print_skipped_writes(args: argparse.Namespace) -> None:
    """Warnings for cache writes that failed (the build went on without them)."""
    if "ankigen.files" not in sys.modules:  # nothing was written: files never loaded
        return
    from ankigen.files import take_skipped_writes  # noqa: PLC0415

    skipped = take_skipped_writes()
    if skipped and args.format != "json":
        _print(skipped, sys.stderr)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def failed_summary(command: str, diagnostics: Sequence[Diagnostic], why: str = "") -> str:
    """The one line that ends a failed build, check or diff: how many errors and warnings,
    and that nothing was written (so with 135 errors the last line is not the 135th)."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    return (
        f"ankigen: {command} failed{why}: {_plural(errors, 'error')}, "
        f"{_plural(warnings, 'warning')}, nothing written"
    )


def _clock(env: dict[str, str]) -> int:
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return int(time.time())
    if not raw.isdigit():
        raise AnkigenError(
            Diagnostic(
                "SOURCE_DATE_EPOCH",
                f"not a whole number of seconds: {raw!r}",
                hint="unset it, or set it to e.g. $(git log -1 --format=%ct)",
            )
        )
    return int(raw)


def _output_path(arg: str | None, config: Config) -> Path:
    from ankigen.output.paths import apkg_name  # noqa: PLC0415

    # A build of one page or folder of a site is a deck of its own beside the site's.
    name = config.deck if config.only is None else f"{config.deck} {config.only}"
    name = name.removesuffix(".md").removesuffix(".markdown")
    if arg is not None:
        out = Path(arg)
        return out if out.suffix.lower() == ".apkg" else out / apkg_name(name)
    folder = config.output if config.output is not None else Path("build")
    return folder / apkg_name(name)


def _print(diags: Sequence[Diagnostic], stream: TextIO) -> None:
    for diag in diags:
        print(diag.format(), file=stream)


def _summary(plan: BuildPlan, wrote: bool) -> str:
    report = plan.report
    total = report.live
    detail = ", ".join(f"{report.count(s)} {s}" for s in ("new", "changed", "unchanged"))
    for extra in ("reworded", "moved", "removed"):
        if report.count(extra):
            detail += f", {report.count(extra)} {extra}"
    warnings = sum(d.severity is Severity.WARNING for d in plan.diagnostics)
    tail = f", {warnings} warning(s)" if warnings else ""
    where = f" -> {plan.output}" if wrote else " (nothing written)"
    fresh = len(plan.rendered)
    rendered = ""
    if plan.cache is not None and fresh < plan.pages:
        cards = plan.cards_rendered
        rendered = f", {fresh} rendered ({cards} card{'s' if cards != 1 else ''})"
    return f"ankigen: {total} notes from {plan.pages} page(s){rendered} ({detail}){tail}{where}"


def _json_report(diagnostics: Sequence[Diagnostic], plan: BuildPlan | None, ok: bool) -> str:
    data: dict[str, object] = {
        "ok": ok,
        "diagnostics": [
            {
                "path": d.path,
                "line": d.line,
                "col": d.col,
                "severity": str(d.severity),
                "message": d.message,
                "hint": d.hint,
            }
            for d in diagnostics
        ],
    }
    if plan is not None:
        report = plan.report
        data["notes"] = report.live
        data["counts"] = dict(report.counts)
        data["output"] = str(plan.output)
    return json.dumps(data, indent=2, ensure_ascii=False)


# The render caches a build server keeps from command to command, by folder (cli.server);
# None in any other process.
_kept_caches: dict[Path, RenderCache] | None = None


def keep_render_caches() -> None:
    """Keep each render cache this process opens, with the entries its builds use, for the
    builds after: the build server's forks (``cli.server``) hand it on as ``watch`` keeps
    its one."""
    global _kept_caches  # noqa: PLW0603 - one switch for the process
    if _kept_caches is None:
        _kept_caches = {}


def _cache(
    args: argparse.Namespace, environ: dict[str, str], *, remember: bool = False
) -> RenderCache | None:
    # The cache's own variables may also come from the process environment when a caller
    # passes a reduced ``env`` (tests pass {} to pin the clock, not to move the cache).
    if cache_off(args, environ):
        return None
    names = ("ANKIGEN_CACHE_DIR", "XDG_CACHE_HOME")
    merged = {k: v for k in names if (v := environ.get(k) or os.environ.get(k, ""))}
    from ankigen.freshness import open_cache  # noqa: PLC0415

    return open_cache(merged, remember=remember, kept=_kept_caches)


def _run(
    args: argparse.Namespace,
    environ: dict[str, str],
    *,
    watching: bool = False,
    cache: RenderCache | None = None,
) -> Outcome:
    """One build, check or diff: its exit status and the summary line to print last.

    ``cache``: the render cache to use (watch mode keeps one across rebuilds, so pages
    unchanged since the last one are not even read back from disk); default: a new one.
    """
    with contextlib.ExitStack() as stack:
        return _run_in(args, environ, stack, watching, cache or _cache(args, environ))


def _run_in(
    args: argparse.Namespace,
    environ: dict[str, str],
    stack: contextlib.ExitStack,
    watching: bool,
    cache: RenderCache | None,
) -> Outcome:
    from ankigen.cli.progress import progress_bar  # noqa: PLC0415

    as_json = args.format == "json"
    bar = None if as_json else progress_bar(sys.stdout, environ)
    try:
        planned = _plan(args, environ, stack, cache, bar)
    except AnkigenError as exc:
        if as_json:
            print(_json_report(exc.diagnostics, None, ok=False))
        else:
            _print(exc.diagnostics, sys.stderr)
        return Outcome(
            EXIT_FAIL, None if as_json else failed_summary(args.command, exc.diagnostics)
        )
    finally:
        if bar is not None:
            bar.close()
    if isinstance(planned, tuple):
        return _up_to_date(args, *planned)
    return _finish(args, planned, watching)


def _plan(
    args: argparse.Namespace,
    environ: dict[str, str],
    stack: contextlib.ExitStack,
    cache: RenderCache | None,
    bar: Callable[[int, int], None] | None,
) -> BuildPlan | tuple[Manifest, Path, Path, str]:
    """The build's plan; or, when nothing changed since the last build, its manifest, with
    the output and lockfile paths and the deck's name."""
    from ankigen.config.project import load_config, normalize_types  # noqa: PLC0415
    from ankigen.files import clear_leftovers, project_lock  # noqa: PLC0415
    from ankigen.freshness import up_to_date, written_files  # noqa: PLC0415
    from ankigen.read.pageset import read_pages  # noqa: PLC0415
    from ankigen.read.sources import require_source  # noqa: PLC0415

    source = Path(args.source)
    require_source(source)
    config = load_config(source)
    if args.types is not None:
        config = replace(config, types=normalize_types(args.types, "--types"))
    output = _output_path(getattr(args, "output", None), config)
    if args.command in WRITERS:
        stack.enter_context(project_lock(config.lock_path))
        # What builds killed before they finished left beside the deck and lockfile.
        clear_leftovers(written_files(output, config.lock_path))
    pageset = read_pages(source, config)
    # `check` of a project unchanged since its last build says what that build said.
    settled = args.command in ("check", *WRITERS) and not args.accept and args.format != "json"
    fresh = up_to_date(config, output, pageset, cache) if settled and cache else None
    if fresh is not None:
        return fresh, output, config.lock_path, config.deck
    from ankigen.cards.beside import start_early  # noqa: PLC0415
    from ankigen.cards.pages import RenderSettings, renderer  # noqa: PLC0415

    # the renderer loads in a forked process while the stages load here
    memo = cache.media_memo() if cache is not None else None
    start_early(renderer(RenderSettings.of(config), pageset.root, memo))
    from ankigen import build  # noqa: PLC0415 - the stages, once there is work

    return build.plan_build(
        source,
        config,
        _clock(environ),
        output,
        frozenset(args.accept),
        cache=cache,
        workers=args.jobs or build.available_cores(),
        progress=bar,
        pageset=pageset,
        keep_cards=False,
    )


def _finish(args: argparse.Namespace, plan: BuildPlan, watching: bool) -> Outcome:
    """Print the plan's diagnostics; write it if building; the summary line."""
    as_json = args.format == "json"
    building = args.command in WRITERS
    locked = getattr(args, "locked", False)
    failed = bool(args.strict and plan.diagnostics)
    drift = None
    if locked and not failed:
        from ankigen.build import lock_drift  # noqa: PLC0415

        drift = lock_drift(plan)
    shown = (*plan.diagnostics, drift) if drift is not None else plan.diagnostics
    if as_json:
        print(_json_report(shown, plan, ok=not failed and drift is None))
    else:
        _print(shown, sys.stderr)
    if failed:
        strict = failed_summary(
            args.command, plan.diagnostics, " (warnings are errors under --strict)"
        )
        return Outcome(EXIT_FAIL, None if as_json else strict)
    if drift is not None:
        if not as_json:
            _print_details(plan, sys.stderr)
        stale = "ankigen: the lockfile is not up to date; nothing written"
        return Outcome(EXIT_FAIL, None if as_json else stale)
    if building:
        from ankigen.build import write_build  # noqa: PLC0415
        from ankigen.files import write_failure  # noqa: PLC0415

        try:
            write_build(plan, lockfile=not locked)
        except OSError as exc:
            failure = write_failure(exc, exc.filename or plan.output)
            _print([failure], sys.stderr)
            return Outcome(EXIT_FAIL, failed_summary("build", [*plan.diagnostics, failure]))
    report = plan.report
    done = Outcome(
        EXIT_OK,
        None if as_json else _summary(plan, wrote=building),
        output=plan.output,
        lock_path=plan.config.lock_path,
        deck=plan.config.deck,
        counts=dict(report.counts),
        notes=report.live,
        warnings=sum(d.severity is Severity.WARNING for d in plan.diagnostics),
    )
    if as_json:
        return done
    if args.command == "diff":
        _print_diff(plan)
    elif not watching and (report.count("new") != report.live or report.count("removed")):
        # not a first build; `sync` says what became of removed notes in its own line
        _print_details(plan, sys.stdout, removed_advice=args.command != "sync")
    return done


def _print_details(plan: BuildPlan, stream: TextIO, *, removed_advice: bool = True) -> None:
    from ankigen.output.report import report_details  # noqa: PLC0415

    for line in report_details(plan.report, limit=20, removed_advice=removed_advice):
        print(line, file=stream)


def _print_diff(plan: BuildPlan) -> None:
    """The report, with a short diff of each changed note's fields (the earlier text read
    from the package the last build wrote at the output path)."""
    from ankigen.output.earlier import diffs_by_guid, read_package_fields  # noqa: PLC0415
    from ankigen.output.notetype import note_type  # noqa: PLC0415
    from ankigen.output.report import report_text  # noqa: PLC0415

    report = plan.report
    touched = ("changed", "reworded", "moved")
    now = {n.guid: n.fields for n in plan.identified.notes if n.status in touched}
    earlier = read_package_fields(plan.output) if now else {}
    details = diffs_by_guid(note_type().fields, earlier or {}, now)
    print(report_text(report, details), end="")
    if earlier is None:
        print(
            f"(what changed in each field is not shown: no earlier package at {plan.output}; "
            "pass the deck's path with -o OUT as for build)"
        )


def _up_to_date(
    args: argparse.Namespace, manifest: Manifest, output: Path, lock_path: Path, deck: str
) -> Outcome:
    """Nothing changed since the last build: its warnings again, and nothing written."""
    failed = bool(args.strict and manifest.diagnostics)
    if args.format == "json":
        print(json.dumps({"ok": not failed, "up_to_date": True, "notes": manifest.notes}))
        return Outcome(EXIT_FAIL if failed else EXIT_OK, None, output, lock_path, deck)
    _print(manifest.diagnostics, sys.stderr)
    if failed:
        why = " (warnings are errors under --strict)"
        return Outcome(EXIT_FAIL, failed_summary(args.command, manifest.diagnostics, why))
    warnings = len(manifest.diagnostics)
    tail = f", {warnings} warning(s)" if warnings else ""
    where = f" -> {output} (up to date)" if args.command in WRITERS else " (nothing written)"
    summary = (
        f"ankigen: {manifest.notes} notes from {manifest.pages} page(s), "
        f"nothing changed since the last build{tail}{where}"
    )
    return Outcome(
        EXIT_OK,
        summary,
        output=output,
        lock_path=lock_path,
        deck=deck,
        notes=manifest.notes,
        warnings=sum(d.severity is Severity.WARNING for d in manifest.diagnostics),
    )


def watch_command(
    args: argparse.Namespace, environ: dict[str, str], stop: threading.Event | None
) -> int:
    """Build, then rebuild on every change until ``stop`` is set (or forever)."""
    from ankigen.cli.watch import watch, watch_roots  # noqa: PLC0415
    from ankigen.config.project import load_config  # noqa: PLC0415
    from ankigen.freshness import written_files  # noqa: PLC0415
    from ankigen.read.sources import require_source  # noqa: PLC0415

    source = Path(args.source)
    try:
        require_source(source)
        config = load_config(source)
    except AnkigenError as exc:
        _print(exc.diagnostics, sys.stderr)
        return EXIT_FAIL
    output = _output_path(args.output, config)
    watched = [source]
    if config.site is not None:
        watched += [config.site.config_file, config.site.docs_dir]
    if config.config_file is not None:
        watched.append(config.config_file)
    cache = _cache(args, environ, remember=True)
    # what a build writes: never a reason to build again
    written = {p.resolve() for p in written_files(output, config.lock_path)}
    folders = [cache.folder.resolve()] if cache is not None else []

    def ignore(path: Path) -> bool:
        resolved = path.resolve()
        if resolved in written or any(resolved.is_relative_to(f) for f in folders):
            return True
        return any(part.startswith(".ankigen-") for part in resolved.parts)  # scratch

    def once() -> tuple[bool, str]:
        try:
            outcome = _run(args, environ, watching=True, cache=cache)
            _print_skipped_writes(args)
        except Exception as exc:  # a bug in one rebuild: said in one line, and watching goes on
            from ankigen.cli.commands import bug_report  # noqa: PLC0415

            return False, bug_report(exc)
        return outcome.status == EXIT_OK, outcome.summary or "build failed"

    def emit(line: str) -> None:
        print(line, flush=True)

    watch(once, watch_roots(watched), ignore, emit, stop=stop)
    return EXIT_OK
