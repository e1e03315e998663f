"""Writing files safely: atomic writes (a temp file beside the target, then a rename) and the
one-build-at-a-time lock of a project."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ankigen.errors import AnkigenError, Diagnostic, shown_path

__all__ = [
    "commit_prepared",
    "prepare_text",
    "project_lock",
    "write_bytes_atomic",
    "write_text_atomic",
]

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


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """``data`` into ``path`` atomically (a temp file beside it, then a rename), making the
    folder; the temp file is removed if anything fails."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def commit_prepared(tmp: Path, path: Path) -> None:
    tmp.replace(path)


def write_text_atomic(path: Path, text: str | Iterable[str]) -> None:
    tmp, _ = prepare_text(path, [text] if isinstance(text, str) else text)
    commit_prepared(tmp, path)


@contextmanager
def project_lock(lock_path: Path) -> Iterator[None]:
    """One build at a time per project: a second one stops with a clear error.

    The lock is an advisory lock (``flock``; ``msvcrt.locking`` on Windows) on a file in the
    temp folder named after the project's lockfile, so nothing is left in the project; the OS
    releases it if a build dies. The file is removed when the build ends (it was left behind
    once per project, and a test run builds thousands of projects). A build that locked a
    file just removed by the one before it sees that the path no longer names that file,
    and locks the new one.
    """
    key = hashlib.sha256(str(lock_path.resolve()).encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"ankigen-{key}.busy"
    handle = _locked(path, lock_path)
    try:
        yield
    finally:
        with contextlib.suppress(PermissionError):  # Windows keeps an open file
            path.unlink(missing_ok=True)  # while holding the lock: nobody else is using it
        _unlock(handle)
        handle.close()


def _try_lock(handle: IO[str]) -> bool:
    """Take the lock on ``handle`` without waiting; False when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt  # noqa: PLC0415 - Windows only

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl  # noqa: PLC0415 - POSIX only: not imported where it does not exist

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt  # noqa: PLC0415 - Windows only

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    import fcntl  # noqa: PLC0415 - POSIX only

    fcntl.flock(handle, fcntl.LOCK_UN)


def _locked(path: Path, lock_path: Path) -> IO[str]:
    """``path`` opened and locked, the file the path names (not one removed since)."""
    while True:
        handle = path.open("a")
        try:
            taken = _try_lock(handle)
        except BaseException:
            handle.close()
            raise
        if not taken:
            handle.close()
            raise AnkigenError(
                Diagnostic(
                    shown_path(lock_path),
                    "another ankigen build is writing this project right now",
                    hint="wait for it to finish, then build again",
                )
            )
        try:
            named, held = path.stat(), os.fstat(handle.fileno())
            if (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino):
                return handle
        except FileNotFoundError:
            pass
        handle.close()  # removed by the build that held it: lock the file there now
