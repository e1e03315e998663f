"""``ankigen sync``: build exactly like ``build``, then import the deck into a running Anki.

AnkiConnect is asked first (is it there, new enough, does it take the key?), so a learner
whose Anki is closed hears so at once and nothing is built. Then the build, its diagnostics
and details printed as ``build`` prints them; then the import, and one line saying what
reached Anki, how, and what became of this deck's removed notes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ankigen.cli.commands import EXIT_FAIL, EXIT_OK
from ankigen.cli.run import Outcome, build
from ankigen.errors import AnkigenError, Diagnostic
from ankigen.output.ankiconnect import (
    DEFAULT_URL,
    AnkiConnect,
    Imported,
    delete_notes,
    find_removed,
    import_package,
    parse_url,
    removed_queries,
)

__all__ = ["sync_command"]

SHOWN = ("new", "changed", "reworded", "moved", "unchanged", "removed")


def _url(args: argparse.Namespace, environ: Mapping[str, str]) -> str:
    if args.url:
        return parse_url(args.url, "--url")
    if environ.get("ANKICONNECT_URL", "").strip():
        return parse_url(environ["ANKICONNECT_URL"], "ANKICONNECT_URL")
    return DEFAULT_URL


def _fail(diagnostics: Sequence[Diagnostic], after: str) -> int:
    for diag in diagnostics:
        print(diag.format(), file=sys.stderr)
    print(f"ankigen: {after}", file=sys.stderr)
    return EXIT_FAIL


def sync_command(args: argparse.Namespace, environ: dict[str, str]) -> int:
    try:
        client = AnkiConnect(_url(args, environ), environ.get("ANKICONNECT_KEY", "").strip())
        client.probe()
    except AnkigenError as exc:
        return _fail(exc.diagnostics, "nothing built or imported")
    outcome = build(args, environ)
    if outcome.status != EXIT_OK or outcome.output is None or outcome.lock_path is None:
        if outcome.status != EXIT_OK and outcome.summary is not None:
            print(outcome.summary, file=sys.stderr)  # the failed build's one summary line
        return outcome.status if outcome.status != EXIT_OK else EXIT_FAIL
    output, lock_path = outcome.output, outcome.lock_path
    try:
        imported = import_package(client, output, upload=args.upload)
        removed = find_removed(client, _removed_searches(lock_path), outcome.deck)
        if args.delete_removed and removed:
            delete_notes(client, removed)
    except AnkigenError as exc:
        return _fail(exc.diagnostics, f"the deck is built ({output}) but not synced")
    if imported.leftover:
        print(
            f"ankigen: warning: could not remove the uploaded copy {imported.leftover!r} from "
            "Anki's media folder; Tools > Check Media lists it as unused",
            file=sys.stderr,
        )
    print(_line(client.url, outcome, imported, len(removed), args.delete_removed))
    return EXIT_OK


def _removed_searches(lock_path: Path) -> list[str]:
    """Searches that find this deck's removed notes in Anki (see ``removed_queries``)."""
    from ankigen.cards.fields import tombstone_source_html  # noqa: PLC0415
    from ankigen.identity.lockfile import load_lock  # noqa: PLC0415
    from ankigen.identity.notes import REMOVED_TAG  # noqa: PLC0415
    from ankigen.output.notetype import FIELDS, NOTETYPE_NAME  # noqa: PLC0415

    lock = load_lock(lock_path)
    if lock is None:
        return []
    sources = sorted(
        {tombstone_source_html(e.page, e.question) for e in lock.notes.values() if e.removed}
    )
    return list(removed_queries(REMOVED_TAG, NOTETYPE_NAME, FIELDS[3], sources))


def _counts(outcome: Outcome) -> tuple[Mapping[str, int] | None, bool]:
    """The report's counts and whether they are this build's (else the last build's,
    read from the report beside the deck, which is the deck that was imported)."""
    if outcome.counts is not None:
        return outcome.counts, True
    if outcome.output is None or outcome.lock_path is None:
        return None, False
    from ankigen.freshness import written_files  # noqa: PLC0415

    report = written_files(outcome.output, outcome.lock_path)[2]
    try:
        counts = json.loads(report.read_text(encoding="utf-8"))["counts"]
        return {str(k): int(v) for k, v in counts.items()}, False
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, False


def _line(url: str, outcome: Outcome, imported: Imported, removed: int, deleting: bool) -> str:
    counts, fresh = _counts(outcome)
    if counts is None:
        detail = f"{outcome.notes} notes"
    else:
        shown = [s for s in SHOWN if counts.get(s) or s in ("new", "changed", "unchanged")]
        detail = ", ".join(f"{counts.get(s, 0)} {s}" for s in shown)
    if not fresh:
        detail += ", as last built (nothing changed since)"
    if outcome.warnings:
        detail += f", {outcome.warnings} warning(s)"
    if imported.uploaded:
        how = f"uploaded ({_size(imported.size)}; {imported.why})"
    else:
        how = "Anki read it from this disk"
    line = f"ankigen: synced {outcome.output} into Anki at {url}: {detail}; {how}"
    notes = "note" if removed == 1 else "notes"
    if deleting:
        line += f"; {removed} removed {notes} deleted from Anki"
    elif removed:
        line += (
            f"; {removed} removed {notes} still in Anki (tag ankigen::removed): sync with "
            "--delete-removed to delete them"
        )
    return line


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"
