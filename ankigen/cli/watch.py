"""``ankigen watch``: rebuild on every save, one line per rebuild.

A change is a batch of file events gathered by ``watchfiles`` (debounced: a save that
touches several files, or an editor writing a temp file then renaming it, is one rebuild).
The build itself is the ordinary one, so a broken page prints its diagnostics and writes
nothing: the last good deck stays in place until the page is fixed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import watchfiles

__all__ = ["watch", "watch_roots"]

Build = Callable[[], tuple[bool, str]]  # (deck written, one-line summary)


def watch_roots(paths: Iterable[Path]) -> list[Path]:
    """Existing folders to watch, none inside another."""
    folders = sorted({(p if p.is_dir() else p.parent).resolve() for p in paths if p.exists()})
    return [f for f in folders if not any(f != o and f.is_relative_to(o) for o in folders)]


def _names(changes: Iterable[tuple[object, str]], roots: Sequence[Path]) -> str:
    shown: set[str] = set()
    for _, raw in changes:
        path = Path(raw)
        for root in roots:
            if path.is_relative_to(root):
                shown.add(path.relative_to(root).as_posix())
                break
        else:
            shown.add(path.name)
    names = sorted(shown)
    more = f" (+{len(names) - 3} more)" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


def watch(
    build: Build,
    roots: Sequence[Path],
    ignore: Callable[[Path], bool],
    emit: Callable[[str], None],
    *,
    stop: threading.Event | None = None,
    debounce_ms: int = 200,
) -> None:
    """Build once, then after every batch of changes under ``roots`` until ``stop`` is set
    (or Ctrl-C). ``ignore`` drops events of files the build writes itself."""
    default = watchfiles.DefaultFilter()

    def wanted(change: watchfiles.Change, raw: str) -> bool:
        path = Path(raw)
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            return False  # atomic writes in progress, ours or an editor's
        return default(change, raw) and not ignore(path)

    def run(what: str) -> None:
        started = time.perf_counter()
        ok, summary = build()
        took = time.perf_counter() - started
        clock = time.strftime("%H:%M:%S")
        status = summary if ok else f"{summary}; the last good deck is kept"
        emit(f"[{clock}] {what}: {status} ({took:.2f} s)")

    run("built")
    emit(f"watching {', '.join(str(r) for r in roots)} (Ctrl-C to stop)")
    for changes in watchfiles.watch(
        *roots,
        watch_filter=wanted,
        debounce=debounce_ms,
        step=20,
        stop_event=stop,
        raise_interrupt=False,
    ):
        run(_names(changes, roots))
