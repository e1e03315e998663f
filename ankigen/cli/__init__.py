"""The command line: ``main(argv)`` runs one command; ``console`` is the installed script."""

from ankigen.cli.commands import console, main

__all__ = ["console", "main"]
