"""A progress bar for long builds, drawn only for a person at a terminal."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TextIO

__all__ = ["ProgressBar", "progress_bar"]


class ProgressBar:
    """``bar(done, total)`` redraws one line; nothing shows before ``delay`` seconds pass,
    so quick builds print nothing. ``close()`` wipes the line."""

    def __init__(self, stream: TextIO, delay: float = 0.5, width: int = 28) -> None:
        self.stream = stream
        self.delay = delay
        self.width = width
        self.started = time.monotonic()
        self.drawn = 0  # length of the line on screen

    def __call__(self, done: int, total: int) -> None:
        if total <= 0 or time.monotonic() - self.started < self.delay:
            return
        filled = self.width * done // total
        line = f"rendering [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} pages"
        self.stream.write("\r" + line.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(line)

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0


def progress_bar(stream: TextIO, env: Mapping[str, str]) -> ProgressBar | None:
    """A bar on ``stream`` when it is a terminal; never in CI, a dumb terminal or a pipe."""
    if env.get("CI") or env.get("TERM") == "dumb" or env.get("ANKIGEN_NO_PROGRESS"):
        return None
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return ProgressBar(stream)
