"""``ankigen preview``: the cards of a build as one HTML page, and no deck."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ankigen.cli.commands import EXIT_FAIL, EXIT_OK
from ankigen.errors import AnkigenError, Diagnostic, Severity

if TYPE_CHECKING:
    from ankigen.build import BuildPlan
    from ankigen.config.project import Config

__all__ = ["preview_command", "preview_folder"]


def preview_folder(arg: str | None, output: Path | None) -> Path:
    """``-o DIR``, else ``<config output, else build>/preview``."""
    if arg is not None:
        return Path(arg)
    return (output if output is not None else Path("build")) / "preview"


def _plan(
    args: argparse.Namespace, environ: dict[str, str]
) -> tuple[Config, BuildPlan, dict[str, str]]:
    """The build's plan, as ``build`` makes it (the lockfile is read, never written)."""
    from ankigen import build  # noqa: PLC0415
    from ankigen.cli.progress import progress_bar  # noqa: PLC0415
    from ankigen.cli.run import _cache, _clock, _output_path  # noqa: PLC0415
    from ankigen.config.project import load_config, normalize_types  # noqa: PLC0415
    from ankigen.read.pageset import read_pages  # noqa: PLC0415
    from ankigen.read.sources import require_source  # noqa: PLC0415

    bar = progress_bar(sys.stdout, environ)
    try:
        source = Path(args.source)
        require_source(source)
        config = load_config(source)
        if args.types is not None:
            config = replace(config, types=normalize_types(args.types, "--types"))
        pageset = read_pages(source, config)
        shown = dict(pageset.shown)
        plan = build.plan_build(
            source,
            config,
            _clock(environ),
            _output_path(None, config),
            cache=_cache(args, environ),
            workers=args.jobs or build.available_cores(),
            progress=bar,
            pageset=pageset,
        )
    finally:
        if bar is not None:
            bar.close()
    return config, plan, shown


def preview_command(args: argparse.Namespace, environ: dict[str, str]) -> int:
    """Plan the build, then write the preview. Diagnostics print as a build prints
    them; with an error nothing is written."""
    from ankigen.cli.run import _print  # noqa: PLC0415
    from ankigen.errors import shown_path  # noqa: PLC0415
    from ankigen.output import preview  # noqa: PLC0415
    from ankigen.output.notetype import note_type  # noqa: PLC0415

    try:
        config, plan, shown = _plan(args, environ)
    except AnkigenError as exc:
        _print(exc.diagnostics, sys.stderr)
        errors = sum(d.severity is Severity.ERROR for d in exc.diagnostics)
        print(f"ankigen: preview failed with {errors} error(s), nothing written", file=sys.stderr)
        return EXIT_FAIL
    _print(plan.diagnostics, sys.stderr)
    folder = preview_folder(args.output, config.output)
    notetype = note_type()
    notes = plan.identified.notes
    cards, rest = preview.preview_cards(notes, plan.cards, shown, plan.diagnostics, notetype)
    anki = preview.find_anki_web()
    page = preview.preview_html(
        config.deck,
        cards,
        notetype,
        anki=anki,
        problems=rest,
        removed=sum(n.is_tombstone for n in notes),
    )
    try:
        index = preview.write_preview(folder, page, (m for c in cards for m in c.media), anki)
    except AnkigenError as exc:
        _print(exc.diagnostics, sys.stderr)
        return EXIT_FAIL
    except OSError as exc:
        diag = Diagnostic(
            str(exc.filename or folder),
            f"cannot write the preview: {exc.strerror or exc}",
            hint="check the folder is writable, or pass another one with -o DIR",
        )
        _print([diag], sys.stderr)
        return EXIT_FAIL
    warnings = sum(d.severity is Severity.WARNING for d in plan.diagnostics)
    tail = f", {warnings} warning(s)" if warnings else ""
    print(
        f"ankigen: preview of {len(cards)} card(s) in {len({c.deck for c in cards})} deck(s) "
        f"from {plan.pages} page(s){tail} -> {shown_path(index)}"
    )
    if anki is not None:
        print(f"ankigen: math typeset by Anki desktop's MathJax (aqt {anki.version})")
    else:
        print(
            "ankigen: math shown as TeX; for typeset math as in Anki: "
            "pip install 'ankigen[preview]'"
        )
    if args.open:
        import webbrowser  # noqa: PLC0415

        if not webbrowser.open(index.resolve().as_uri()):
            print(f"ankigen: no web browser found; open {index.resolve()}", file=sys.stderr)
    return EXIT_OK
