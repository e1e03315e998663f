"""Time the loop a user lives in, through the real command line, against the floor.

Run from the repository root:

    .venv/bin/python benchmarks/bench_loop.py                     # 1000,10000 cards; 5 runs
    .venv/bin/python benchmarks/bench_loop.py --sizes 1000 --repeat 9

Every row is a whole process, timed from the outside (interpreter start, imports and all), so
it is what a user waits for at the prompt. In one run, interleaved round by round so drift
hits every row alike:

- ``python -c pass``: the interpreter alone;
- ``ankigen --help``;
- floor: the minimal markdown-it-py + Pygments + genanki script of ``bench_build.py``
  (``baseline+pygments``) building the same pages cold, as a process of its own;
- ``ankigen build``, cold (empty cache folder, no lockfile, one process per core);
- ``ankigen build`` with nothing changed since the last build;
- ``ankigen check`` with nothing changed;
- ``ankigen build`` after the answer of one card was edited (new text each round, so every
  round re-renders that card);
- the same no-change build and check and one-card edit handed to a build server
  (``ANKIGEN_SERVER=1``: a server started before the rounds, as the first build in a terminal
  starts one), on a copy of the pages with its own lockfile and output; every other
  ``ankigen`` row runs in a process of its own (``ANKIGEN_SERVER=0``);
- ``ankigen watch``, already running on the same pages: from writing such an edit to the
  rebuild's summary line (file-watch latency included), after the other rows' rounds.

It prints the median and the best of each row and the ratios the issue asks about. It checks
nothing about time and exits 0.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import _sizes, baseline_md, build_baseline, generate
from bench_rebuild import _edit_one_card

ROWS = (
    "python -c pass",
    "ankigen --help",
    "floor (base+pyg) cold",
    "ankigen build cold",
    "ankigen build no-change",
    "ankigen check no-change",
    "ankigen build one-card edit",
    "server: build no-change",
    "server: check no-change",
    "server: build one-card edit",
    "ankigen watch one-card edit",
)


def _timed(
    argv: list[str], env: dict[str, str], cwd: Path | None = None, *, says: str = ""
) -> float:
    """Wall time of one process; it must exit 0 and, if ``says`` is given, print it."""
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or says not in done.stdout + done.stderr:
        raise SystemExit(f"unexpected: {' '.join(argv)}\n{done.stdout}\n{done.stderr}")
    return seconds


def measure(size: int, repeat: int, scratch: Path, seed: int) -> dict[str, list[float]]:
    source = scratch / f"cards-{size}"
    generate(source, size, seed, 50, site=False)
    python = sys.executable
    times: dict[str, list[float]] = {row: [] for row in ROWS}
    env = {
        **os.environ,
        "CI": "true",
        "ANKIGEN_CACHE_DIR": str(scratch / "cache-warm"),
        "ANKIGEN_SERVER": "0",
        "XDG_RUNTIME_DIR": str(scratch / "run"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's Python writes bytecode
    served = {**env, "ANKIGEN_SERVER": "1"}
    warm = scratch / f"warm-{size}"  # build/ goes here; the lockfile lives with the pages
    warm.mkdir()
    build = [python, "-m", "ankigen", "build", str(source)]
    _timed(build, env, warm)  # the build the warm rows follow (and compiles bytecode)
    # The server's rows build their own copy of the pages, so a build run in its own process
    # never rewrites the lockfile the server's builds keep in memory (as a user's loop is
    # either in a terminal, or not).
    served_source, served_warm = _start_server(python, source, scratch / f"served-{size}", served)
    served_build = [python, "-m", "ankigen", "build", str(served_source)]
    served_check = [python, "-m", "ankigen", "check", str(served_source)]
    print(f"  {size} cards: ", end="", file=sys.stderr, flush=True)
    for r in range(repeat):
        times["python -c pass"].append(_timed([python, "-c", "pass"], env))
        times["ankigen --help"].append(_timed([python, "-m", "ankigen", "--help"], env))
        floor_out = scratch / f"floor-{size}-{r}"
        floor_out.mkdir()
        floor = [python, __file__, "--floor", str(source), str(floor_out)]
        times["floor (base+pyg) cold"].append(_timed(floor, env))
        shutil.rmtree(floor_out)
        cold_out = scratch / f"cold-{size}-{r}"
        cold_env = {**env, "ANKIGEN_CACHE_DIR": str(cold_out / "cache")}
        shutil.copytree(source, cold_out / "pages")  # its own lockfile, none yet
        (cold_out / "pages" / "ankigen.lock").unlink()
        cold = [python, "-m", "ankigen", "build", "pages"]
        times["ankigen build cold"].append(_timed(cold, cold_env, cold_out))
        shutil.rmtree(cold_out)
        times["ankigen build no-change"].append(_timed(build, env, warm, says="(up to date)"))
        check = [python, "-m", "ankigen", "check", str(source)]
        times["ankigen check no-change"].append(_timed(check, env, warm, says="nothing changed"))
        _edit_one_card(source, 1000 + r)
        times["ankigen build one-card edit"].append(
            _timed(build, env, warm, says="1 rendered (1 card)")
        )
        times["server: build no-change"].append(
            _timed(served_build, served, served_warm, says="(up to date)")
        )
        times["server: check no-change"].append(
            _timed(served_check, served, served_warm, says="nothing changed")
        )
        _edit_one_card(served_source, 1000 + r)
        times["server: build one-card edit"].append(
            _timed(served_build, served, served_warm, says="1 rendered (1 card)")
        )
        print(".", end="", file=sys.stderr, flush=True)
    _stop_server(python, served, 3 * repeat)
    times["ankigen watch one-card edit"] = _watched_edits(python, source, env, warm, repeat)
    print(file=sys.stderr)
    return times


def _start_server(
    python: str, source: Path, folder: Path, env: dict[str, str]
) -> tuple[Path, Path]:
    """A copy of the pages and a folder to build it in; a first build there starts a server."""
    pages, warm = folder / "pages", folder / "warm"
    shutil.copytree(source, pages)
    warm.mkdir()
    _timed([python, "-m", "ankigen", "build", str(pages)], env, warm)
    _wait_for_server(python, env)
    return pages, warm


def _stop_server(python: str, env: dict[str, str], rows: int) -> None:
    """Stop the server, which must have served every one of the ``rows`` handed to it."""
    served_count = _server_status(python, env)
    stop = [python, "-m", "ankigen", "server", "stop"]
    subprocess.run(stop, env=env, capture_output=True, check=False)
    if f"{rows} served" not in served_count:
        raise SystemExit(f"the build server did not serve every served row: {served_count}")


def _server_status(python: str, env: dict[str, str]) -> str:
    argv = [python, "-m", "ankigen", "server", "status"]
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout


def _wait_for_server(python: str, env: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while "0 served" not in _server_status(python, env):
        if time.monotonic() > deadline:
            raise SystemExit("no build server started")
        time.sleep(0.1)


def _watched_edits(
    python: str, source: Path, env: dict[str, str], cwd: Path, repeat: int
) -> list[float]:
    """Seconds from writing a one-card edit to ``ankigen watch``'s line for its rebuild."""
    watching = subprocess.Popen(
        [python, "-m", "ankigen", "watch", str(source)],
        cwd=cwd,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in watching.stdout or ():
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()

    def next_build(says: str) -> str:
        while True:
            line = lines.get(timeout=120)
            if says in line:
                return line

    times = []
    try:
        next_build("watching ")  # built once, and watching
        for r in range(repeat):
            time.sleep(0.5)  # quiet, so the edit is a batch of its own
            _edit_one_card(source, 2000 + r)
            started = time.perf_counter()
            next_build("1 rendered (1 card)")
            times.append(time.perf_counter() - started)
            print(".", end="", file=sys.stderr, flush=True)
    finally:
        watching.terminate()
        watching.wait(timeout=30)
    return times


def report(results: dict[int, dict[str, list[float]]], repeat: int) -> str:
    out = [f"whole processes, seconds: median (best) of {repeat}; {os.cpu_count()} cpus"]
    for size, times in results.items():
        out.append(f"{size} cards")
        for row in ROWS:
            out.append(f"  {row:<30} {statistics.median(times[row]):7.3f} ({min(times[row]):.3f})")
        med = {row: statistics.median(t) for row, t in times.items()}
        floor = med["floor (base+pyg) cold"]
        out.append(
            f"  one-card edit / floor cold: {med['ankigen build one-card edit'] / floor:.2f}x "
            f"(build server: {med['server: build one-card edit'] / floor:.2f}x, "
            f"watching: {med['ankigen watch one-card edit'] / floor:.2f}x); "
            f"cold / floor cold: {med['ankigen build cold'] / floor:.2f}x; "
            f"--help - python -c pass: {med['ankigen --help'] - med['python -c pass']:.3f} s"
        )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--floor", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args(argv)
    if args.floor:
        build_baseline(Path(args.floor[0]), Path(args.floor[1]), baseline_md(highlight=True))
        return 0
    scratch = Path(tempfile.mkdtemp(prefix="ankigen-loop-"))
    try:
        results = {size: measure(size, args.repeat, scratch, args.seed) for size in args.sizes}
        print(report(results, args.repeat))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
