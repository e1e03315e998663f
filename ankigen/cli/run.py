"""Running a command: the stages it needs, loaded when it runs; every diagnostic printed here."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ankigen.cli.commands import EXIT_FAIL, EXIT_OK
from ankigen.errors import AnkigenError, Diagnostic, Severity

if TYPE_CHECKING:
    from ankigen.build import BuildPlan
    from ankigen.cards.cache import RenderCache
    from ankigen.config.project import Config
    from ankigen.output.manifest import Manifest

__all__ = ["command", "watch_command"]


def command(args: argparse.Namespace, environ: dict[str, str]) -> int:
    """Run one build, check or diff and print its summary line; the exit status."""
    status, summary = _run(args, environ)
    if status == EXIT_OK and summary is not None:
        print(summary)
    return status


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
    from ankigen.build import apkg_name  # noqa: PLC0415

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


def _cache(
    args: argparse.Namespace, environ: dict[str, str], *, remember: bool = False
) -> RenderCache | None:
    # The cache's own variables may also come from the process environment when a caller
    # passes a reduced ``env`` (tests pass {} to pin the clock, not to move the cache).
    names = ("ANKIGEN_NO_CACHE", "ANKIGEN_CACHE_DIR", "XDG_CACHE_HOME")
    merged = {k: v for k in names if (v := environ.get(k) or os.environ.get(k, ""))}
    if args.no_cache or merged.get("ANKIGEN_NO_CACHE"):
        return None
    from ankigen.freshness import open_cache  # noqa: PLC0415

    return open_cache(merged, remember=remember)


def _run(
    args: argparse.Namespace,
    environ: dict[str, str],
    *,
    watching: bool = False,
    cache: RenderCache | None = None,
) -> tuple[int, str | None]:
    """One build, check or diff: (exit status, the summary line to print last).

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
) -> tuple[int, str | None]:
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
        errors = sum(d.severity is Severity.ERROR for d in exc.diagnostics)
        return EXIT_FAIL, f"ankigen: build failed with {errors} error(s), nothing written"
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
) -> BuildPlan | tuple[Manifest, Path]:
    """The build's plan; or, when nothing changed since the last build, its manifest."""
    from ankigen.config.project import load_config, normalize_types  # noqa: PLC0415
    from ankigen.files import project_lock  # noqa: PLC0415
    from ankigen.freshness import up_to_date  # noqa: PLC0415
    from ankigen.read.pageset import read_pages  # noqa: PLC0415
    from ankigen.read.sources import require_source  # noqa: PLC0415

    source = Path(args.source)
    require_source(source)
    config = load_config(source)
    if args.types is not None:
        config = replace(config, types=normalize_types(args.types, "--types"))
    output = _output_path(getattr(args, "output", None), config)
    if args.command == "build":
        stack.enter_context(project_lock(config.lock_path))
    pageset = read_pages(source, config)
    # `check` of a project unchanged since its last build says what that build said.
    settled = args.command in ("build", "check") and not args.accept and args.format != "json"
    fresh = up_to_date(config, output, pageset, cache) if settled and cache else None
    if fresh is not None:
        return fresh, output
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


def _finish(args: argparse.Namespace, plan: BuildPlan, watching: bool) -> tuple[int, str | None]:
    """Print the plan's diagnostics; write it if building; the summary line."""
    as_json = args.format == "json"
    building = args.command == "build"
    failed = bool(args.strict and plan.diagnostics)
    if as_json:
        print(_json_report(plan.diagnostics, plan, ok=not failed))
    else:
        _print(plan.diagnostics, sys.stderr)
    if failed:
        if not as_json:
            print("ankigen: warnings are errors under --strict; nothing written", file=sys.stderr)
        return EXIT_FAIL, None
    if building:
        from ankigen.build import write_build  # noqa: PLC0415

        try:
            write_build(plan)
        except OSError as exc:
            target = exc.filename or plan.output
            _print(
                [
                    Diagnostic(
                        str(target),
                        f"cannot write: {exc.strerror or exc}",
                        hint="check the folder exists and is writable",
                    )
                ],
                sys.stderr,
            )
            return EXIT_FAIL, None
    if as_json:
        return EXIT_OK, None
    report = plan.report
    if args.command == "diff":
        from ankigen.output.report import report_text  # noqa: PLC0415

        print(report_text(report), end="")
    elif not watching and (report.count("new") != report.live or report.count("removed")):
        from ankigen.output.report import report_details  # noqa: PLC0415

        for line in report_details(report, limit=20):  # not a first build
            print(line)
    return EXIT_OK, _summary(plan, wrote=building)


def _up_to_date(
    args: argparse.Namespace, manifest: Manifest, output: Path
) -> tuple[int, str | None]:
    """Nothing changed since the last build: its warnings again, and nothing written."""
    failed = bool(args.strict and manifest.diagnostics)
    if args.format == "json":
        print(json.dumps({"ok": not failed, "up_to_date": True, "notes": manifest.notes}))
        return (EXIT_FAIL if failed else EXIT_OK), None
    _print(manifest.diagnostics, sys.stderr)
    if failed:
        print("ankigen: warnings are errors under --strict; nothing written", file=sys.stderr)
        return EXIT_FAIL, None
    warnings = len(manifest.diagnostics)
    tail = f", {warnings} warning(s)" if warnings else ""
    where = f" -> {output} (up to date)" if args.command == "build" else " (nothing written)"
    return EXIT_OK, (
        f"ankigen: {manifest.notes} notes from {manifest.pages} page(s), "
        f"nothing changed since the last build{tail}{where}"
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
        status, summary = _run(args, environ, watching=True, cache=cache)
        return status == EXIT_OK, summary or "build failed"

    def emit(line: str) -> None:
        print(line, flush=True)

    watch(once, watch_roots(watched), ignore, emit, stop=stop)
    return EXIT_OK
