"""Command line: the one place that prints diagnostics and picks exit codes.

Exit status: 0 ok, 1 the build cannot be trusted (errors, or warnings under --strict), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from ankigen import __version__
from ankigen.cli import COMMANDS

if TYPE_CHECKING:
    import threading
    from collections.abc import Sequence

# Only argparse is loaded to read the command line: `--help` and `--version` answer without
# anything else, and ``cli.run`` loads the stages a command runs when it runs them (a
# no-change rebuild never loads markdown-it, Pygments or genanki).

__all__ = ["console", "main"]

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


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
        epilog="Exit status: 0 ok, 1 errors (or warnings with --strict, a lockfile the build "
        "would change with --locked, a sync that did not reach Anki), 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"ankigen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser, *, formats: bool = True) -> None:
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
            type=_types,
            help="admonition types that make cards, comma-separated "
            "(default: config, else question,help,faq)",
        )
        p.add_argument(
            "--strict",
            action="store_true",
            help="treat warnings as errors: exit 1 and write nothing",
        )
        if formats:
            p.add_argument(
                "--format",
                choices=("text", "json"),
                default="text",
                help="text (default): diagnostics on stderr and a summary line; json: one JSON "
                "document on stdout with every diagnostic and the counts, for CI",
            )
        else:
            p.set_defaults(format="text")
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

    def locked(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--locked",
            action="store_true",
            help="fail (exit 1, nothing written) if the build would change the lockfile: a "
            "new, changed, reworded, moved or removed note whose lockfile entry is not "
            "committed; for CI",
        )

    build = sub.add_parser(
        "build",
        help="build the deck (the default command)",
        description="Build SOURCE into an .apkg and update the lockfile.",
    )
    common(build)
    output(build)
    locked(build)
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
    locked(check)
    diff = sub.add_parser(
        "diff",
        help="show what a build would add, change and remove; write nothing",
        description="Compare SOURCE with the lockfile of the last build and print the report; "
        "for each changed note, a short diff of its fields against the deck at OUT.",
    )
    common(diff)
    output(diff)
    sync = sub.add_parser(
        "sync",
        help="build, then import the deck into a running Anki through AnkiConnect",
        description="Build SOURCE exactly like `build` (same deck, lockfile and reports), then "
        "import the deck into a running Anki through the AnkiConnect add-on "
        "(code 2055492159), so notes update in place with their review history.",
        epilog="Environment: ANKICONNECT_URL (the address when --url is not given), "
        "ANKICONNECT_KEY (the apiKey of AnkiConnect's config, when it has one).",
    )
    common(sync, formats=False)
    output(sync)
    sync.add_argument(
        "--url",
        default=None,
        help="AnkiConnect's address (default: $ANKICONNECT_URL, else http://127.0.0.1:8765)",
    )
    sync.add_argument(
        "--delete-removed",
        action="store_true",
        help="after the import, delete this deck's removed notes (tagged ankigen::removed) "
        "from Anki, with their cards",
    )
    sync.add_argument(
        "--upload",
        action="store_true",
        help="send the deck over the connection instead of letting Anki read it from this "
        "disk (taken anyway when Anki is on another host or cannot open the file)",
    )
    preview = sub.add_parser(
        "preview",
        help="write an HTML page showing every card, front and back; write no deck",
        description="Build SOURCE's cards as `build` does and write DIR/index.html: every "
        "card's front and back with the note type's CSS, light and night, grouped by deck, "
        "with each card's page:line and warnings. Writes no deck, lockfile or report.",
    )
    preview.add_argument(
        "source",
        nargs="?",
        default="source",
        metavar="SOURCE",
        help="a folder of Markdown pages, one .md file, or an mkdocs site (default: source)",
    )
    preview.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default=None,
        help="the folder to write index.html into (default: config `output`, else build/, "
        "then preview/)",
    )
    preview.add_argument(
        "--open", action="store_true", help="open the preview in the default web browser"
    )
    preview.add_argument(
        "--types",
        metavar="A,B",
        default=None,
        help="admonition types that make cards, comma-separated "
        "(default: config, else question,help,faq)",
    )
    preview.add_argument(
        "-j", "--jobs", type=_jobs, default=0, metavar="N", help="processes that render pages"
    )
    preview.add_argument(
        "--no-cache", action="store_true", help="render every page afresh and keep no cache"
    )
    server = sub.add_parser(
        "server",
        help="show or stop the build server that runs builds started from a terminal",
        description="After a build run in a terminal, a server in the background keeps "
        "ankigen loaded and runs the next build, check or diff in a fork of itself, with the "
        "command's streams, folder and environment: the same files and output, without the "
        "start-up. It ends after ANKIGEN_SERVER_IDLE seconds without a command (default "
        "600). ANKIGEN_SERVER=0 runs every command in its own process; =1 uses a server "
        "outside a terminal or under CI too.",
    )
    server.add_argument(
        "action",
        nargs="?",
        choices=("status", "stop"),
        default="status",
        help="status: list the running servers (default); stop: end them",
    )
    return parser


_TYPE = re.compile(r"[\w\-]+")


def _types(text: str) -> str:
    """``--types``: admonition types separated by commas (checked here: a usage error)."""
    items = [item.strip() for item in text.split(",")]
    bad = [item for item in items if item and not _TYPE.fullmatch(item)]
    if bad or not any(items):
        what = f"{bad[0]!r} is not an admonition type" if bad else "no admonition type given"
        raise argparse.ArgumentTypeError(
            f"{what}; give single words separated by commas, e.g. --types question,faq"
        )
    return text


def _jobs(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of processes, not {text!r}")
    return int(text)


def main(
    argv: Sequence[str] | None = None,
    env: dict[str, str] | None = None,
    stop: threading.Event | None = None,
    *,
    early_renderer: bool = False,
) -> int:
    """Run one command. ``stop`` ends ``watch`` from another thread (tests, embedding).

    ``early_renderer``: let a build fork its page renderer early (``cards.beside``); only in
    a process of its own (the command line), never in one that may have other threads."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (
        args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help", "--version")
    ):
        if args_list and (unknown := _unknown_command(args_list[0])):
            print(unknown, file=sys.stderr)
            return EXIT_USAGE
        args_list.insert(0, "build")
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exc:  # argparse has printed the usage message
        return EXIT_OK if exc.code in (0, None) else EXIT_USAGE
    if args.command == "server":
        from ankigen.cli.server import server_command  # noqa: PLC0415

        return server_command(args.action, dict(os.environ) if env is None else env)
    if not Path(args.source).exists():  # a usage error: nothing to build from
        print(
            f"{args.source}: error: source path does not exist\n"
            "  hint: pass a folder of Markdown pages, one .md file or an mkdocs site "
            f"(default: source); commands are {', '.join(COMMANDS)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    environ = dict(os.environ) if env is None else env
    if early_renderer and _may_render_an_edit(args, environ):
        from ankigen.cards.beside import permit_early  # noqa: PLC0415

        permit_early()
    from ankigen.cli import run  # noqa: PLC0415 - the commands, once one runs

    if args.command == "preview":
        from ankigen.cli.preview import preview_command  # noqa: PLC0415

        return preview_command(args, environ)
    if args.command == "watch" or getattr(args, "watch", False):
        args.command = "build"
        return run.watch_command(args, environ, stop)
    if args.command == "sync":
        from ankigen.cli import sync  # noqa: PLC0415

        return sync.sync_command(args, environ)
    return run.command(args, environ)


def _may_render_an_edit(args: argparse.Namespace, environ: dict[str, str]) -> bool:
    """Whether the command is a one-off build, check or diff that may render a few pages
    beside reading the rest back: with a cache, and more than one process allowed."""
    if args.command not in ("build", "check", "diff", "sync") or getattr(args, "watch", False):
        return False
    return getattr(args, "jobs", None) != 1 and not cache_off(args, environ)


def cache_off(args: argparse.Namespace, environ: dict[str, str]) -> bool:
    """Whether the command runs without the render cache: ``--no-cache``, or
    ``ANKIGEN_NO_CACHE`` in ``environ`` or in the process environment (a caller may pass a
    reduced ``environ``: tests pass {} to pin the clock, not to turn the cache off)."""
    if getattr(args, "no_cache", False):
        return True
    return bool(environ.get("ANKIGEN_NO_CACHE") or os.environ.get("ANKIGEN_NO_CACHE"))


def _unknown_command(word: str) -> str | None:
    """The message for a first word that is no command and no path, when it reads like a
    misspelt command (``ankigen biuld``); None when it may be a SOURCE."""
    import difflib  # noqa: PLC0415

    if word.startswith("-") or any(c in word for c in "/\\.") or Path(word).exists():
        return None  # a flag, or a path (a missing one is said so, as a usage error too)
    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.6)
    if not close:
        return None
    return (
        f"ankigen: error: unknown command {word!r}; did you mean {close[0]!r}?\n"
        f"  hint: commands are {', '.join(COMMANDS)}; "
        f"`ankigen {close[0]} --help` shows its options"
    )


def console() -> NoReturn:
    """The command run in this process (``ankigen.cli.console`` found no build server to
    run it): ``status()``, a server started when the command looked for one, and the end."""
    from ankigen.cli.server import start_server  # noqa: PLC0415

    code = status(early_renderer=True)
    start_server()
    _exit(code)


def status(*, early_renderer: bool = False) -> int:
    """``main`` on the process's arguments, with a bug reported in one line, not a traceback:
    the exit status."""
    try:
        return main(early_renderer=early_renderer)
    except KeyboardInterrupt:
        print("ankigen: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one place a bug is turned into a message
        print(bug_report(exc), file=sys.stderr)
        return EXIT_FAIL


def _exit(code: int) -> NoReturn:
    """End the process. Everything ankigen writes is closed and renamed into place by now,
    so the interpreter's tear-down (freeing every object of a large build: ~0.1 s at 10,000
    cards) is skipped: the standard streams are flushed and the process ends. Under a tracer
    or profiler (coverage, ``python -m cProfile``, a debugger) or ``python -X dev``, or when
    the streams cannot be flushed, it exits the ordinary way."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    watched = sys.gettrace() is not None or sys.getprofile() is not None
    if watched or "coverage" in sys.modules or sys.flags.dev_mode:
        sys.exit(code)
    os._exit(code)


def bug_report(exc: BaseException) -> str:
    """Write ``exc``'s traceback to a file; the one line telling the user it is a bug."""
    import tempfile  # noqa: PLC0415
    import traceback  # noqa: PLC0415

    text = "".join(traceback.format_exception(exc))
    try:
        fd, name = tempfile.mkstemp(prefix="ankigen-bug-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"ankigen {__version__}, Python {sys.version.split()[0]}\n{text}")
        where = f"the traceback is in {name}"
    except OSError:
        where = "the traceback could not be written"
    kind = type(exc).__name__
    return (
        f"ankigen: internal error (a bug in ankigen, not in your pages): {kind}: {exc}; "
        f"{where}; please report it with that file"
    )
