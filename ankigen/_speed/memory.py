"""Giving freed memory back to the operating system on large builds (glibc's malloc_trim)."""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ctypes

__all__ = ["trim"]

# Below this many pages, returning freed memory costs more time (~10 ms a call at 200
# pages) than the memory is worth.
_TRIM_PAGES = 400


def trim(pages: int) -> None:
    """Hand freed heap memory back to the OS (glibc keeps it otherwise, and the small
    objects made next come from other pools, so it would only add to the peak)."""
    libc = _libc() if pages >= _TRIM_PAGES else None
    if libc is not None:
        libc.malloc_trim(0)


@cache
def _libc() -> ctypes.CDLL | None:  # ctypes is loaded only for a build this large
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # noqa: PLC0415 - 6 ms of start-up a small build does not need
    import ctypes.util  # noqa: PLC0415

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None
