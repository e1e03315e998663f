"""The speed wing: everything that repeats or reaches into a library's private code to run faster.

The rest of ankigen calls only the functions of this module, each of which gives the plain
behaviour when its speed-up is off. Nothing here changes a byte of what a build writes
(``tests/test_speed.py`` builds the fixture sites both ways and compares the files), and
nothing here imports ankigen outside this folder.

``ANKIGEN_SPEEDUPS`` switches them: unset or ``1`` all on, ``0`` all off, ``lexer,tokens``
only those, ``-gc`` all but that one. A speed-up whose library code is not the code it was
written against (``guards``) stays off whatever the switch says.

=========  ===============================================================================
gc         the cyclic garbage collector is paused while a build runs
lexer      Pygments' RegexLexer loop: runs of rules joined, tried by first character
tokens     markdown-it tokens made slot by slot; delimiter rules skipped where no run was found
linkify    plain ASCII http(s) URLs skip linkify-it's Unicode regex
memory     freed heap memory handed back to the OS on large builds (glibc)
urls       markdown-it's link normalisers skipped for URLs they would return unchanged
=========  ===============================================================================

Each stays only while it pays: ``benchmarks/bench_speedups.py`` measures each one off alone
against all on, and a speed-up worth less than 3% of a cold one-process build is deleted
(the README holds the table). Deleted so far, measured at 0.3-2.6%: a quiet markdown-it
logger, slot-setting record constructors, skipping markdown-it's normalize rule, dict-speed
option reads, and markdown-it's block line table made with str methods. (Deflating the
collection on two threads left the wing too; it touches no library internals, and it is
back in ``output/apkg.py`` for what it saves in wall time on large decks.)
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from markdown_it import MarkdownIt
    from pygments.lexer import Lexer

__all__ = [
    "SPEEDUPS",
    "active",
    "enabled",
    "faster_lexer",
    "install_parser",
    "keep_guard_digests_in",
    "paused_gc",
    "release_memory",
]

SPEEDUPS = ("gc", "lexer", "tokens", "linkify", "urls", "memory")
ENV = "ANKIGEN_SPEEDUPS"


def active(environ: os._Environ[str] | dict[str, str] | None = None) -> frozenset[str]:
    """The speed-ups the switch turns on (before the guards have their say)."""
    raw = (os.environ if environ is None else environ).get(ENV, "1").strip().lower()
    if raw in ("", "1", "on", "true", "yes", "all"):
        return frozenset(SPEEDUPS)
    if raw in ("0", "off", "false", "no", "none"):
        return frozenset()
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if all(n.startswith("-") for n in names):
        return frozenset(SPEEDUPS) - {n[1:] for n in names}
    return frozenset(n for n in names if not n.startswith("-")) & frozenset(SPEEDUPS)


def enabled(name: str) -> bool:
    if name not in SPEEDUPS:
        raise KeyError(name)
    return name in active()


def keep_guard_digests_in(folder: Path) -> None:
    """Keep the guards' digests of the installed library code in ``folder`` (the render
    cache's), so a build whose libraries are unchanged does not read their source again."""
    from ankigen._speed.guards import keep_digests_in  # noqa: PLC0415

    keep_digests_in(folder)


def install_parser(md: MarkdownIt, on: frozenset[str]) -> None:
    """The parser speed-ups in ``on`` whose library code is known, into ``md``."""
    if "tokens" in on:
        from ankigen._speed.tokens import fast_inline_plugin  # noqa: PLC0415

        fast_inline_plugin(md)
    if "linkify" in on:
        from ankigen._speed.linkify import fast_linkify_plugin  # noqa: PLC0415

        fast_linkify_plugin(md)
    if "urls" in on:
        from ankigen._speed.urls import fast_urls  # noqa: PLC0415

        fast_urls(md)


def faster_lexer(found: Lexer) -> Lexer:
    """``found``, with the joined loop when that speed-up is on and Pygments is known."""
    if not enabled("lexer"):
        return found
    from ankigen._speed.lexer import accelerate  # noqa: PLC0415

    return accelerate(found)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector, restoring its state afterwards.

    markdown-it makes hundreds of thousands of short-lived, acyclic token objects; reference
    counting frees them, and cyclic collection passes only cost time.
    """
    was_enabled = gc.isenabled()
    if enabled("gc"):
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def release_memory(pages: int) -> None:
    """Hand freed heap memory back to the OS after a large build's stage."""
    if enabled("memory"):
        from ankigen._speed.memory import trim  # noqa: PLC0415

        trim(pages)
