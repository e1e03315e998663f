"""Atomic writes for the files a build produces: a temp file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["commit_prepared", "prepare_text", "write_text_atomic"]


def prepare_text(path: Path, chunks: Iterable[str]) -> Path:
    """Write ``chunks`` to a temp file beside ``path`` and return it; ``path`` is untouched
    until ``commit_prepared``. The temp file is removed if writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            for chunk in chunks:
                handle.write(chunk)
        tmp.chmod(0o644)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def commit_prepared(tmp: Path, path: Path) -> None:
    tmp.replace(path)


def write_text_atomic(path: Path, text: str | Iterable[str]) -> None:
    commit_prepared(prepare_text(path, [text] if isinstance(text, str) else text), path)
