"""Atomic writes for the files a build produces: a temp file beside the target, then a rename."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["commit_prepared", "prepare_text", "write_text_atomic"]

_BATCH = 1 << 18  # characters per write


def prepare_text(path: Path, chunks: Iterable[str]) -> tuple[Path, str]:
    """Write ``chunks`` (UTF-8) to a temp file beside ``path``; return it and the SHA-256 of
    its bytes. ``path`` is untouched until ``commit_prepared``; the temp file is removed if
    writing fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()

    def put(pieces: list[str]) -> None:
        data = "".join(pieces).encode("utf-8")
        digest.update(data)
        handle.write(data)
        pieces.clear()

    try:
        with os.fdopen(fd, "wb") as handle:
            # Chunks may be single lines (a report of 100,000 notes): written in batches.
            pending: list[str] = []
            size = 0
            for chunk in chunks:
                pending.append(chunk)
                size += len(chunk)
                if size >= _BATCH:
                    put(pending)
                    size = 0
            put(pending)
        tmp.chmod(0o644)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, digest.hexdigest()


def commit_prepared(tmp: Path, path: Path) -> None:
    tmp.replace(path)


def write_text_atomic(path: Path, text: str | Iterable[str]) -> None:
    tmp, _ = prepare_text(path, [text] if isinstance(text, str) else text)
    commit_prepared(tmp, path)
