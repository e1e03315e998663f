"""Writes that fail (full disk, read-only, permission denied, path too long): a `path: error:`
line with a hint, exit 1, and the previous deck, lockfile and reports exactly as they were.

Two ways in: a real small tmpfs filled to every level of free space (when the test may mount
one: root on Linux; skipped otherwise), and an error injected at each write site at the
operating-system boundary (``os.fdopen`` of the temp file, SQLite's page limit for the
collection), which runs everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import Project

EPOCH = 1_700_000_000
ENOSPC_TEXT = "cannot write: no space left on the device"


def _snapshot(project: Project) -> dict[str, bytes]:
    """Every file of the build folder and the lockfile, by name."""
    files = {p.name: p.read_bytes() for p in project.apkg.parent.iterdir() if p.is_file()}
    files[project.lock.name] = project.lock.read_bytes()
    return files


def _leftovers(*folders: Path) -> list[str]:
    return sorted(
        p.name
        for folder in folders
        for p in folder.iterdir()
        if p.name.endswith(".tmp") or p.name.startswith(".ankigen-")
    )


def _edited(project: Project) -> None:
    project.edit("convolutional-neural-networks.md", "Spatial arrangement", "Spatial layout")


class _Full:
    """A file whose writes fail as a full (or read-only, ...) disk makes them fail."""

    def __init__(self, handle: IO[Any], code: int) -> None:
        self._handle = handle
        self._code = code

    def write(self, data: object) -> int:
        raise OSError(self._code, os.strerror(self._code))

    def __enter__(self) -> _Full:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


@contextlib.contextmanager
def _failing_writes(
    monkeypatch: pytest.MonkeyPatch, matches: str, code: int = errno.ENOSPC
) -> Iterator[list[str]]:
    """Every temp file whose name starts with ``matches`` fails on its first write; yields
    the names that failed (so a test knows its site was reached)."""
    real = os.fdopen
    hit: list[str] = []

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real(fd, *args, **kwargs)
        name = Path(f"/proc/self/fd/{fd}").readlink().name
        if name.startswith(matches):
            hit.append(name)
            return _Full(handle, code)
        return handle

    with monkeypatch.context() as patch:
        patch.setattr(os, "fdopen", fdopen)
        yield hit


# Sites whose failure must fail the build: (temp name prefix, the file named in the error).
REQUIRED = {
    "package": (".deck.apkg.", "build/deck.apkg"),
    "lockfile": (".ankigen.lock.", "ankigen.lock"),
    "report.json": (".deck.report.json.", "build/deck.report.json"),
    "report.txt": (".deck.report.txt.", "build/deck.report.txt"),
}


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name open files")
@pytest.mark.parametrize("site", sorted(REQUIRED))
@pytest.mark.parametrize(
    ("code", "text"),
    [
        (errno.ENOSPC, ENOSPC_TEXT),
        (errno.EROFS, "cannot write: the file system is read-only"),
        (errno.EACCES, "cannot write: permission denied"),
        (errno.EDQUOT, "cannot write: disk quota exceeded"),
    ],
)
def test_a_failing_write_at_each_site_changes_nothing(  # noqa: PLR0917 - fixtures
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    site: str,
    code: int,
    text: str,
) -> None:
    assert project.build(now=EPOCH) == 0
    before = _snapshot(project)
    _edited(project)
    capsys.readouterr()
    prefix, shown = REQUIRED[site]
    with _failing_writes(monkeypatch, prefix, code) as hit:
        assert project.build(now=EPOCH + 10) == 1
    assert hit, f"the {site} write was never reached"
    err = capsys.readouterr().err
    assert f"{project.root / shown}: error: {text}" in err
    assert "hint:" in err and "-o OUT" in err and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "ankigen: build failed: 1 error, 0 warnings, nothing written"
    )
    assert _snapshot(project) == before
    assert _leftovers(project.apkg.parent, project.root) == []
    assert project.build(now=EPOCH + 10) == 0  # and once the disk has room again, it builds


def test_a_full_disk_while_sqlite_writes_the_collection_is_a_message(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite's own "database or disk is full" (here from a page limit, the same error code a
    full disk gives) used to escape as a traceback."""
    assert project.build(now=EPOCH) == 0
    before = _snapshot(project)
    _edited(project)
    big = '??? question "What is in a long answer?"\n' + "    word " * 200_000 + "\n"
    (project.source / "long.md").write_text(big, encoding="utf-8")
    real = sqlite3.connect

    def tiny(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn: sqlite3.Connection = real(*args, **kwargs)
        # No page beyond those the file has: a kept collection template has room for a
        # few rows, not for a 1 MB answer.
        conn.execute("PRAGMA max_page_count = 2")
        return conn

    monkeypatch.setattr(sqlite3, "connect", tiny)
    capsys.readouterr()
    assert project.build(now=EPOCH + 10) == 1
    err = capsys.readouterr().err
    assert f"{project.apkg}: error: {ENOSPC_TEXT}" in err
    assert "Traceback" not in err and "OperationalError" not in err
    assert _snapshot(project) == before
    assert _leftovers(project.apkg.parent) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name open files")
def test_a_cache_that_cannot_be_written_costs_only_speed(
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    own_cache_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The render cache's entries, its media memo and the record of the build (manifest) all
    fail: the build is right, exit 0, and one warning per kind says so."""
    clean = Project(tmp_path / "clean")
    shutil.copytree(project.root, clean.root)
    assert clean.build("--no-cache", now=EPOCH) == 0
    cache_names: list[str] = []
    real = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real(fd, *args, **kwargs)
        where = Path(f"/proc/self/fd/{fd}").readlink()
        if where.is_relative_to(own_cache_dir):
            cache_names.append(where.name)
            return _Full(handle, errno.ENOSPC)
        return handle

    with monkeypatch.context() as patch:
        patch.setattr(os, "fdopen", fdopen)
        assert project.build(now=EPOCH) == 0
    assert cache_names  # the cache entries and the manifest were tried
    err = capsys.readouterr().err
    assert "warning: cannot write the render cache: no space left on the device" in err
    assert "warning: cannot write the record of this build: no space left on the device" in err
    assert "only the next build is slower" in err and "Traceback" not in err
    assert project.apkg.read_bytes() == clean.apkg.read_bytes()
    assert project.lock.read_bytes() == clean.lock.read_bytes()
    leftovers = [p for p in own_cache_dir.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_path_too_long_is_a_message(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """A real ENAMETOOLONG: a deck name of 300 characters."""
    out = project.root / "build" / ("q" * 300 + ".apkg")
    from ankigen.cli.commands import main  # noqa: PLC0415

    assert main(["build", str(project.source), "-o", str(out)], env={}) == 1
    err = capsys.readouterr().err
    assert "error: cannot write: the path is too long for the file system" in err
    assert "hint: use a shorter output path with -o OUT" in err and "Traceback" not in err
    assert not project.lock.exists()


def test_a_long_deck_name_that_fits_still_builds(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """Temp names keep a cut of the target's name: a 240-character name (the limit is 255)
    is written, not refused because its temp file's name would be longer."""
    out = project.root / "build" / ("q" * 235 + ".apkg")
    from ankigen.cli.commands import main  # noqa: PLC0415

    assert main(["build", str(project.source), "-o", str(out)], env={}) == 0, (
        capsys.readouterr().err
    )
    assert out.is_file()


# ---------------------------------------------------------------- a real small file system


@contextlib.contextmanager
def _tmpfs(where: Path, size_kb: int) -> Iterator[Path]:
    where.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(where)],
            capture_output=True,
            check=False,
        )
    except OSError:
        mounted = None
    if mounted is None or mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root on Linux)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path, leave: int) -> None:
    """Fill the file system of ``folder`` up to ``leave`` bytes of free space."""
    info = os.statvfs(folder)
    free = info.f_bavail * info.f_frsize
    with (folder / "filler").open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


def test_a_real_full_tmpfs_at_every_level_of_free_space(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The project lives on a 1 MB tmpfs; before each rebuild the disk is filled to leave
    0 to 400 KB free (in 4 KB steps where the package stops fitting). Each build either
    succeeds with the right deck, or says the disk is full (never a traceback) and leaves
    every file as it was, with no temp file behind."""
    with _tmpfs(tmp_path / "disk", 1024) as disk:
        project = Project(disk / "project")
        (project.root / "source").mkdir(parents=True)
        (project.root / ".git").mkdir()
        (project.root / "ankigen.toml").write_text('deck = "Full"\n', encoding="utf-8")
        seed = Path(__file__).resolve().parent.parent / "source"
        page = seed / "convolutional-neural-networks.md"
        shutil.copyfile(page, project.page())
        assert project.build("--no-cache", now=EPOCH) == 0
        clean = Project(tmp_path / "clean")
        shutil.copytree(project.root, clean.root)
        _edited(clean)
        assert clean.build("--no-cache", now=EPOCH + 10) == 0
        outcomes = set()
        for leave_kb in [*range(0, 180, 36), *range(180, 400, 4)]:
            before = _snapshot(project)
            _edited(project)
            _fill(disk, leave_kb * 1024)
            capsys.readouterr()
            status = project.build("--no-cache", now=EPOCH + 10)
            err = capsys.readouterr().err
            (disk / "filler").unlink()
            assert "Traceback" not in err
            assert _leftovers(project.apkg.parent, project.root) == []
            if status == 1:
                assert f"error: {ENOSPC_TEXT}" in err, err
                assert _snapshot(project) == before
                project.edit(
                    "convolutional-neural-networks.md", "Spatial layout", "Spatial arrangement"
                )
            else:
                assert status == 0, err
                assert project.apkg.read_bytes() == clean.apkg.read_bytes()
                assert project.lock.read_bytes() == clean.lock.read_bytes()
                break
            outcomes.add(status)
        assert outcomes == {1}  # the disk was full at least once ...
        assert status == 0  # ... and with room enough the build went through


def test_a_read_only_file_system_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _tmpfs(tmp_path / "disk", 1024) as disk:
        project = Project(disk / "project")
        (project.root / "source").mkdir(parents=True)
        (project.root / ".git").mkdir()
        (project.root / "ankigen.toml").write_text('deck = "Read only"\n', encoding="utf-8")
        seed = Path(__file__).resolve().parent.parent / "source"
        shutil.copyfile(seed / "convolutional-neural-networks.md", project.page())
        assert project.build("--no-cache", now=EPOCH) == 0
        before = _snapshot(project)
        _edited(project)
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(disk)], capture_output=True, check=False
        )
        if remount.returncode != 0:
            pytest.skip("cannot remount the tmpfs read-only")
        capsys.readouterr()
        assert project.build("--no-cache", now=EPOCH + 10) == 1
        err = capsys.readouterr().err
        assert "error: cannot write: the file system is read-only" in err
        assert "Traceback" not in err
        assert _snapshot(project) == before


def test_a_temp_folder_that_cannot_hold_the_build_lock_is_a_message(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The one-build-at-a-time lock lives in the temp folder: on a read-only one, a message."""
    import tempfile  # noqa: PLC0415

    with _tmpfs(tmp_path / "ro-tmp", 64) as folder:
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(folder)], capture_output=True, check=False
        )
        if remount.returncode != 0:
            pytest.skip("cannot remount the tmpfs read-only")
        tempfile.tempdir = str(folder)
        try:
            assert project.build() == 1
        finally:
            tempfile.tempdir = None
    err = capsys.readouterr().err
    assert "error: cannot take the one-build-at-a-time lock: the file system is read-only" in err
    assert "set TMPDIR to another one" in err and "Traceback" not in err
    assert not project.apkg.exists()
