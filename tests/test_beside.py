"""The forked renderer's process mechanics (cards/beside): one job down a pipe, one answer
back, nothing of its own on our output, and no process left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ankigen.cards import beside
from ankigen.cards.beside import Beside
from ankigen.files import project_lock
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not beside.can_fork(), reason="no fork on this platform")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """``python -c code`` in a process of its own, with this checkout importable."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
        timeout=60,
    )


def _waiting_for(marker: Path, seen: Path) -> Callable[[], Callable[[bytes], bytes]]:
    """A child that, while loading, waits for ``marker`` (the parent makes it once ``send``
    has returned) and notes in ``seen`` whether it came; its work turns a job upside down."""

    def load() -> Callable[[bytes], bytes]:
        for _ in range(1000):
            if marker.exists():
                seen.write_text("marker", encoding="utf-8")
                break
            time.sleep(0.01)
        else:
            seen.write_text("never", encoding="utf-8")
        return lambda job: job[::-1]

    return load


def test_a_job_larger_than_a_pipe_is_sent_while_the_child_is_still_loading(
    tmp_path: Path,
) -> None:
    marker, seen = tmp_path / "go", tmp_path / "seen"
    child = Beside.fork(_waiting_for(marker, seen))
    assert child is not None
    job = bytes(range(256)) * 8192  # 2 MiB: far more than a pipe holds
    child.send(job)  # must not wait for the child to read it
    marker.touch()
    assert child.receive() == job[::-1]
    assert seen.read_text(encoding="utf-8") == "marker"
    with pytest.raises(ChildProcessError):
        os.waitpid(child.pid or -1, os.WNOHANG)  # reaped: no process left behind


def test_a_child_let_go_without_a_job_ends_at_once_without_working(tmp_path: Path) -> None:
    """A build that renders in its pool lets the early renderer go while it may still be
    loading: it is ended then, not waited for, and reaped."""
    marker, seen = tmp_path / "never", tmp_path / "seen"
    child = Beside.fork(_waiting_for(marker, seen))  # loads until the marker, up to 10 s
    assert child is not None
    pid = child.pid
    child.close()
    assert not seen.exists()  # ended while loading: close did not wait it out
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_child_that_dies_gives_no_answer(tmp_path: Path) -> None:
    def load() -> Callable[[bytes], bytes]:
        def work(job: bytes) -> bytes:
            os._exit(3)

        return work

    child = Beside.fork(load)
    assert child is not None
    child.send(b"job")
    assert child.receive() is None


def test_the_child_writes_nothing_to_our_output() -> None:
    """A caller that reads the build's output (a pipe, as here) must neither see the child's
    writes nor wait for the child to close its copy of the pipe."""
    code = (
        "import sys\n"
        "from ankigen.cards.beside import Beside\n"
        "def load():\n"
        "    print('child stdout', flush=True)\n"
        "    print('child stderr', file=sys.stderr, flush=True)\n"
        "    return lambda job: job.upper()\n"
        "child = Beside.fork(load)\n"
        "child.send(b'answer')\n"
        "print(child.receive().decode())\n"
    )
    done = _python(code)
    assert (done.returncode, done.stdout, done.stderr) == (0, "ANSWER\n", "")


def test_an_early_renderer_is_forked_only_when_permitted_and_beside_another_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def load() -> Callable[[bytes], bytes]:
        return lambda job: job

    monkeypatch.setattr(beside, "_PERMITTED", [])
    monkeypatch.setattr(beside, "_EARLY", [])
    beside.start_early(load)
    assert beside.take_early() is None  # an in-process caller never said it may
    beside.permit_early()
    monkeypatch.setattr(beside, "available_cores", lambda: 1)
    beside.start_early(load)
    assert beside.take_early() is None  # one core: nothing to run beside
    monkeypatch.setattr(beside, "available_cores", lambda: 2)
    beside.start_early(load)
    beside.start_early(load)  # once only
    early = beside.take_early()
    assert early is not None
    assert beside.take_early() is None
    early.send(b"x")
    assert early.receive() == b"x"


def test_a_build_killed_while_its_renderer_loads_leaves_the_project_unlocked(
    tmp_path: Path,
) -> None:
    """The early renderer is forked while the build holds the one-build-at-a-time lock. A
    build killed then (no unlock) must not leave that lock held by its child, which may
    still be loading: the next build of the project goes ahead at once, also when the child
    was slow to let go of what it inherited."""
    lock_path = tmp_path / "ankigen.lock"
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "import ankigen.cards.beside as beside\n"
        "from ankigen.cards.beside import Beside\n"
        "from ankigen.files import project_lock\n"
        # a child slow to let go of what it inherited (a loaded machine): the build is
        # killed only after Beside.fork returns, which must be after the child let go
        "letgo = beside._quiet_inherited\n"
        "def slow(keep):\n"
        "    time.sleep(0.5)\n"
        "    letgo(keep)\n"
        "beside._quiet_inherited = slow\n"
        "def load():\n"
        "    time.sleep(60)\n"
        "    return lambda job: job\n"
        f"with project_lock(Path({str(lock_path)!r})):\n"
        "    child = Beside.fork(load)\n"
        "    print(child.pid, flush=True)\n"
        "    os._exit(0)  # killed: no unlock, no clean-up\n"
    )
    done = _python(code)
    orphan = int(done.stdout.strip())
    try:
        with project_lock(lock_path):  # raises if the orphan still holds the lock
            pass
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(orphan, signal.SIGKILL)
