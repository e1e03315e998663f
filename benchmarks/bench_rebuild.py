"""Benchmark cold builds on one and all cores, warm rebuilds, peak memory and package size.

Run from the repository root:

    .venv/bin/python benchmarks/bench_rebuild.py                       # 1000,10000; 3 runs
    .venv/bin/python benchmarks/bench_rebuild.py --sizes 100000 --repeat 1

Every measured build runs in a fresh child process (so its peak RSS is its own and no warm
import or lexer cache leaks from one variant to the next); the child times the build itself,
after its imports, and the parent also records the child's whole wall time (interpreter start
and imports included: what a user waits for at the command line). Variants, in one run on the
same generated pages (see bench_build.py for the generator and the baseline):

- baseline, baseline+pygments: minimal markdown-it-py + genanki scripts, cold.
- ours 1 core: a cold build (empty cache folder, no lockfile), ``workers=1``.
- ours N cores: the same with one worker process per available core.
- warm no-change: rebuild with the cache and lockfile of the previous build, nothing edited.
- warm one-card edit: the answer of one card edited, then rebuild.

The script prints numbers and checks nothing about time; it exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import DECK, NOW, _sizes, baseline_md, build_baseline, generate

from ankigen.build import plan_build, write_build
from ankigen.cards.cache import RenderCache
from ankigen.cards.pages import available_cores
from ankigen.config.project import load_config
from ankigen.freshness import up_to_date
from ankigen.read.pageset import read_pages

COLD = ("baseline", "baseline+pygments", "ours 1 core", "ours all cores")
WARM = ("warm no-change", "warm one-card edit", "cli no-change", "cli one-card edit")


# ---------------------------------------------------------------------------- child side


class _Ours:
    """ankigen's build as the CLI runs it (up-to-date check, cache, pool), on one folder."""

    def __init__(self, source: Path, work: Path, workers: int, *, watch: bool = False) -> None:
        self.source, self.apkg, self.workers = source, work / "deck.apkg", workers
        self.config = dataclasses.replace(
            load_config(source), deck=DECK, lockfile=work / "ankigen.lock"
        )
        self.cache = RenderCache(work / "cache", remember=watch)  # as the CLI or watch mode

    def build(self, now: int) -> tuple[int, str]:
        pageset = read_pages(self.source, self.config)
        fresh = up_to_date(self.config, self.apkg, pageset, self.cache)
        if fresh is not None:
            return fresh.notes, "up to date"
        plan = plan_build(
            self.source,
            self.config,
            now,
            self.apkg,
            cache=self.cache,
            workers=self.workers,
            pageset=pageset,
            keep_cards=False,
        )
        write_build(plan)
        return plan.report.live, "built"


def _usage(work: Path) -> dict[str, object]:
    apkg = work / "deck.apkg"
    with zipfile.ZipFile(apkg) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    return {
        "apkg_bytes": apkg.stat().st_size,
        "unpacked_bytes": unpacked,
        "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "workers_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }


def _child(spec: dict[str, object]) -> dict[str, object]:
    source, work = Path(str(spec["source"])), Path(str(spec["work"]))
    variant = str(spec["variant"])
    work.mkdir(parents=True, exist_ok=True)
    now = int(str(spec["now"]))
    if variant == "warm series":
        return _warm_series(source, work, int(str(spec["workers"])), int(str(spec["repeat"])))
    started = time.perf_counter()
    if variant.startswith("baseline"):
        notes = build_baseline(source, work, baseline_md(highlight=variant.endswith("pygments")))
        outcome = "built"
    else:
        notes, outcome = _Ours(source, work, int(str(spec["workers"]))).build(now)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "notes": notes, "outcome": outcome, **_usage(work)}


def _warm_series(source: Path, work: Path, workers: int, repeat: int) -> dict[str, object]:
    """One long-lived process, as in watch mode: a build, then no-change and one-card-edit
    rebuilds in turn, each timed."""
    ours = _Ours(source, work, workers, watch=True)
    ours.build(NOW)
    none: list[float] = []
    edit: list[float] = []
    outcomes: list[str] = []
    for r in range(repeat):
        started = time.perf_counter()
        _, outcome = ours.build(NOW + 10 * r + 1)
        none.append(time.perf_counter() - started)
        outcomes.append(outcome)
        _edit_one_card(source, r)
        started = time.perf_counter()
        notes, outcome = ours.build(NOW + 10 * r + 2)
        edit.append(time.perf_counter() - started)
        outcomes.append(outcome)
    return {"none": none, "edit": edit, "outcomes": outcomes, "notes": notes, **_usage(work)}


# ---------------------------------------------------------------------------- parent side


@dataclasses.dataclass
class Runs:
    results: list[dict[str, object]] = dataclasses.field(default_factory=list)
    walls: list[float] = dataclasses.field(default_factory=list)

    def best(self, key: str = "seconds") -> float:
        return min(float(str(r[key])) for r in self.results)

    def median(self, key: str = "seconds") -> float:
        return statistics.median(float(str(r[key])) for r in self.results)

    def peak(self, key: str) -> int:
        return max(int(str(r[key])) for r in self.results)

    @property
    def last(self) -> dict[str, object]:
        return self.results[-1]


def _run_child(spec: dict[str, object], runs: Runs) -> None:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"child failed ({spec['variant']}):\n{done.stderr}")
    runs.results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    runs.walls.append(wall)


def _edit_one_card(source: Path, n: int) -> Path:
    """Append to the first answer line of the first card of the middle page."""
    pages = sorted(source.rglob("*.md"))
    page = pages[len(pages) // 2]
    lines = page.read_text(encoding="utf-8").split("\n")
    marker = next(i for i, line in enumerate(lines) if line.startswith("??? question"))
    answer = next(i for i in range(marker + 1, len(lines)) if lines[i].startswith("    "))
    lines[answer] = re.sub(r" \(edit \d+\)$", "", lines[answer]) + f" (edit {n})"
    page.write_text("\n".join(lines), encoding="utf-8")
    return page


def measure(size: int, repeat: int, scratch: Path, args: argparse.Namespace) -> dict[str, Runs]:
    source = scratch / f"cards-{size}"
    if not source.exists():
        generate(source, size, args.seed, args.per_page, site=args.site)
    cores = available_cores()
    runs = {name: Runs() for name in (*COLD, *WARM)}
    print(f"  {size} cards: ", end="", file=sys.stderr, flush=True)
    for r in range(repeat):  # interleaved, so drift hits every variant alike
        for name in COLD:
            work = scratch / f"run-{size}-{r}-{name.replace(' ', '-')}"
            workers = 1 if name == "ours 1 core" else cores
            cold: dict[str, object] = {"variant": name, "source": str(source), "work": str(work)}
            _run_child({**cold, "workers": workers, "now": NOW}, runs[name])
            shutil.rmtree(work, ignore_errors=True)
            print(".", end="", file=sys.stderr, flush=True)
    # As a CLI run per rebuild: a fresh process each time (cache and lockfile on disk).
    warm = scratch / f"warm-{size}"
    spec: dict[str, object] = {
        "variant": "ours",
        "source": str(source),
        "work": str(warm),
        "workers": cores,
    }
    _run_child({**spec, "now": NOW}, Runs())  # the build the warm ones follow
    for r in range(repeat):
        _run_child({**spec, "now": NOW + 10 * r + 1}, runs["cli no-change"])
        _edit_one_card(source, 100 + r)
        _run_child({**spec, "now": NOW + 10 * r + 2}, runs["cli one-card edit"])
        print(".", end="", file=sys.stderr, flush=True)
    shutil.rmtree(warm, ignore_errors=True)
    # As watch mode: one process, rebuilding again and again.
    series = Runs()
    _run_child({**spec, "variant": "warm series", "repeat": repeat, "now": NOW}, series)
    shutil.rmtree(warm, ignore_errors=True)
    last: Any = series.last
    assert set(last["outcomes"]) == {"up to date", "built"}, last["outcomes"]
    for name, key in (("warm no-change", "none"), ("warm one-card edit", "edit")):
        for seconds in last[key]:
            runs[name].results.append({**last, "seconds": seconds})
            runs[name].walls.append(0.0)
    print(file=sys.stderr)
    assert runs["cli no-change"].last["outcome"] == "up to date"
    assert runs["cli one-card edit"].last["outcome"] == "built"
    for name, found in runs.items():
        if found.last["notes"] != size:
            print(f"  note: {name} wrote {found.last['notes']} notes", file=sys.stderr)
    return runs


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f}"


def report(results: dict[int, dict[str, Runs]], repeat: int, cores: int) -> str:
    out = [f"seconds: best of {repeat} (median in brackets), build only; {cores} core(s)"]
    head = (
        f"{'cards':>7}  {'baseline':>14}  {'base+pyg':>14}  {'ours 1 core':>14}  "
        f"{'ours all':>14}  {'1c/b+p':>6}  {'all/b+p':>7}"
    )
    out += [head, "-" * len(head)]
    for size, runs in results.items():

        def cell(name: str, runs: dict[str, Runs] = runs) -> str:
            return f"{runs[name].best():.3f} ({runs[name].median():.3f})"

        pyg = runs["baseline+pygments"].best()
        out.append(
            f"{size:>7}  {cell('baseline'):>14}  {cell('baseline+pygments'):>14}  "
            f"{cell('ours 1 core'):>14}  {cell('ours all cores'):>14}  "
            f"{runs['ours 1 core'].best() / pyg:>5.2f}x  "
            f"{runs['ours all cores'].best() / pyg:>6.2f}x"
        )
    out.append("")
    out.append("rebuilds, seconds, best (median): in one long-lived process as in watch mode, and")
    out.append("as a fresh `ankigen build` process each time (build only; imports not counted)")
    for size, runs in results.items():
        cells = "; ".join(
            f"{name} {runs[name].best():.3f} ({runs[name].median():.3f})" for name in WARM
        )
        out.append(f"  {size}: {cells}")
    out.append("")
    out.append("whole child process wall time, best (interpreter start + imports + build):")
    for size, runs in results.items():
        walls = {name: min(r.walls) for name, r in runs.items() if not name.startswith("warm")}
        out.append(f"  {size}: " + "; ".join(f"{k} {v:.2f} s" for k, v in walls.items()))
    out.append("")
    head = (
        f"{'cards':>7}  {'RSS base+pyg':>12}  {'RSS ours 1c':>11}  {'RSS ours all':>17}  "
        f"{'apkg ours':>10}  {'unpacked':>10}  {'ratio':>5}  {'apkg baseline':>13}"
    )
    out += ["peak RSS in MB (all cores: main process / largest worker); sizes in MB", head]
    out.append("-" * len(head))
    for size, runs in results.items():
        ours = runs["ours all cores"]
        out.append(
            f"{size:>7}  {_mb(runs['baseline+pygments'].peak('rss_kb')):>12}  "
            f"{_mb(runs['ours 1 core'].peak('rss_kb')):>11}  "
            f"{_mb(ours.peak('rss_kb')) + ' / ' + _mb(ours.peak('workers_rss_kb')):>17}  "
            f"{int(str(ours.last['apkg_bytes'])) / 1e6:>10.1f}  "
            f"{int(str(ours.last['unpacked_bytes'])) / 1e6:>10.1f}  "
            f"{int(str(ours.last['apkg_bytes'])) / int(str(ours.last['unpacked_bytes'])):>5.2f}  "
            f"{int(str(runs['baseline'].last['apkg_bytes'])) / 1e6:>13.1f}"
        )
    sizes = sorted(results)
    if len(sizes) > 1:
        out.append("")
        for small, large in itertools.pairwise(sizes):
            for name in ("ours 1 core", "ours all cores", "baseline+pygments"):
                ratio = results[large][name].best() / results[small][name].best()
                out.append(f"scaling {name}: {large}/{small} cards took {ratio:.1f}x the time")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--per-page", type=int, default=50)
    parser.add_argument("--site", action="store_true", help="an mkdocs site, all extensions on")
    parser.add_argument("--keep", type=Path, default=None, help="scratch folder to keep")
    args = parser.parse_args(argv)
    if args.child:
        with contextlib.redirect_stdout(sys.stderr):
            found = _child(json.loads(args.child))
        print(json.dumps(found))
        return 0
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="ankigen-rebuild-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        cores = available_cores()
        print(f"python {sys.version.split()[0]}; {os.cpu_count()} cpus", file=sys.stderr)
        results = {size: measure(size, args.repeat, scratch, args) for size in args.sizes}
        print(report(results, args.repeat, cores))
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
