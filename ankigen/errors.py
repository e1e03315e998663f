"""One diagnostic type, one exception type; printed only by ``cli``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["AnkigenError", "Diagnostic", "Severity", "shown_path"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem found in the input, located at ``path:line:col`` (line/col 1-based)."""

    path: str
    message: str
    hint: str = ""
    line: int | None = None
    col: int | None = None
    severity: Severity = Severity.ERROR

    @property
    def location(self) -> str:
        loc = self.path
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return loc

    def format(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class AnkigenError(Exception):
    """Raised when a stage cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]) -> None:
        found = (diagnostics,) if isinstance(diagnostics, Diagnostic) else tuple(diagnostics)
        self.diagnostics: tuple[Diagnostic, ...] = found
        super().__init__("\n".join(d.format() for d in found))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def shown_path(path: Path, cwd: Path | None = None) -> str:
    """A file as messages name it: relative to the working folder (``cwd``, resolved; the
    current one by default) when it lies inside it, else as given."""
    try:
        return path.absolute().relative_to(cwd or Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
