"""The command line: ``main(argv)`` runs one command; ``console`` is the installed script.

Nothing is loaded here before a command is known to run in this process: ``console`` first
hands the command to a build server when one runs (``cli.server``), which costs only the
interpreter's start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from ankigen.cli.commands import main

__all__ = ["COMMANDS", "console", "main"]

COMMANDS = ("build", "check", "diff", "watch", "sync", "preview", "server")


def console() -> NoReturn:
    """The ``ankigen`` command (and ``python -m ankigen``): handed to the build server when
    one runs, else run here (``cli.commands.console``); then the process ends."""
    import os  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from ankigen.cli.server import handed_over  # noqa: PLC0415

    try:
        served = handed_over(sys.argv[1:])
    except KeyboardInterrupt:
        served = 130
        print("ankigen: interrupted", file=sys.stderr)
    if served is not None:  # the server's fork has written all the command's output
        sys.stderr.flush()
        os._exit(served)
    from ankigen.cli import commands  # noqa: PLC0415

    commands.console()


def __getattr__(name: str) -> object:
    if name == "main":
        from ankigen.cli.commands import main  # noqa: PLC0415

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
