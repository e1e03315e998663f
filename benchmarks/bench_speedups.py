"""What each speed-up of ``ankigen/_speed`` is worth: cold builds with it on and off, in one run.

Run from the repository root:

    .venv/bin/python benchmarks/bench_speedups.py                  # 10,000 cards, 3 rounds
    .venv/bin/python benchmarks/bench_speedups.py --cards 1000 --repeat 5 --site

Every build is a fresh ``python -m ankigen build`` process on one core (``-j 1``), with no
cache, on the benchmark's generated pages; the variants are all speed-ups on, all off, and
each one off alone (``ANKIGEN_SPEEDUPS=-name``), interleaved round by round so drift on the
machine hits each alike. It prints each variant's median wall time and what turning the
speed-up off costs, as a share of the all-on build: a speed-up earns its place at 3% or
more. It also checks that every variant wrote the same deck, byte for byte. It asserts
nothing about time and exits 0 (1 if a deck differs).

Wall time on a shared virtual machine can vary by 10-20% from run to run, more than the
3% being judged. ``--instructions`` counts instead the instructions each build executes
under ``valgrind --tool=callgrind`` (one run per variant: the count is the same each time,
whatever else the machine does). It is ~40x slower, so use fewer cards. It cannot show what
threads save (``zip``) or memory (``memory``): those are judged by wall time and peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_build import generate  # noqa: E402

from ankigen._speed import SPEEDUPS  # noqa: E402

EPOCH = "1767225600"


def _build(source: Path, out: Path, speedups: str) -> tuple[float, float, str]:
    """One cold build in a fresh process: (wall seconds, CPU seconds, digest of the deck)."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "ANKIGEN_SPEEDUPS": speedups, "SOURCE_DATE_EPOCH": EPOCH, "CI": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as users run it: compiled modules are kept
    command = [sys.executable, "-m", "ankigen", "build", str(source), "-o", str(out / "d.apkg")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [*command, "--no-cache", "-j", "1"],
        check=True,
        env=env,
        cwd=out.parent,
        stdout=subprocess.DEVNULL,
    )
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return took, cpu, hashlib.sha256((out / "d.apkg").read_bytes()).hexdigest()


def _instructions(source: Path, out: Path, speedups: str) -> tuple[int, str]:
    """One cold build under callgrind: (instructions executed, digest of the deck)."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "ANKIGEN_SPEEDUPS": speedups, "SOURCE_DATE_EPOCH": EPOCH, "CI": "true"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "ankigen", "build", str(source), "-o", str(out / "d.apkg")]
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    done = subprocess.run(
        [*valgrind, *command, "--no-cache", "-j", "1"],
        check=True,
        env=env,
        cwd=out.parent,
        capture_output=True,
        text=True,
    )
    counted = [line for line in done.stderr.splitlines() if "Collected :" in line]
    digest = hashlib.sha256((out / "d.apkg").read_bytes()).hexdigest()
    return int(counted[-1].rsplit(":", 1)[1].strip()), digest


def _count_all(work: Path, variants: dict[str, str]) -> int:
    counts: dict[str, int] = {}
    digests: set[str] = set()
    _build(work / "pages", work / "out", "1")  # compiled modules written once
    for name, value in variants.items():
        counts[name], digest = _instructions(work / "pages", work / "out", value)
        digests.add(digest)
        print(f"  {name:<12} {counts[name]:>16,}", flush=True)
    base = counts["all on"]
    print(f"  {'variant':<12} {'instructions':>16} {'off costs':>10}")
    for name, count in counts.items():
        cost = "" if name == "all on" else f"{(count - base) / base * 100:+.1f}%"
        print(f"  {name:<12} {count:>16,} {cost:>10}")
    print("decks: identical in every variant" if len(digests) == 1 else "decks DIFFER")
    return 0 if len(digests) == 1 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--site", action="store_true", help="a site with every usual extension")
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions under callgrind"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated speed-ups: measure all on and each of these off (default: all)",
    )
    args = parser.parse_args()
    chosen = [n for n in args.only.split(",") if n] or list(SPEEDUPS)
    unknown = sorted(set(chosen) - set(SPEEDUPS))
    if unknown:
        parser.error(f"unknown speed-ups: {', '.join(unknown)} (known: {', '.join(SPEEDUPS)})")
    variants = {"all on": "1"} | ({} if args.only else {"all off": "0"})
    variants |= {f"-{n}": f"-{n}" for n in chosen}
    with tempfile.TemporaryDirectory(prefix="ankigen-speedups-") as tmp:
        work = Path(tmp)
        generate(work / "pages", args.cards, seed=1, site=args.site)
        (work / "pages" / "ankigen.toml").write_text('deck = "Bench"\n', encoding="utf-8")
        if args.instructions:
            print(f"{args.cards:,} cards, instructions of one cold one-process build each:")
            return _count_all(work, variants)
        times: dict[str, list[float]] = {name: [] for name in variants}
        cpus: dict[str, list[float]] = {name: [] for name in variants}
        digests: dict[str, set[str]] = {name: set() for name in variants}
        _build(work / "pages", work / "out", "1")  # warm the OS caches once
        for _ in range(args.repeat):
            for name, value in variants.items():
                took, cpu, digest = _build(work / "pages", work / "out", value)
                times[name].append(took)
                cpus[name].append(cpu)
                digests[name].add(digest)
    base = statistics.median(times["all on"])
    base_cpu = statistics.median(cpus["all on"])
    kind = "site" if args.site else "pages"
    print(f"{args.cards:,} cards ({kind}), cold one-process builds, median of {args.repeat}:")
    best = min(times["all on"])
    print(
        f"  {'variant':<12} {'wall s':>8} {'off costs':>10} {'best s':>8} {'off costs':>10}"
        f" {'CPU s':>8} {'off costs':>10}"
    )
    for name in variants:
        wall, cpu, low = (
            statistics.median(times[name]),
            statistics.median(cpus[name]),
            min(times[name]),
        )
        on = name == "all on"
        cost = "" if on else f"{(wall - base) / base * 100:+.1f}%"
        cost_best = "" if on else f"{(low - best) / best * 100:+.1f}%"
        cost_cpu = "" if on else f"{(cpu - base_cpu) / base_cpu * 100:+.1f}%"
        print(
            f"  {name:<12} {wall:>8.3f} {cost:>10} {low:>8.3f} {cost_best:>10}"
            f" {cpu:>8.3f} {cost_cpu:>10}"
        )
    every = set().union(*digests.values())
    print("decks: identical in every variant" if len(every) == 1 else "decks DIFFER")
    return 0 if len(every) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
