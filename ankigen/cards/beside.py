"""A renderer in a forked process beside the build, for a rebuild that renders a few pages.

After an edit, a build renders one page or two and reads every other page's cards back from
the cache. Loading the renderer (markdown-it, Pygments and the syntax modules, ~60 ms) and
rendering happen in a forked process instead, while this one loads its later stages and
reads the other pages back. The command line forks it as soon as it knows the build is out
of date (``start_early``), before it knows which pages changed, so the loading overlaps the
build's own; a build that renders many pages ends it unused and renders in a pool. Without
an early one (an in-process build, watch mode), ``render_pages`` forks one when a large
read-back makes it pay.

The child keeps the render settings it was forked with (``cards.pages.renderer``). Its one
job comes down a pipe as a pickle (the pages, their earlier entries as cache bytes, and the
settings as the cache key holds them, which must be the child's), and the results go back
as a pickle of cache bytes: the same ``_render`` runs on the same inputs, so the files
written are those of a build that renders here (tests hold us to it). A child that dies,
refuses the job or sends something unreadable costs only time: its pages are rendered here.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Beside", "available_cores", "can_fork", "permit_early", "start_early", "take_early"]

_CHUNK = 1 << 16


def can_fork() -> bool:
    """Whether this platform forks (not Windows)."""
    return hasattr(os, "fork")


class Beside:
    """One forked process that takes one job: ``send`` it, then ``receive`` the answer."""

    def __init__(self, pid: int, jobs: int, answers: int) -> None:
        self.pid = pid
        self._jobs: int | None = jobs  # write end of the job pipe
        self._answers: int | None = answers  # read end of the answer pipe
        self._sender: threading.Thread | None = None

    @classmethod
    def fork(cls, serve: Callable[[], Callable[[bytes], bytes]]) -> Beside | None:
        """The forked process, or None when this platform cannot fork (or forking failed).

        In it, ``serve()`` loads what the job needs and gives the function that turns the job
        into the answer; it runs before the child waits for its job."""
        if not can_fork():
            return None
        job_r, job_w = os.pipe()
        answer_r, answer_w = os.pipe()
        ready_r, ready_w = os.pipe()  # closed by the child once it let go of what it inherited
        try:
            pid = os.fork()
        except OSError:
            for fd in (job_r, job_w, answer_r, answer_w, ready_r, ready_w):
                os.close(fd)
            return None
        if pid == 0:  # pragma: no cover - the child (its work is checked through its answers)
            _child(job_r, answer_w, (job_w, answer_r, ready_r), serve, ready_w)
        for fd in (job_r, answer_w, ready_w):
            os.close(fd)
        # Wait (a fraction of a millisecond) until the child holds nothing of ours, above
        # all the one-build-at-a-time lock: a build killed from here on leaves it free.
        with contextlib.suppress(OSError):
            os.read(ready_r, 1)
        os.close(ready_r)
        return cls(pid, job_w, answer_r)

    def send(self, job: bytes) -> None:
        """Give the child its job, written from a thread: this process goes on while the
        child is still loading (a job larger than the pipe would otherwise wait for it)."""
        fd, self._jobs = self._jobs, None
        if fd is None:
            raise RuntimeError("a job was sent already")

        def write() -> None:
            try:
                view = memoryview(job)
                while view:
                    view = view[os.write(fd, view[:_CHUNK]) :]
            except OSError:
                pass  # the child is gone: receive() says so
            finally:
                os.close(fd)

        self._sender = threading.Thread(target=write, name="ankigen-beside", daemon=True)
        self._sender.start()

    def receive(self) -> bytes | None:
        """The child's answer, waiting for it; None when it sent none (it died, or failed)."""
        fd, self._answers = self._answers, None
        if fd is None:
            return None
        parts = []
        try:
            while chunk := os.read(fd, _CHUNK):
                parts.append(chunk)
        except OSError:
            parts = []
        finally:
            os.close(fd)
        self._reap()
        return b"".join(parts) or None

    def close(self) -> None:
        """Let the child go: ended at once if it has not answered (it may still be loading,
        or working on a job nobody will read), and reaped."""
        for fd in (self._jobs, self._answers):
            if fd is not None:
                os.close(fd)
        unanswered = self._answers is not None
        self._jobs = self._answers = None
        if unanswered and self.pid:
            import signal  # noqa: PLC0415 - only where a process can fork

            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        if self._sender is not None:
            self._sender.join()
            self._sender = None
        if self.pid:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0


def _child(
    job_r: int,
    answer_w: int,
    parents: tuple[int, ...],
    serve: Callable[[], Callable[[bytes], bytes]],
    ready_w: int,
) -> None:  # pragma: no cover - runs in the forked process
    """The forked process: no output of its own, no exit handlers, one job."""
    status = 1
    try:
        for fd in parents:
            os.close(fd)
        _quiet_inherited((job_r, answer_w, ready_w))
        os.close(ready_w)  # the parent goes on
        work = serve()
        parts = []
        while chunk := os.read(job_r, _CHUNK):
            parts.append(chunk)
        if parts:
            answer = memoryview(work(b"".join(parts)))
            while answer:
                answer = answer[os.write(answer_w, answer[:_CHUNK]) :]
        status = 0
    except BaseException:  # the parent renders the pages itself
        pass
    finally:
        os._exit(status)


def _quiet_inherited(keep: tuple[int, ...]) -> None:  # pragma: no cover - in the child
    """Point every descriptor the child inherited, besides ``keep``, at the null device: our
    standard streams (a caller reading the build's output must not wait for the child) and
    above all the one-build-at-a-time lock (a build killed while its renderer still loads
    must not leave it held by the renderer). The numbers stay taken, so a file object of the
    parent's that the child drops closes a null device, never a file the child opened."""
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in _descriptors():
        if fd != quiet and fd not in keep:
            with contextlib.suppress(OSError):  # the listing's own descriptor, gone by now
                os.dup2(quiet, fd)


def _descriptors() -> list[int]:  # pragma: no cover - in the child
    """The descriptors this process has open (Linux, macOS; else the first 256 numbers)."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        with contextlib.suppress(OSError):
            names = os.listdir(folder)  # noqa: PTH208 - descriptor numbers, not paths
            return sorted({int(name) for name in names if name.isdigit()})
    return list(range(256))


_EARLY: list[Beside] = []
_PERMITTED: list[bool] = []


def permit_early() -> None:
    """Let ``start_early`` fork: said by a process of its own (the command line), where no
    other thread runs."""
    _PERMITTED[:] = [True]


def start_early(serve: Callable[[], Callable[[bytes], bytes]]) -> None:
    """Fork the renderer now (``serve`` as for ``Beside.fork``), for a build that will render
    pages: once it is known to be out of date, before it loads its later stages, so the
    renderer loads while the build goes on. Only when ``permit_early`` was said, where it
    can run beside this process (two cores or more), and once."""
    if not _PERMITTED or _EARLY or not can_fork() or available_cores() < 2:
        return
    started = Beside.fork(serve)
    if started is not None:
        _EARLY.append(started)


def take_early() -> Beside | None:
    """The renderer ``start_early`` forked, once; None when there is none."""
    return _EARLY.pop() if _EARLY else None


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
