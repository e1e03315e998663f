"""Giving freed memory back to the operating system on large builds."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["release_memory"]

# Below this many pages, returning freed memory costs more time (~10 ms a call at 200
# pages) than the memory is worth.
_TRIM_PAGES = 400


def release_memory(pages: int) -> None:
    """Hand freed heap memory back to the OS (glibc keeps it otherwise, and the small
    objects made next come from other pools, so it would only add to the peak)."""
    if _LIBC is not None and pages >= _TRIM_PAGES:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


_LIBC = _libc() if sys.platform.startswith("linux") else None
