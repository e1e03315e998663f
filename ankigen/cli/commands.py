"""Command line: the one place that prints diagnostics and picks exit codes.

Exit status: 0 ok, 1 the build cannot be trusted (errors, or warnings under --strict), 2 usage.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from ankigen import __version__
from ankigen.build import (
    BuildPlan,
    apkg_name,
    plan_build,
    project_lock,
    read_pages,
    up_to_date,
    write_build,
    written_files,
)
from ankigen.cards.cache import RenderCache, default_cache_dir
from ankigen.cards.pages import available_cores
from ankigen.cli.progress import progress_bar
from ankigen.cli.watch import watch, watch_roots
from ankigen.config.project import Config, load_config, normalize_types
from ankigen.errors import AnkigenError, Diagnostic, Severity
from ankigen.output.manifest import Manifest
from ankigen.output.report import report_details, report_text
from ankigen.read.sources import require_source

__all__ = ["console", "main"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "check", "diff", "watch")


def _page_line(text: str) -> tuple[str, int]:
    page, _, line = text.rpartition(":")
    if not page or not line.isdigit():
        raise argparse.ArgumentTypeError(f"expected PAGE:LINE, e.g. cnn.md:12, not {text!r}")
    return page, int(line)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ankigen",
        description="Turn mkdocs-material question boxes into an Anki deck (.apkg). "
        "With no command, builds source/ into build/<deck>.apkg.",
        epilog="Exit status: 0 ok, 1 errors (or warnings with --strict), 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"ankigen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "source",
            nargs="?",
            default="source",
            metavar="SOURCE",
            help="a folder of Markdown pages (searched recursively), one .md file, or an mkdocs "
            "site: a folder holding mkdocs.yml, or that file (default: source)",
        )
        p.add_argument(
            "--types",
            metavar="A,B",
            default=None,
            help="admonition types that make cards, comma-separated "
            "(default: config, else question,help,faq)",
        )
        p.add_argument(
            "--strict",
            action="store_true",
            help="treat warnings as errors: exit 1 and write nothing",
        )
        p.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help="text (default): diagnostics on stderr and a summary line; json: one JSON "
            "document on stdout with every diagnostic and the counts, for CI",
        )
        p.add_argument(
            "--accept",
            metavar="PAGE:LINE",
            action="append",
            type=_page_line,
            default=[],
            help="accept the proposed match (listed by `diff` as 'maybe') of the card at "
            "PAGE:LINE with an earlier note, so it keeps that note's review history; repeatable",
        )
        p.add_argument(
            "-j",
            "--jobs",
            type=_jobs,
            default=0,
            metavar="N",
            help="processes that render pages on a large cold build "
            "(default 0: one per available core; 1: serial)",
        )
        p.add_argument(
            "--no-cache",
            action="store_true",
            help="render every page afresh and keep no cache "
            "(default cache: $ANKIGEN_CACHE_DIR, else $XDG_CACHE_HOME/ankigen or ~/.cache/ankigen)",
        )

    def output(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-o",
            "--output",
            metavar="OUT",
            default=None,
            help="output .apkg file, or a folder to write <deck>.apkg into "
            "(default: config `output`, else build/)",
        )

    build = sub.add_parser(
        "build",
        help="build the deck (the default command)",
        description="Build SOURCE into an .apkg and update the lockfile.",
    )
    common(build)
    output(build)
    build.add_argument(
        "--watch",
        action="store_true",
        help="after building, rebuild whenever a page, snippet, image or config file changes",
    )
    watch = sub.add_parser(
        "watch",
        help="build, then rebuild on every save (same as build --watch)",
        description="Build SOURCE, then rebuild whenever a file it is made from changes; one "
        "line per rebuild. A broken page shows its diagnostics and the last good deck stays.",
    )
    common(watch)
    output(watch)
    check = sub.add_parser(
        "check",
        help="report every diagnostic, write nothing",
        description="Parse and render SOURCE, print diagnostics, write nothing.",
    )
    common(check)
    diff = sub.add_parser(
        "diff",
        help="show what a build would add, change and remove; write nothing",
        description="Compare SOURCE with the lockfile of the last build and print the report.",
    )
    common(diff)
    return parser


def _jobs(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of processes, not {text!r}")
    return int(text)


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
    if arg is not None:
        out = Path(arg)
        return out if out.suffix.lower() == ".apkg" else out / apkg_name(config.deck)
    folder = config.output if config.output is not None else Path("build")
    return folder / apkg_name(config.deck)


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
    rendered = f", {fresh} rendered" if plan.cache is not None and fresh < plan.pages else ""
    return f"ankigen: {total} notes from {plan.pages} page(s){rendered} ({detail}){tail}{where}"


def main(
    argv: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run one command. ``stop`` ends ``watch`` from another thread (tests, embedding)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (
        args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        args_list.insert(0, "build")
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exc:  # argparse has printed the usage message
        return EXIT_OK if exc.code in (0, None) else EXIT_USAGE
    environ = dict(os.environ) if env is None else env
    if args.command == "watch" or getattr(args, "watch", False):
        args.command = "build"
        return _watch(args, environ, stop)
    status, summary = _run(args, environ)
    if status == EXIT_OK and summary is not None:
        print(summary)
    return status


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
    return RenderCache(default_cache_dir(merged), remember=remember)


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
    as_json = args.format == "json"
    building = args.command == "build"
    bar = None if as_json else progress_bar(sys.stdout, environ)
    try:
        source = Path(args.source)
        require_source(source)
        config = load_config(source)
        if args.types is not None:
            config = replace(config, types=normalize_types(args.types, "--types"))
        output = _output_path(getattr(args, "output", None), config)
        if building:
            stack.enter_context(project_lock(config.lock_path))
        pageset = read_pages(source, config)
        fresh = (
            up_to_date(config, output, pageset, cache)
            if building and cache is not None and not args.accept and not as_json
            else None
        )
        if fresh is not None:
            return _up_to_date(args, fresh, output)
        plan = plan_build(
            source,
            config,
            _clock(environ),
            output,
            frozenset(args.accept),
            cache=cache,
            workers=args.jobs or available_cores(),
            progress=bar,
            pageset=pageset,
            keep_cards=False,
        )
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
        print(report_text(report), end="")
    elif not watching and (report.count("new") != report.live or report.count("removed")):
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
    return EXIT_OK, (
        f"ankigen: {manifest.notes} notes from {manifest.pages} page(s), "
        f"nothing changed since the last build{tail} -> {output} (up to date)"
    )


def _watch(args: argparse.Namespace, environ: dict[str, str], stop: threading.Event | None) -> int:
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


def console() -> None:
    sys.exit(main())
