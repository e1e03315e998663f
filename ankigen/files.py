"""Writing files safely: atomic writes (a temp file beside the target, then a rename) and the
one-build-at-a-time lock of a project."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ankigen.errors import AnkigenError, Diagnostic, Severity, shown_path

__all__ = [
    "SCRATCH_PREFIX",
    "clear_leftovers",
    "commit_prepared",
    "make_temp",
    "prepare_text",
    "project_lock",
    "scratch_prefix",
    "skipped_write",
    "take_skipped_writes",
    "write_bytes_atomic",
    "write_failure",
    "write_text_atomic",
]

_BATCH = 1 << 18  # characters per write
SCRATCH_PREFIX = ".ankigen-"
_NAME_KEEP = 120  # characters of the target's name kept in its temp file's name


def temp_prefix(path: Path) -> str:
    """The start of a temp file's name beside ``path``: ``.<name>.<pid>-`` (mkstemp adds 8
    random characters and ``.tmp``). The pid lets a later build tell a dead build's leftovers
    from a running build's files; the name is cut so a long target name still leaves room."""
    return f".{path.name[:_NAME_KEEP]}.{os.getpid()}-"


def scratch_prefix() -> str:
    """The start of a scratch folder's name (``.ankigen-<pid>-``), for the same reason."""
    return f"{SCRATCH_PREFIX}{os.getpid()}-"


def make_temp(path: Path) -> tuple[int, Path]:
    """A new temp file beside ``path`` (the folder made if missing): its fd and path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=".tmp", dir=path.parent)
    return fd, Path(tmp_name)


def prepare_text(path: Path, chunks: Iterable[str]) -> tuple[Path, str]:
    """Write ``chunks`` (UTF-8) to a temp file beside ``path``; return it and the SHA-256 of
    its bytes. ``path`` is untouched until ``commit_prepared``; the temp file is removed if
    writing fails."""
    fd, tmp = make_temp(path)
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
    folder; the temp file is removed if anything fails. (The render cache's writer: a
    failure is also kept for ``take_skipped_writes``, as the cache goes on without it.)"""
    try:
        fd, tmp = make_temp(path)
    except OSError as exc:
        skipped_write("the render cache", path.parent, exc)
        raise
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.replace(path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            skipped_write("the render cache", path.parent, exc)
        raise


# Writes whose failure costs only speed (the render cache, the record of the last build):
# their writers go on without them; the first failure of each is kept for the command to
# tell after the build, as a warning (the deck is right).
_SKIPPED: dict[str, tuple[Path, OSError]] = {}


def skipped_write(what: str, folder: Path, exc: OSError) -> None:
    _SKIPPED.setdefault(what, (folder, exc))


def take_skipped_writes() -> list[Diagnostic]:
    """A warning for each kind of optional write that failed since the last call."""
    found = [
        Diagnostic(
            shown_path(folder),
            f"cannot write {what}: {_failure_text(exc)[0]}",
            hint="the deck, lockfile and reports are written and right; only the next build "
            "is slower. Free some space, or set ANKIGEN_CACHE_DIR to a writable folder",
            severity=Severity.WARNING,
        )
        for what, (folder, exc) in _SKIPPED.items()
    ]
    _SKIPPED.clear()
    return found


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
    try:
        handle = _locked(path, lock_path)
    except OSError as exc:
        found = write_failure(exc, path)
        what = found.message.removeprefix("cannot write: ")
        raise AnkigenError(
            Diagnostic(
                found.path,
                f"cannot take the one-build-at-a-time lock: {what}",
                hint="the lock lives in the temp folder (set TMPDIR to another one); "
                "nothing was changed",
            )
        ) from exc
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


# ---------------------------------------------------------------- when writing fails

_WRITE_FAILURES: dict[int, tuple[str, str]] = {
    errno.ENOSPC: (
        "no space left on the device",
        "free some space on that disk, or build to another disk with -o OUT",
    ),
    errno.EDQUOT: (
        "disk quota exceeded",
        "free some space within your quota, or build to another disk with -o OUT",
    ),
    errno.EROFS: (
        "the file system is read-only",
        "build to a writable folder with -o OUT (or set `output` / `lockfile` in the config)",
    ),
    errno.EACCES: (
        "permission denied",
        "make the folder writable for you, or build to another folder with -o OUT",
    ),
    errno.EPERM: (
        "operation not permitted",
        "make the folder writable for you, or build to another folder with -o OUT",
    ),
    errno.ENAMETOOLONG: (
        "the path is too long for the file system",
        "use a shorter output path with -o OUT, or a shorter `deck` name",
    ),
    errno.EISDIR: (
        "a folder is in the way",
        "remove or rename that folder, or build to another path with -o OUT",
    ),
    errno.ENOTDIR: (
        "a part of the path is a file, not a folder",
        "remove or rename that file, or build to another path with -o OUT",
    ),
}


def _failure_text(exc: OSError) -> tuple[str, str]:
    """What went wrong, and what to do about it."""
    return _WRITE_FAILURES.get(
        exc.errno or 0, (exc.strerror or str(exc), "check that the folder exists and is writable")
    )


def write_failure(exc: OSError, target: Path | str) -> Diagnostic:
    """The ``path: error:`` line for a write that failed: what happened and what to do.

    ``target`` is the file the build was writing (its temp file's name means nothing to the
    user); the error's own path is used when it names a folder on the way (``mkdir``).
    """
    what, hint = _failure_text(exc)
    shown = str(target)
    named = exc.filename
    if isinstance(named, str) and not Path(named).name.startswith("."):
        shown = named  # a folder on the way, or the target itself
    return Diagnostic(
        shown_path(Path(shown)),
        f"cannot write: {what}",
        hint=f"{hint}; nothing was changed: the previous deck, lockfile and reports are kept",
    )


# ---------------------------------------------------------------- a dead build's leftovers

# `.<name>.<pid>-<8 random>.tmp` and `.ankigen-<pid>-<8 random>`, as made above; names of
# earlier versions had no pid (`.<name>.<8 random>.tmp`, `.ankigen-<8 random>`).
_TEMP = re.compile(r"\.(?P<name>.+)\.(?:(?P<pid>\d+)-)?[a-z0-9_]{8}\.tmp")
_SCRATCH = re.compile(re.escape(SCRATCH_PREFIX) + r"(?:(?P<pid>\d+)-)?[a-z0-9_]{8}")
_OLD_AGE = 3600.0  # seconds: a leftover without a pid is a dead build's once this old


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (when unsure: yes, and its files are kept)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would end it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: alive
    return True


def _dead(pid: str | None, mtime: float, now: float) -> bool:
    if pid is None:
        return now - mtime > _OLD_AGE
    return not _alive(int(pid))


def clear_leftovers(targets: Iterable[Path]) -> list[Path]:
    """Remove what dead builds left beside ``targets`` (the files a build writes): their
    temp files (``.<target name>.<pid>-….tmp``) and scratch folders (``.ankigen-<pid>-…``)
    whose process is gone. A running build's files (its pid is alive) are kept. Returns what
    was removed; a leftover that cannot be removed is left for the next build."""
    names: dict[Path, set[str]] = {}
    for target in targets:
        names.setdefault(target.parent, set()).add(target.name[:_NAME_KEEP])
    now = time.time()
    removed: list[Path] = []
    for folder, wanted in names.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                mtime = entry.stat(follow_symlinks=False).st_mtime
                temp = None if is_dir else _TEMP.fullmatch(entry.name)
                if temp is not None and temp["name"] in wanted:
                    if _dead(temp["pid"], mtime, now):
                        path.unlink()
                        removed.append(path)
                    continue
                scratch = _SCRATCH.fullmatch(entry.name) if is_dir else None
                if scratch is not None and _dead(scratch["pid"], mtime, now):
                    shutil.rmtree(path)
                    removed.append(path)
            except OSError:
                continue
    return removed
