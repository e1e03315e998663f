"""Watch mode driven in-process with real file changes, and the progress bar's terminal rules."""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ankigen.cli.commands import main
from ankigen.cli.progress import ProgressBar, progress_bar

PAGE = '# Watched\n\n??? question "What does the watcher do?"\n    It rebuilds on save.\n'
DEADLINE = 20.0  # seconds; a rebuild takes well under one


class Lines:
    """What the watcher printed so far, read from capsys as it comes."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.seen: list[str] = []
        self.err = ""

    def read(self) -> None:
        captured = self.capsys.readouterr()
        self.seen += captured.out.splitlines()
        self.err += captured.err

    def wait_for(self, predicate: Callable[[str], bool], what: str) -> str:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            self.read()
            for line in self.seen:
                if predicate(line):
                    self.seen.remove(line)
                    return line
            time.sleep(0.05)
        raise AssertionError(f"no {what} within {DEADLINE} s; printed: {self.seen}")


def test_watch_rebuilds_on_save_and_keeps_the_last_good_deck_when_a_page_breaks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "source").mkdir()
    page = root / "source" / "watched.md"
    page.write_text(PAGE, encoding="utf-8")
    apkg = root / "build" / "deck.apkg"
    stop = threading.Event()
    status: list[int] = []
    watcher = threading.Thread(
        target=lambda: status.append(
            main(["watch", str(root / "source"), "-o", str(apkg)], env={}, stop=stop)
        )
    )
    watcher.start()
    lines = Lines(capsys)
    try:
        first = lines.wait_for(lambda s: "built:" in s, "first build")
        assert "1 notes" in first and str(apkg) in first
        lines.wait_for(lambda s: s.startswith("watching "), "watching line")
        good = apkg.read_bytes()

        page.write_text(PAGE.replace("on save.", "on every save."), encoding="utf-8")
        edited = lines.wait_for(lambda s: "watched.md:" in s, "rebuild after an edit")
        assert "1 changed" in edited and "last good deck" not in edited
        assert apkg.read_bytes() != good
        good = apkg.read_bytes()

        # An untitled empty box is an error: nothing written, the deck stays.
        page.write_text(PAGE + "\n??? question\n", encoding="utf-8")  # untitled and empty
        broken = lines.wait_for(lambda s: "watched.md:" in s, "rebuild of a broken page")
        assert "last good deck is kept" in broken
        assert "watched.md:6:1: error: 'question' box has no question" in lines.err  # path:line
        assert apkg.read_bytes() == good

        page.write_text(PAGE.replace("on save.", "on every save, again."), encoding="utf-8")
        fixed = lines.wait_for(lambda s: "watched.md:" in s, "rebuild after the fix")
        assert "1 changed" in fixed
        assert apkg.read_bytes() != good
    finally:
        stop.set()
        watcher.join(DEADLINE)
    assert not watcher.is_alive()
    assert status == [0]


@pytest.mark.parametrize("out", ["out", "deck.apkg"])
def test_watch_ignores_what_the_build_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str
) -> None:
    """Writing the deck, lockfile and reports inside the watched folder (in a folder of
    their own, or right beside the pages) causes no rebuild; a page edit still does."""
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    page = root / "watched.md"
    page.write_text(PAGE, encoding="utf-8")
    stop = threading.Event()
    watcher = threading.Thread(
        target=lambda: main(["watch", str(root), "-o", str(root / out)], env={}, stop=stop)
    )
    watcher.start()
    lines = Lines(capsys)
    try:
        lines.wait_for(lambda s: s.startswith("watching "), "watching line")
        lines.seen.clear()  # the first build's line
        time.sleep(1.0)  # longer than the debounce: any self-triggered rebuild would show
        (root / "notes.txt").write_text("not a page", encoding="utf-8")
        rebuilt = lines.wait_for(lambda s: "notes.txt" in s, "rebuild for a new file")
        assert "up to date" in rebuilt
        time.sleep(1.0)
        lines.read()
        assert not [s for s in lines.seen if s.startswith("[")], lines.seen
        page.write_text(PAGE.replace("on save.", "on each save."), encoding="utf-8")
        edited = lines.wait_for(lambda s: "watched.md" in s, "rebuild after a page edit")
        assert "1 changed" in edited
    finally:
        stop.set()
        watcher.join(DEADLINE)
    assert not watcher.is_alive()


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_never_in_ci() -> None:
    assert progress_bar(io.StringIO(), {}) is None  # a pipe or a file
    assert progress_bar(Tty(), {"CI": "true"}) is None
    assert progress_bar(Tty(), {"TERM": "dumb"}) is None
    assert isinstance(progress_bar(Tty(), {"TERM": "xterm"}), ProgressBar)


def test_progress_bar_draws_one_line_and_wipes_it() -> None:
    screen = Tty()
    bar = ProgressBar(screen, delay=0.0, width=10)
    bar(3, 12)
    bar(12, 12)
    drawn = screen.getvalue()
    assert drawn.count("\n") == 0
    assert "[##........] 3/12 pages" in drawn and "[##########] 12/12 pages" in drawn
    bar.close()
    assert screen.getvalue().endswith("\r")


def test_a_quick_build_draws_nothing() -> None:
    screen = Tty()
    bar = ProgressBar(screen, delay=60.0)
    bar(1, 2)
    bar.close()
    assert screen.getvalue() == ""


def test_progress_bar_decides_on_real_pipes_and_terminals() -> None:
    """An OS pipe (CI logs, `| less`) gets no bar; a pseudo-terminal does."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe:
        assert progress_bar(pipe, {}) is None
    os.close(read_end)
    leader, follower = os.openpty()
    with os.fdopen(follower, "w") as terminal:
        bar = progress_bar(terminal, {"TERM": "xterm"})
        assert isinstance(bar, ProgressBar)
        bar.delay = 0.0
        bar(1, 4)
        bar.close()
    assert b"1/4 pages" in os.read(leader, 4096)
    os.close(leader)
