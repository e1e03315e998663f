"""ankigen's own code: the files whose content decides what a build does.

The render cache's code fingerprint hashes them, and a build server's key holds their sizes
and modification times (``cli.server``). Loaded before anything else by every command: it
imports only ``os``.
"""

from __future__ import annotations

import os

__all__ = ["PACKAGE", "code_files"]

PACKAGE = os.path.dirname(os.path.abspath(__file__))  # noqa: PTH100, PTH120 - no pathlib here
_SUFFIXES = (".py", ".html", ".css", ".json", ".txt")


def code_files(package: str = PACKAGE) -> list[str]:
    """The package's sources and assets, sorted (``os.walk``: a fifth of ``Path.rglob``'s
    time; no bytecode)."""
    found: list[str] = []
    for folder, subfolders, names in os.walk(package):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        found.extend(os.path.join(folder, n) for n in names if n.endswith(_SUFFIXES))  # noqa: PTH118
    return sorted(found)
