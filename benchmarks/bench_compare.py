"""Compare the cold build of git revisions, in one run, on the same pages.

Run from the repository root:

    .venv/bin/python benchmarks/bench_compare.py                        # HEAD~1 against HEAD
    .venv/bin/python benchmarks/bench_compare.py --revs 02ffafc,HEAD --repeat 4 --workers 2

Each revision is checked out in a temporary git worktree and built by its own
``benchmarks/bench_rebuild.py`` child (a fresh process per build, ``ankigen`` imported from
that worktree, the build timed after imports), alongside the baseline with Pygments of this
checkout. Runs are interleaved, so drift on the machine hits every variant alike. This is
how a change's effect is measured before it lands: the figures in commit messages come from
runs like these. It prints numbers and checks nothing about time; it exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_build import NOW, generate  # noqa: E402

BASELINE = "baseline+pygments"


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _child(tree: Path, spec: dict[str, object]) -> float:
    """One build by ``tree``'s own bench_rebuild child; its build seconds."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    script = tree / "benchmarks" / "bench_rebuild.py"
    done = subprocess.run(
        [sys.executable, str(script), "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tree,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"{spec['variant']} in {tree} failed:\n{done.stderr}")
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return float(found["seconds"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--revs", default="HEAD~1,HEAD", help="git revisions, comma-separated")
    parser.add_argument("--size", type=int, default=10_000, help="cards")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="render processes per build")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args(argv)
    revs = [r.strip() for r in args.revs.split(",") if r.strip()]
    scratch = Path(tempfile.mkdtemp(prefix="ankigen-compare-"))
    trees: dict[str, Path] = {}
    try:
        source = scratch / "pages"
        generate(source, args.size, args.seed, 50)
        for i, rev in enumerate(revs):
            commit = _git("rev-parse", "--short", rev)
            tree = scratch / f"tree-{i}"
            _git("worktree", "add", "--detach", str(tree), commit)
            trees[f"{rev} ({commit})"] = tree
        times: dict[str, list[float]] = {name: [] for name in [BASELINE, *trees]}
        for r in range(args.repeat):
            for name, found in times.items():
                work = scratch / f"work-{r}"
                shutil.rmtree(work, ignore_errors=True)
                tree = ROOT if name == BASELINE else trees[name]
                spec = {
                    "variant": BASELINE if name == BASELINE else "ours",
                    "source": str(source),
                    "work": str(work),
                    "workers": args.workers,
                    "now": NOW,
                }
                found.append(_child(tree, spec))
                print(".", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        first = min(times[next(iter(trees))])
        base = min(times[BASELINE])
        print(f"{args.size} cards, {args.workers} worker(s), best (median) of {args.repeat}:")
        for name, found in times.items():
            best, median = min(found), statistics.median(found)
            ratios = f"{best / base:5.3f}x baseline+pygments"
            if name != BASELINE:
                ratios += f", {best / first:5.3f}x {next(iter(trees))}"
            print(f"  {name:32s} {best:7.3f} s ({median:.3f})  {ratios}")
    finally:
        for tree in trees.values():
            _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
