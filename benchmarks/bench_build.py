"""Benchmark a cold ankigen build against a minimal markdown-it + genanki baseline.

Run from the repository root:

    .venv/bin/python benchmarks/bench_build.py                    # sizes 1000,10000, repeat 3
    .venv/bin/python benchmarks/bench_build.py --sizes 500 --repeat 1 --profile

The synthetic pages are generated once per size into a temporary folder (deterministic for a
given ``--seed``); only the builds are timed. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import genanki
from markdown_it import MarkdownIt
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ankigen.build import plan_build, write_build
from ankigen.config.project import load_config

__all__ = ["build_baseline", "build_ours", "generate", "main", "split_cards"]

DECK = "Benchmark Deck"
NOW = 1_700_000_000  # fixed clock: builds are reproducible
DEFAULT_SIZES = (1_000, 10_000)

# --------------------------------------------------------------------------------------------
# Synthetic pages
# --------------------------------------------------------------------------------------------

_SUBJECTS = (
    "gradient clipping",
    "batch normalisation",
    "layer normalisation",
    "dropout",
    "weight decay",
    "the learning-rate warm-up",
    "a residual connection",
    "an attention head",
    "the softmax temperature",
    "label smoothing",
    "early stopping",
    "a bloom filter",
    "a consistent hash ring",
    "the write-ahead log",
    "a B-tree index",
    "copy-on-write pages",
    "the garbage collector",
    "a lock-free queue",
    "the TCP congestion window",
    "an LRU cache",
    "a skip list",
    "the page cache",
    "speculative execution",
    "a merkle tree",
    "the vector clock",
    "a leader lease",
    "the two-phase commit",
    "an inverted index",
    "the beam search",
    "quantisation to int8",
)
_EFFECTS = (
    "convergence speed",
    "tail latency",
    "memory pressure",
    "numerical stability",
    "throughput under contention",
    "recovery after a crash",
    "generalisation error",
    "cold-start behaviour",
    "read amplification",
    "write amplification",
    "fairness between clients",
    "the variance of the estimate",
    "cache hit rate",
    "the size of the checkpoint",
    "energy use per request",
)
_SETTINGS = (
    "a small dataset",
    "a sharded cluster",
    "a single GPU",
    "a mobile device",
    "a streaming pipeline",
    "an embedded controller",
    "a multi-tenant service",
    "a long training run",
    "a read-heavy workload",
    "a noisy network",
)
_QUESTIONS = (
    "How does {s} change {e} in {c}?",
    "Why would you reach for {s} when {e} matters in {c}?",
    "What goes wrong with {e} if {s} is misconfigured in {c}?",
    "When is {s} a poor choice for {e} in {c}?",
    "Explain the trade-off between {s} and {e} for {c}.",
    "What is the first metric to watch for {e} after enabling {s} in {c}?",
    "How would you test that {s} really helps {e} in {c}?",
)
_SENTENCES = (
    "In practice {s} mostly shifts where the cost is paid rather than removing it.",
    "The effect on {e} is easiest to see when the load is uneven.",
    "A common mistake is to tune {s} before measuring the baseline.",
    "Most implementations expose a single knob, usually called `{k}`, with a safe default.",
    "The textbook argument assumes independent inputs, which rarely holds in {c}.",
    "Profiling a realistic trace usually tells you more than any rule of thumb.",
    "If {e} regresses, roll the change back first and investigate afterwards.",
    "The cost grows roughly linearly with the number of {u}, so keep that bounded.",
    "Halving `{k}` is a reasonable first experiment.",
    "Keep an eye on {e}: it tends to move before anything else does.",
    "Nothing here is free; the saving in one place shows up as work somewhere else.",
    "A short warm-up period hides most of the start-up noise.",
)
_KNOBS = ("max_norm", "momentum", "eps", "p_drop", "decay", "window", "ttl", "fanout", "alpha")
_UNITS = ("shards", "layers", "replicas", "requests in flight", "tokens", "buckets", "segments")
_DOMAINS = ("example.org", "docs.example.com", "notes.example.net", "wiki.example.io")
_WORDS = (
    "latency",
    "batch",
    "replica",
    "gradient",
    "buffer",
    "token",
    "index",
    "cursor",
    "window",
    "checkpoint",
    "quorum",
    "epoch",
)

_PY_LINES = (
    "def {f}({a}, {b}=None):",
    "    {v} = [{a} * i for i in range({n})]",
    "    if {b} is not None and len({v}) > {n}:",
    "        {v} = {v}[: {n}]",
    "    total = sum({v}) / max(len({v}), 1)",
    '    print(f"{f}: {{total:.3f}}")',
    "    return {{'{a}': total, 'count': len({v})}}",
)
_JS_LINES = (
    "export function {f}({a}, {b} = {{}}) {{",
    "  const {v} = Array.from({{ length: {n} }}, (_, i) => i * {a});",
    "  // keep only the values inside the window",
    "  const kept = {v}.filter((x) => x % {n} !== 0);",
    "  if ({b}.verbose) console.log(`{f}: ${{kept.length}}`);",
    "  return kept.reduce((acc, x) => acc + x, 0);",
    "}}",
)
_SH_LINES = (
    "#!/usr/bin/env bash",
    "set -euo pipefail",
    '{v}="${{1:-/tmp/{a}}}"',
    'for i in $(seq 1 {n}); do echo "{f} $i" >> "${v}/log.txt"; done',
    'grep -c "{f}" "${v}/log.txt" | tee "${v}/count.txt"',
    "du -sh \"${v}\" && echo 'done'",
)
_CODE = {"python": _PY_LINES, "js": _JS_LINES, "bash": _SH_LINES}

_MATH_INLINE = (
    r"\sigma(x) = \frac{{1}}{{1 + e^{{-x}}}}",
    r"\lVert g \rVert_2 \le {n}",
    r"\mathbb{{E}}[X] = \mu",
    r"O(n \log n)",
    r"\alpha_t = \alpha_0 / \sqrt{{t}}",
    r"p < 0.{n}",
)
_MATH_DISPLAY = (
    r"\hat{{y}} = \arg\max_{{k}} \; \frac{{e^{{z_k / T}}}}{{\sum_j e^{{z_j / T}}}}",
    r"\mathcal{{L}}(\theta) = -\sum_{{i=1}}^{{{n}}} y_i \log p_\theta(x_i)",
    r"\theta_{{t+1}} = \theta_t - \eta \, \nabla_\theta \mathcal{{L}}(\theta_t)",
    r"\operatorname{{Var}}[\bar{{X}}] = \frac{{\sigma^2}}{{{n}}}",
)


@dataclass(frozen=True)
class Mix:
    """Probabilities of each kind of content in a card's answer."""

    code: float = 0.20
    math: float = 0.15
    table: float = 0.10
    listing: float = 0.35
    read_more: float = 0.85


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        s=rng.choice(_SUBJECTS),
        e=rng.choice(_EFFECTS),
        c=rng.choice(_SETTINGS),
        k=rng.choice(_KNOBS),
        u=rng.choice(_UNITS),
    )


def _url(rng: random.Random) -> str:
    path = "/".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3)))
    return f"https://{rng.choice(_DOMAINS)}/{path}-{rng.randint(1, 999)}"


def _sentence(rng: random.Random) -> str:
    text = _fill(rng.choice(_SENTENCES), rng)
    roll = rng.random()
    if roll < 0.25:
        word = rng.choice(_WORDS)
        text = f"{text[:-1]}, especially for the **{word}**."
    elif roll < 0.35:
        text = f"{text[:-1]} (see [this note]({_url(rng)}))."
    elif roll < 0.45:
        text = f"*Rule of thumb:* {text}"
    return text


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def _code_block(rng: random.Random) -> list[str]:
    lang = rng.choice(tuple(_CODE))
    lines = _CODE[lang]
    keep = sorted(rng.sample(range(1, len(lines)), rng.randint(2, len(lines) - 1)))
    names = {
        "f": rng.choice(("measure", "tune", "replay", "probe", "compact", "shard")),
        "a": rng.choice(("rate", "size", "step", "scale")),
        "b": rng.choice(("opts", "limit", "cfg")),
        "v": rng.choice(("values", "out", "window", "acc")),
        "n": str(rng.randint(2, 64)),
    }
    body = [lines[0].format(**names)] + [lines[i].format(**names) for i in keep]
    if lang == "js":  # keep the braces balanced, for the looks of it
        body[-1:] = [body[-1], "}"] if not body[-1].startswith("}") else body[-1:]
    return [f"```{lang}", *body, "```"]


def _math(rng: random.Random) -> list[str]:
    n = str(rng.randint(2, 99))
    inline = rng.choice(_MATH_INLINE).format(n=n)
    display = rng.choice(_MATH_DISPLAY).format(n=n)
    lead = f"Formally, ${inline}$ holds for the cases that matter here, and"
    return [lead, "", "$$", display, "$$"]


def _table(rng: random.Random) -> list[str]:
    rows = ["| Setting | Value | Effect |", "| --- | ---: | --- |"]
    for _ in range(rng.randint(2, 4)):
        rows.append(f"| `{rng.choice(_KNOBS)}` | {rng.randint(1, 512)} | {rng.choice(_EFFECTS)} |")
    return rows


def _listing(rng: random.Random) -> list[str]:
    ordered = rng.random() < 0.4
    items = []
    for i in range(rng.randint(2, 4)):
        marker = f"{i + 1}." if ordered else "-"
        items.append(f"{marker} {_sentence(rng)}")
    return items


def _read_more(rng: random.Random) -> list[str]:
    lines = ["Read more:", ""]
    for _ in range(rng.randint(1, 3)):
        url = _url(rng)
        lines.append(f"* [{rng.choice(_WORDS)} notes]({url})" if rng.random() < 0.3 else f"* {url}")
    return lines


def _answer(rng: random.Random, mix: Mix) -> list[str]:
    """The body of one card, unindented, as a list of blocks (each a list of lines)."""
    blocks: list[list[str]] = [[_paragraph(rng)]]
    if rng.random() < mix.listing:
        blocks.append(_listing(rng))
    if rng.random() < mix.code:
        blocks.append(_code_block(rng))
    if rng.random() < mix.math:
        blocks.append(_math(rng))
    if rng.random() < mix.table:
        blocks.append(_table(rng))
    if rng.random() < 0.5:
        blocks.append([_paragraph(rng)])
    if rng.random() < mix.read_more:
        blocks.append(_read_more(rng))
    lines: list[str] = []
    for block in blocks:
        if lines:
            lines.append("")
        lines.extend(block)
    return lines


def _question(rng: random.Random, seen: set[str]) -> str:
    for _ in range(20):
        text = _fill(rng.choice(_QUESTIONS), rng)
        if text not in seen:
            break
    else:  # the vocabulary ran dry: make it unique
        text = f"{text[:-1]} (case {len(seen) + 1})?"
    seen.add(text)
    return text


SITE_CONFIG = """\
site_name: Benchmark Cards
site_url: https://bench.example.org/
markdown_extensions:
  - abbr
  - admonition
  - attr_list
  - def_list
  - footnotes
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.arithmatex:
      generic: true
  - pymdownx.caret
  - pymdownx.critic
  - pymdownx.details
  - pymdownx.emoji
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.keys
  - pymdownx.mark
  - pymdownx.smartsymbols
  - pymdownx.snippets
  - pymdownx.superfences
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.tasklist
  - pymdownx.tilde
"""


def generate(
    folder: Path,
    n_cards: int,
    seed: int,
    per_page: int = 50,
    mix: Mix | None = None,
    *,
    site: bool = False,
) -> int:
    """Write ``n_cards`` question boxes into ``folder`` as mkdocs-material pages; return pages.

    With ``site``, ``folder`` becomes an mkdocs site (mkdocs.yml with every extension a
    mkdocs-material site typically enables, pages under docs/).
    """
    if site:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "mkdocs.yml").write_text(SITE_CONFIG, encoding="utf-8")
        return generate(folder / "docs", n_cards, seed, per_page, mix)
    mix = mix or Mix()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    pages = 0
    for start in range(0, n_cards, per_page):
        pages += 1
        out = [f"# Topic {pages}", "", "Questions collected while reading about this topic.", ""]
        for i in range(start, min(start + per_page, n_cards)):
            if (i - start) % 10 == 0:
                out += [f"## Part {(i - start) // 10 + 1}", ""]
            marker = "???+" if rng.random() < 0.05 else "???"
            out.append(f'{marker} question "{_question(rng, seen)}"')
            out += [f"    {line}" if line else "" for line in _answer(rng, mix)]
            out.append("")
        sub = folder / f"part-{(pages - 1) // 20:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"topic-{pages:04d}.md").write_text("\n".join(out), encoding="utf-8")
    return pages


# --------------------------------------------------------------------------------------------
# The builds being compared
# --------------------------------------------------------------------------------------------


JOBS = [1]  # render processes for ours; set by --jobs


def build_ours(source: Path, out: Path) -> int:
    """A cold ankigen build: no lockfile yet, fresh output folder. Returns the note count."""
    config = load_config(source)
    config = dataclasses.replace(config, deck=DECK, lockfile=out / "ankigen.lock")
    plan = plan_build(source, config, NOW, out / "deck.apkg", workers=JOBS[0])
    write_build(plan)
    return len(plan.identified.notes)


_CARD_RE = re.compile(r'^\?\?\?\+? question "(.*)"[ \t]*\n((?:(?: {4}.*)?\n)*)', re.MULTILINE)

_BASELINE_MODEL = genanki.Model(
    1_607_392_319,
    "Baseline Q&A",
    fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
        }
    ],
)

_PYG_FORMATTER = HtmlFormatter(nowrap=True)


@lru_cache(maxsize=64)
def _pyg_lexer(lang: str) -> Lexer | None:
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


def _pyg_highlight(code: str, lang: str, _attrs: str) -> str:
    lexer = _pyg_lexer(lang) if lang else None
    if lexer is None:
        return ""  # markdown-it escapes it and wraps it itself
    inner: str = pygments_highlight(code, lexer, _PYG_FORMATTER)
    return f'<pre class="highlight"><code>{inner}</code></pre>\n'


def baseline_md(highlight: bool) -> MarkdownIt:
    options: dict[str, Any] = {"highlight": _pyg_highlight} if highlight else {}
    return MarkdownIt("commonmark", options).enable("table")


def split_cards(text: str) -> list[tuple[str, str]]:
    """(question, dedented body) for every ``??? question "…"`` box at the left margin."""
    return [
        (m.group(1), "\n".join(line[4:] for line in m.group(2).split("\n")))
        for m in _CARD_RE.finditer(text)
    ]


def build_baseline(source: Path, out: Path, md: MarkdownIt) -> int:
    """Regex split, plain markdown-it render, genanki package. Returns the note count."""
    deck = genanki.Deck(2_059_400_110, DECK)
    count = 0
    for page in sorted(source.rglob("*.md")):
        for question, body in split_cards(page.read_text(encoding="utf-8")):
            fields = [md.renderInline(question), md.render(body)]
            deck.add_note(
                genanki.Note(model=_BASELINE_MODEL, fields=fields, guid=genanki.guid_for(question))
            )
            count += 1
    # genanki's write_to_file leaves its temporary sqlite file behind: keep it in `out`.
    saved = tempfile.tempdir
    tempfile.tempdir = str(out)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            genanki.Package(deck).write_to_file(str(out / "deck.apkg"), timestamp=NOW)
    finally:
        tempfile.tempdir = saved
    return count


# --------------------------------------------------------------------------------------------
# Timing and reporting
# --------------------------------------------------------------------------------------------

Builder = Callable[[Path, Path], int]


@dataclass
class Timing:
    times: list[float] = dataclasses.field(default_factory=list)
    notes: int = 0
    apkg_bytes: int = 0

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def _builders() -> dict[str, Builder]:
    plain = baseline_md(highlight=False)
    pyg = baseline_md(highlight=True)
    return {
        "ours": build_ours,
        "baseline": lambda src, out: build_baseline(src, out, plain),
        "baseline+pygments": lambda src, out: build_baseline(src, out, pyg),
    }


def _run_once(build: Builder, source: Path, scratch: Path) -> tuple[float, int, int]:
    out = Path(tempfile.mkdtemp(prefix="out-", dir=scratch))
    try:
        start = time.perf_counter()
        notes = build(source, out)
        elapsed = time.perf_counter() - start
        size = (out / "deck.apkg").stat().st_size
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return elapsed, notes, size


def measure(
    sizes: Sequence[int],
    repeat: int,
    seed: int,
    per_page: int,
    scratch: Path,
    *,
    site: bool = False,
) -> dict[int, dict[str, Timing]]:
    builders = _builders()
    # Warm-up: imports, lru caches, Pygments lexers, genanki's model requirements.
    warm = scratch / "warm-up"
    generate(warm, 60, seed, per_page, site=site)
    for build in builders.values():
        _run_once(build, warm, scratch)
    results: dict[int, dict[str, Timing]] = {}
    for size in sizes:
        source = scratch / f"cards-{size}"
        pages = generate(source, size, seed, per_page, site=site)
        print(f"  {size} cards in {pages} pages: ", end="", file=sys.stderr, flush=True)
        timings = {name: Timing() for name in builders}
        for _ in range(repeat):  # interleaved, so drift hits every variant alike
            for name, build in builders.items():
                elapsed, notes, size_bytes = _run_once(build, source, scratch)
                timings[name].times.append(elapsed)
                timings[name].notes, timings[name].apkg_bytes = notes, size_bytes
                print(".", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        for name, timing in timings.items():
            if timing.notes != size:
                print(
                    f"  note: {name} wrote {timing.notes} notes for {size} cards", file=sys.stderr
                )
        results[size] = timings
    return results


def report(results: dict[int, dict[str, Timing]], repeat: int) -> str:
    head = (
        f"{'cards':>7}  {'ours (s)':>15}  {'baseline (s)':>15}  {'base+pyg (s)':>15}  "
        f"{'ours/base':>9}  {'ours/base+pyg':>13}"
    )
    lines = [f"times: best / median of {repeat} run(s); ratios use the best times", head]
    lines.append("-" * len(head))
    for size, t in results.items():
        ours, base, pyg = t["ours"], t["baseline"], t["baseline+pygments"]

        def cell(x: Timing) -> str:
            return f"{x.best:.3f} / {x.median:.3f}"

        lines.append(
            f"{size:>7}  {cell(ours):>15}  {cell(base):>15}  {cell(pyg):>15}  "
            f"{ours.best / base.best:>8.2f}x  {ours.best / pyg.best:>12.2f}x"
        )
    lines.append("")
    lines.append(
        "per card (best): "
        + "; ".join(
            f"{size}: ours {t['ours'].best / size * 1e3:.2f} ms, "
            f"baseline {t['baseline'].best / size * 1e3:.2f} ms"
            for size, t in results.items()
        )
    )
    lines.append(
        "apkg size: "
        + "; ".join(
            f"{size}: ours {t['ours'].apkg_bytes / 1e6:.1f} MB (deflated), "
            f"baseline {t['baseline'].apkg_bytes / 1e6:.1f} MB (stored)"
            for size, t in results.items()
        )
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Profile
# --------------------------------------------------------------------------------------------

# (label, path suffix of the file, function name); "~" is for C functions, matched by substring.
_STAGES: tuple[tuple[str, str, str], ...] = (
    ("plan_build (read, parse, split, render, identify)", "ankigen/build.py", "plan_build"),
    ("  discover + read_source", "ankigen/sources.py", "discover|read_source"),
    ("  _shown (path resolving for messages)", "ankigen/build.py", "_shown"),
    ("  markdown-it parse (tokenize)", "ankigen/parse.py", "tokenize"),
    ("    block rules (incl. admonition bodies)", "markdown_it/rules_core/block.py", "block"),
    ("    inline rules (all inline tokens)", "markdown_it/rules_core/inline.py", "inline"),
    ("      inline linkify rule (bare URLs)", "markdown_it/rules_inline/linkify.py", "linkify"),
    (
        "    link normalisation, any rule (mdurl, punycode)",
        "markdown_it/main.py",
        "normalizeLink|normalizeLinkText",
    ),
    ("    core linkify rule", "markdown_it/rules_core/linkify.py", "linkify"),
    ("      of which linkify-it pretest", "linkify_it/main.py", "pretest"),
    ("  cards_from_tokens", "ankigen/parse.py", "cards_from_tokens"),
    ("  split_card (links)", "ankigen/links.py", "split_card"),
    ("  render_card", "ankigen/render.py", "render_card"),
    ("    markdown-it render (RendererHTML.render)", "markdown_it/renderer.py", "render"),
    ("    Pygments (highlight_code)", "ankigen/highlight.py", "highlight_code"),
    ("    plain_text", "ankigen/render.py", "plain_text"),
    ("    links_html + source_html", "ankigen/render.py", "links_html|source_html"),
    ("  identify (guids, hashes)", "ankigen/ids.py", "identify"),
    ("write_build", "ankigen/build.py", "write_build"),
    # The package is written on its own thread, which cProfile does not see: time write_build
    # as a whole, or call package.prepare_apkg directly to profile it.
    ("  lockfile + reports (streamed to temp files)", "ankigen/fsutil.py", "prepare_text"),
)

# pstats' raw table: (file, line, function) -> (prim calls, calls, tottime, cumtime, callers)
StatsTable = dict[tuple[str, int, str], tuple[int, int, float, float, Any]]


def _stage_times(table: StatsTable) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for label, suffix, names in _STAGES:
        wanted = names.split("|")
        total = 0.0
        for (filename, _line, func), (_cc, _nc, tottime, cumtime, _callers) in table.items():
            if suffix == "~":
                if filename == "~" and any(w in func for w in wanted):
                    total += tottime
            elif filename.replace("\\", "/").endswith(suffix) and func in wanted:
                total += cumtime
        out.append((label, total))
    return out


def profile_ours(size: int, seed: int, per_page: int, scratch: Path, top: int = 25) -> str:
    source = scratch / f"cards-{size}"
    if not source.exists():
        generate(source, size, seed, per_page)
    warm = scratch / "warm-up"
    if not warm.exists():
        generate(warm, 60, seed, per_page)
    _run_once(build_ours, warm, scratch)
    out = Path(tempfile.mkdtemp(prefix="profile-", dir=scratch))
    profiler = cProfile.Profile()
    profiler.enable()
    build_ours(source, out)
    profiler.disable()
    shutil.rmtree(out, ignore_errors=True)

    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(15)

    full = pstats.Stats(profiler)  # unstripped, to tell packages apart
    table: StatsTable = vars(full)["stats"]
    total: float = vars(full)["total_tt"]
    lines = [f"profile of ours at {size} cards (cProfile adds overhead; look at shares)", ""]
    lines.append(
        f"{'stage (cumulative; nested rows are parts of the row above)':<58} {'s':>7} {'%':>6}"
    )
    for label, seconds in _stage_times(table):
        lines.append(f"{label:<58} {seconds:>7.3f} {seconds / total * 100:>5.1f}%")
    lines.append(f"{'total profiled':<58} {total:>7.3f} {100:>5.1f}%")
    return buf.getvalue() + "\n".join(lines)


# --------------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text}") from exc
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=list(DEFAULT_SIZES),
        help="card counts, comma-separated (default: 1000,10000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (default: 3)")
    parser.add_argument("--seed", type=int, default=1234, help="seed of the generator")
    parser.add_argument("--per-page", type=int, default=50, help="cards per page (default: 50)")
    parser.add_argument(
        "--site",
        action="store_true",
        help="build the pages as an mkdocs site with every usual mkdocs-material extension on",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="render processes for our build (default 1: serial, like the baselines; "
        "`ankigen build` uses one per core)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also run cProfile on our build at the largest size",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        default=None,
        help="generate into DIR and keep it (default: a temporary folder, removed)",
    )
    args = parser.parse_args(argv)
    JOBS[0] = args.jobs
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="ankigen-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        print(f"python {sys.version.split()[0]}; scratch {scratch}", file=sys.stderr)
        if args.repeat > 0:
            results = measure(
                args.sizes, args.repeat, args.seed, args.per_page, scratch, site=args.site
            )
            print(report(results, args.repeat))
        if args.profile:
            print()
            print(profile_ours(max(args.sizes), args.seed, args.per_page, scratch))
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
