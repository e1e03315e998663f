"""Build the same inputs with several git revisions (or settings) and compare every file written.

Run from the repository root:

    .venv/bin/python scripts/compare_decks.py                          # HEAD~1 against HEAD
    .venv/bin/python scripts/compare_decks.py --revs 130ac85,HEAD
    .venv/bin/python scripts/compare_decks.py --revs HEAD,HEAD --env ANKIGEN_SPEEDUPS=0,

Each revision is checked out in a temporary git worktree and runs its own ``ankigen`` in a
fresh process (``PYTHONPATH`` = that worktree) over the same inputs, taken from the first
revision: every fixture site and page folder under ``tests/fixtures``, the repository's own
``source/``, and generated benchmark pages (plain and as a site with every usual extension).
Each input is copied into the same scratch path before it is built, with a fixed
``SOURCE_DATE_EPOCH`` and no cache, so equal code gives equal bytes. The script prints, per
input, whether the exit status, the printed output and every file the build wrote (deck,
lockfile, reports) are byte for byte the same, and exits 1 if anything differs.

``--env`` gives one extra environment setting per revision, in the same order (empty for
none): ``--revs HEAD,HEAD --env ANKIGEN_SPEEDUPS=0,`` compares a build without the speed-ups
with one with them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EPOCH = "1767225600"  # 2026-01-01: every revision builds "now" at the same second
BENCH_CARDS = 400

# The child: builds each input with the ``ankigen`` on its PYTHONPATH, prints JSON.
_CHILD = r"""
import contextlib, hashlib, io, json, os, shutil, sys
from pathlib import Path
from ankigen.cli import main

inputs, scratch = json.loads(sys.argv[1]), Path(sys.argv[2])
results = {}
for name, src, target in inputs:
    work = scratch / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(src, work / "in", symlinks=True)
    os.chdir(work)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["build", str(Path("in") / target), "-o", "out/deck.apkg", "--no-cache"])
    files = {}
    for path in sorted(work.rglob("*")):
        rel = path.relative_to(work).as_posix()
        if path.is_file() and not (rel.startswith("in/") and (Path(src) / rel[3:]).is_file()):
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    results[name] = {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue(),
                     "files": files}
    os.chdir(scratch)
print(json.dumps(results))
"""


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _inputs(tree: Path, folder: Path) -> list[tuple[str, str, str]]:
    """(name, folder to copy, what to build inside it) for every input, from ``tree``."""
    fixtures = tree / "tests" / "fixtures"
    found: list[tuple[str, str, str]] = []
    for site in sorted((fixtures / "sites").iterdir()):
        if site.name == "inherit":
            found.append((f"sites/{site.name}", str(site), "site"))
        elif site.is_dir():
            found.append((f"sites/{site.name}", str(site), "."))
    for pages in ("differential", "differential/ext", "lint", "browser"):
        found.append((pages, str(fixtures / pages), "."))
    found.append(("source", str(tree / "source"), "."))
    # The first revision's own generator, run with its own ankigen.
    make = (
        "import sys; sys.path.insert(0, 'benchmarks'); from pathlib import Path; "
        "from bench_build import generate; out = Path(sys.argv[1]); "
        f"generate(out / 'bench-pages', {BENCH_CARDS}, seed=7); "
        f"generate(out / 'bench-site', {BENCH_CARDS}, seed=7, site=True)"
    )
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-c", make, str(folder)], cwd=tree, env=env, check=True)
    found.append(("bench/pages", str(folder / "bench-pages"), "."))
    found.append(("bench/site", str(folder / "bench-site"), "."))
    return found


def _run(
    tree: Path, inputs: Sequence[tuple[str, str, str]], extra: dict[str, str]
) -> dict[str, object]:
    scratch = Path(tempfile.mkdtemp(prefix="ankigen-compare-"))
    try:
        env = {**os.environ, "PYTHONPATH": str(tree), "SOURCE_DATE_EPOCH": EPOCH, "CI": "true"}
        env.pop("ANKIGEN_SPEEDUPS", None)
        env.update(extra)
        # Every revision builds in the same scratch path: paths printed or written match.
        fixed = Path(tempfile.gettempdir()) / "ankigen-compare-scratch"
        shutil.rmtree(fixed, ignore_errors=True)
        fixed.mkdir()
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, json.dumps(inputs), str(fixed)],
            capture_output=True,
            text=True,
            check=False,
            cwd=fixed,
            env=env,
        )
        shutil.rmtree(fixed, ignore_errors=True)
        if done.returncode != 0:
            raise SystemExit(f"the build child of {tree} failed:\n{done.stderr}")
        result: dict[str, object] = json.loads(done.stdout)
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _env(spec: str) -> dict[str, str]:
    if not spec:
        return {}
    name, sep, value = spec.partition("=")
    if not sep:
        raise SystemExit(f"--env entries are NAME=VALUE or empty, not {spec!r}")
    return {name: value}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--revs", default="HEAD~1,HEAD", help="comma-separated git revisions")
    parser.add_argument("--env", default="", help="one NAME=VALUE (or empty) per revision")
    args = parser.parse_args(argv)
    revs = [r.strip() for r in args.revs.split(",") if r.strip()]
    envs = [_env(e.strip()) for e in args.env.split(",")] if args.env else [{} for _ in revs]
    if len(envs) != len(revs):
        raise SystemExit("--env needs one entry per revision (empty entries allowed)")
    work = Path(tempfile.mkdtemp(prefix="ankigen-compare-trees-"))
    trees: list[Path] = []
    try:
        for i, rev in enumerate(revs):
            tree = work / f"rev{i}"
            _git("worktree", "add", "--detach", str(tree), _git("rev-parse", rev))
            trees.append(tree)
        inputs = _inputs(trees[0], work / "inputs")
        results = [_run(tree, inputs, env) for tree, env in zip(trees, envs, strict=True)]
    finally:
        for tree in trees:
            _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(work, ignore_errors=True)
    labels = [
        f"{rev}{' ' + ' '.join(f'{k}={v}' for k, v in env.items()) if env else ''}"
        for rev, env in zip(revs, envs, strict=True)
    ]
    print(f"comparing {len(inputs)} inputs: " + " | ".join(labels))
    differs = 0
    for name, _, _ in inputs:
        runs = [r[name] for r in results]
        first = runs[0]
        assert isinstance(first, dict)
        problems = []
        for label, other in zip(labels[1:], runs[1:], strict=True):
            assert isinstance(other, dict)
            for key in ("status", "stdout", "stderr"):
                if other[key] != first[key]:
                    problems.append(f"{key} differs ({label})")
            mine, theirs = first["files"], other["files"]
            assert isinstance(mine, dict) and isinstance(theirs, dict)
            for path in sorted(set(mine) | set(theirs)):
                if mine.get(path) != theirs.get(path):
                    problems.append(f"{path} differs ({label})")
        files = first["files"]
        assert isinstance(files, dict)
        digest = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:12]
        state = "same" if not problems else "DIFFERENT"
        print(f"  {name:<28} exit {first['status']}  {len(files)} files  {digest}  {state}")
        for problem in problems:
            print(f"      {problem}")
        differs += bool(problems)
    print("all identical" if not differs else f"{differs} input(s) differ")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
