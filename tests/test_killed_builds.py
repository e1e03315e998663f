"""Builds killed at random moments (SIGKILL, in a subprocess) lose nothing: the next normal
build equals a clean one byte for byte, and it clears what the dead builds left beside the
deck, and only that. Two builds at once: one stops with a clear error, the output is right."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ankigen.cli.commands import main
from ankigen.files import clear_leftovers

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and pids: POSIX")

EPOCH = 1_700_000_000
OUTPUTS = ("build/deck.apkg", "build/deck.report.json", "build/deck.report.txt", "ankigen.lock")


def _page(n: int, cards: int, edit: str = "") -> str:
    parts = [f"# Page {n}\n"]
    for i in range(cards):
        parts.append(
            f'??? question "Question {n}.{i}: what does step {i} do{edit}?"\n'
            f"    Step {i} of page {n} turns $x_{i}$ into $y_{i}$, as this code shows:\n\n"
            "    ```python\n"
            f"    def step_{i}(x):\n"
            f"        return [v * {i} for v in x if v > {n}]\n"
            "    ```\n\n"
            f"    | a | b |\n    |---|---|\n    | {i} | {n} |\n\n"
        )
    return "\n".join(parts)


def _project(root: Path, edit: str = "") -> Path:
    (root / "source").mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    (root / "ankigen.toml").write_text('deck = "Killed"\n', encoding="utf-8")
    for n in range(10):
        (root / "source" / f"page{n:02}.md").write_text(
            _page(n, 30, edit if n % 3 == 0 else ""), encoding="utf-8"
        )
    return root


def _command(root: Path) -> tuple[list[str], dict[str, str]]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SOURCE_DATE_EPOCH": str(EPOCH + 100),
        "ANKIGEN_CACHE_DIR": str(root.parent / f"{root.name}-cache"),
        "CI": "1",
    }
    return [sys.executable, "-m", "ankigen", "build", "source", "-o", "build/deck.apkg"], env


def _build(root: Path) -> subprocess.CompletedProcess[str]:
    argv, env = _command(root)
    return subprocess.run(
        argv, cwd=root, env=env, capture_output=True, text=True, check=False, timeout=120
    )


def _outputs(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in OUTPUTS}


def _leftovers(root: Path) -> list[str]:
    return sorted(
        p.name
        for folder in (root, root / "build")
        for p in folder.iterdir()
        if p.name.endswith(".tmp") or p.name.startswith(".ankigen-")
    )


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """A project built once and then edited (the state every test starts from), the clean
    build of the edit next to it, and how long that build took."""
    base = tmp_path_factory.mktemp("killed")
    first = _project(base / "first")
    argv, env = _command(first)
    env["SOURCE_DATE_EPOCH"] = str(EPOCH)
    subprocess.run(argv, cwd=first, env=env, check=True, capture_output=True, timeout=120)
    _project(first, edit=", edited")  # a third of the pages edited
    clean = base / "clean"
    shutil.copytree(first, clean)
    started = time.perf_counter()
    done = _build(clean)
    took = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    return first, clean, took


@pytest.mark.parametrize("seed", range(5))
def test_builds_killed_at_random_moments_then_a_normal_build_equals_a_clean_one(
    built_once: tuple[Path, Path, float], tmp_path: Path, seed: int
) -> None:
    first, clean, took = built_once
    root = tmp_path / "project"
    shutil.copytree(first, root)
    rng = random.Random(seed)
    argv, env = _command(root)
    killed_after = []
    for kill in range(2):  # two dead builds in a row: the first killed at any moment, the
        # second at a moment after it started writing (its scratch folder appeared)
        proc = subprocess.Popen(
            argv, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if kill == 0:
            delay = rng.uniform(0.0, took * 1.1)
            time.sleep(delay)
        else:
            started = time.perf_counter()
            while proc.poll() is None and not any(
                p.name.startswith(".ankigen-") for p in (root / "build").iterdir()
            ):
                time.sleep(0.001)
            delay = rng.uniform(0.0, 0.25)
            time.sleep(delay)
            delay += time.perf_counter() - started
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        killed_after.append(round(delay, 3))
    done = _build(root)
    assert done.returncode == 0, (killed_after, done.stderr)
    assert "Traceback" not in done.stderr
    assert _outputs(root) == _outputs(clean), killed_after
    assert _leftovers(root) == [], killed_after


def test_a_dead_build_leaves_files_that_the_next_build_clears(
    built_once: tuple[Path, Path, float], tmp_path: Path
) -> None:
    """Killed while writing (made to wait there), a build leaves its temp files; the next
    build removes them and equals a clean build."""
    first, clean, _ = built_once
    root = tmp_path / "project"
    shutil.copytree(first, root)
    argv, env = _command(root)
    stall = (
        "import time, ankigen.files as f\n"
        "real = f.commit_prepared\n"
        "def slow(tmp, path):\n"
        "    print('renaming', flush=True); time.sleep(60)\n"
        "f.commit_prepared = slow\n"
        "import ankigen.build as b\n"
        "b.commit_prepared = slow\n"
        "import sys\n"
        "from ankigen.cli import console\n"
        "sys.argv = ['ankigen', *sys.argv[1:]]\n"
        "console()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", stall, *argv[3:]],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "renaming\n"  # every temp file is written
    left = _leftovers(root)
    assert [n for n in left if n.startswith(".deck.apkg.")], left
    assert [n for n in left if n.startswith(".ankigen.lock.")], left
    assert all(f".{proc.pid}-" in n for n in left)  # its pid, in every name
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    done = _build(root)
    assert done.returncode == 0, done.stderr
    assert _leftovers(root) == []
    assert _outputs(root) == _outputs(clean)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_the_leftovers_of_dead_builds_are_cleared(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    targets = [build / "deck.apkg", build / "deck.report.json", tmp_path / "ankigen.lock"]
    dead = _dead_pid()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = {
            build / f".deck.apkg.{dead}-abcd_123.tmp": True,  # a dead build's
            tmp_path / f".ankigen.lock.{dead}-zz9yx8wv.tmp": True,
            build / f".deck.apkg.{alive.pid}-abcd_123.tmp": False,  # a running build's
            build / ".deck.apkg.q1w2e3r4.tmp": False,  # no pid (older ankigen), recent
            build / ".deck.report.json.a1b2c3d4.tmp": True,  # no pid, two hours old
            build / f".notes.txt.{dead}-abcd_123.tmp": False,  # not a file ankigen writes
            build / "deck.apkg": False,
        }
        for path in names:
            path.write_bytes(b"x")
        old = time.time() - 7200
        os.utime(build / ".deck.report.json.a1b2c3d4.tmp", (old, old))
        scratch_dead = build / f".ankigen-{dead}-k3j4h5g6"
        scratch_alive = build / f".ankigen-{alive.pid}-k3j4h5g6"
        for folder in (scratch_dead, scratch_alive):
            folder.mkdir()
            (folder / "collection.anki2").write_bytes(b"x")
        removed = set(clear_leftovers(targets))
        assert removed == {p for p, gone in names.items() if gone} | {scratch_dead}
        assert all(p.exists() for p, gone in names.items() if not gone)
        assert scratch_alive.is_dir()
    finally:
        alive.kill()
        alive.wait()


def test_two_builds_at_once_one_stops_clearly_and_the_output_is_right(
    built_once: tuple[Path, Path, float], tmp_path: Path
) -> None:
    first, clean, _ = built_once
    root = tmp_path / "project"
    shutil.copytree(first, root)
    argv, env = _command(root)
    outcomes: list[tuple[int, str]] = []
    for _ in range(3):
        procs = [
            subprocess.Popen(
                argv, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            outcomes.append((proc.returncode, err))
    for status, err in outcomes:
        assert status in (0, 1), err
        if status == 1:
            assert "error: another ankigen build is writing this project right now" in err
            assert "hint: wait for it to finish, then build again" in err
            assert err.strip().splitlines()[-1].endswith("nothing written")
    assert any(status == 1 for status, _ in outcomes)  # they did overlap
    assert _outputs(root) == _outputs(clean)
    assert _leftovers(root) == []
    assert main(["build", str(root / "source"), "-o", str(root / "build" / "deck.apkg")]) == 0
