"""Judge ankigen against what a real mkdocs site shows: which boxes become cards.

    .venv/bin/python scripts/judge_site.py SITE_DIR --ankigen PYTHON [--mkdocs PYTHON]
        [--types question,help,faq | auto | all] [--json OUT.json] [--sample N]

SITE_DIR holds ``mkdocs.yml`` (or ``--config NAME``). The site is copied into a scratch
folder first (ankigen writes its lockfile beside the config), then:

1. **What a reader sees.** ``mkdocs build`` runs with the site's own config (never
   strict), in the ``--mkdocs`` interpreter (default: this one), into a scratch folder.
   Every box on every page is collected from the built HTML: collapsible boxes
   (``<details>``, from ``???``, ``/// details`` or raw HTML) and plain admonitions
   (``div.admonition``, from ``!!!`` or ``/// type``), each with its classes, its summary
   (title) text and its body text. Its source line is found by matching the page's
   Markdown markers (outside fenced code), in order, by kind, type and title (``None``
   when no marker matches, e.g. a box made by a plugin).
2. **What ankigen makes.** ``PYTHON -m ankigen build mkdocs.yml --format json -o OUT
   --no-cache --types T`` runs in the copy; the cards are read from the written ``.apkg``
   (fields) and the report beside it (page and line of each note), the diagnostics from
   the JSON on stdout. An error makes ankigen write nothing: then the pages its errors
   name are taken out of the copy and it runs again (``--retries``); boxes only on those
   pages count as *dropped*.
3. **The comparison.** A box of a card type (``--types``; ``auto`` = every type of a
   collapsible box on the site, ``all`` = of any box) is *carded* when a card sits on its
   page and line (or, when the line is unknown, has its summary as question), *explained*
   when a diagnostic names its page and line, and *lost* otherwise. For carded boxes, the
   card's question text is compared with the summary text, and the answer text with the
   box's body text (BeautifulSoup's ``get_text``, compared with whitespace removed);
   ``answer+links`` also accepts the answer followed by the Links field, with a short
   ``Label:`` between them (the label the Links field drops). Cards that match no box are
   listed as extra.

The script measures; it never decides that ankigen or the site is right. It prints one
block per site and writes every judged box, lost box, extra card and text difference to
``--json``. Exit status 0, or 3 when mkdocs could not build the site.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag

DEFAULT_TYPES = ("question", "help", "faq")
IGNORED_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", "site"}

# Runs inside the --mkdocs interpreter: builds the site and prints each page's source and
# output paths as JSON on the last line of stdout.
MKDOCS_DRIVER = r"""
import json, sys
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin

pages = []

class _Recorder(BasePlugin):
    def on_post_page(self, output, page, config):
        pages.append({"src": page.file.src_uri, "dest": page.file.dest_uri,
                      "abs_src": page.file.abs_src_path})
        return output

sys.path.append(sys.argv[3])  # the site's own modules, after the installed packages
cfg = load_config(config_file=sys.argv[1], site_dir=sys.argv[2], strict=False)
recorder = _Recorder()
recorder.load_config({})
cfg.plugins["ankigen-judge-recorder"] = recorder
build(cfg)
print(json.dumps({"docs_dir": cfg["docs_dir"], "pages": pages}))
"""

# A box marker in Markdown source: ``??? type "title"``, ``???+``, ``!!!``.
MARKER = re.compile(
    r"^(?P<indent>[ \t]*(?:(?:[-*+]|\d+[.)]|:)[ \t]+)?)(?P<mark>\?\?\?\+?|!!!)"
    r"[ \t]*(?P<classes>[\w-]+(?:[ \t]+[\w-]+)*)?"
    r"[ \t]*(?:\"(?P<title>.*)\")?[ \t]*$"
)
BLOCK_START = re.compile(
    r"^(?P<indent>[ \t]*)/{3,}[ \t]*(?P<name>[\w-]+)[ \t]*(?:\|[ \t]*(?P<title>.*))?$"
)
FENCE = re.compile(
    r"^(?P<indent>[ \t]*(?:(?:[-*+]|\d+[.)]|>)[ \t]+)?)(?P<fence>`{3,}|~{3,})(?P<info>.*)$"
)
BLOCK_TYPE = re.compile(r"^[ \t]*type:[ \t]*(?P<type>[\w-]+)")
HTML_DETAILS = re.compile(r"<details\b(?P<attrs>[^>]*)>", re.IGNORECASE)
HTML_CLASS = re.compile(r"""class\s*=\s*["']?(?P<cls>[^"'>]*)""", re.IGNORECASE)
HTML_SUMMARY = re.compile(r"<summary\b[^>]*>(?P<title>.*?)(?:</summary>|$)", re.IGNORECASE)
# pymdownx.blocks that are not boxes; any other ``/// name`` is an admonition of type name
# (sites register their own: ``/// question``), or ``/// details`` / ``/// admonition``.
OTHER_BLOCKS = {"tab", "html", "caption", "figure-caption", "table-caption", "define", "attr"}
LINK_TARGET = re.compile(r"\](?:\[[^\]]*\]|\([^)]*\))")
NON_TYPE_CLASSES = {"inline", "end", "admonition", "open"}


@dataclass(frozen=True)
class Marker:
    """A box marker found in a page's Markdown source."""

    line: int
    kind: str  # "details" (collapsible) or "admonition" (always open)
    type: str
    title: str | None


@dataclass
class Box:
    """A box the built site shows."""

    page: str
    kind: str
    type: str
    classes: list[str]
    summary: str
    body: str
    line: int | None = None
    status: str = ""  # carded, explained, lost (card types only)
    card: int | None = None
    diagnostics: list[str] = field(default_factory=list)


@dataclass
class Card:
    """A note ankigen wrote."""

    page: str
    line: int
    question: str
    answer: str
    links: str
    box: int | None = None


@dataclass
class Comparison:
    """One carded box: the card's texts against the site's."""

    page: str
    line: int | None
    question_equal: bool
    answer_equal: bool
    answer_links_equal: bool
    site_summary: str
    card_question: str
    site_body: str
    card_answer: str
    card_links: str
    first_difference: str


def norm(text: str) -> str:
    """Whitespace collapsed, NFC, stripped: how two texts are compared."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def same(site: str, ours: str) -> bool:
    """Equal up to whitespace: ``get_text`` puts a space between any two elements, so a
    link followed by a full stop reads ``#5 .`` on one side and ``#5.`` on the other."""
    return "".join(site.split()) == "".join(ours.split())


def html_text(fragment: str) -> str:
    return norm(BeautifulSoup(fragment, "html.parser").get_text(" "))


def title_key(text: str) -> str:
    """Letters and digits only, case folded: a Markdown title against its rendered text."""
    text = LINK_TARGET.sub("]", text)  # [text][ref] and [text](url) read as text
    return "".join(ch for ch in html.unescape(text).casefold() if ch.isalnum())


# ---------------------------------------------------------------- the site's side


def find_markers(source: str) -> list[Marker]:
    """Every box marker in a page's Markdown, in order, outside fenced code."""
    markers: list[Marker] = []
    lines = source.splitlines()
    fence: str | None = None  # the opening fence of the code block we are in
    fence_indent = 0
    for index, text in enumerate(lines):
        number = index + 1
        opened = FENCE.match(text)
        if fence is not None:
            closes = opened and opened["fence"].startswith(fence) and not opened["info"].strip()
            if closes and opened and len(opened["indent"]) < fence_indent + 4:
                fence = None
            continue
        if opened:
            fence, fence_indent = opened["fence"], len(opened["indent"])
            continue
        match = MARKER.match(text)
        if match and match["classes"]:
            kind = "admonition" if match["mark"] == "!!!" else "details"
            markers.append(
                Marker(number, kind, match["classes"].split()[0].lower(), match["title"])
            )
            continue
        block = BLOCK_START.match(text)
        if block and block["name"].lower() not in OTHER_BLOCKS:
            name = block["name"].lower()
            kind = "details" if name == "details" else "admonition"
            box_type = name if name not in {"admonition", "details"} else ""
            for option in lines[index + 1 : index + 6]:
                typed = BLOCK_TYPE.match(option)
                if typed:
                    box_type = typed["type"].lower()
                    break
                if not option.strip():
                    break
            box_type = box_type or ("details" if kind == "details" else "note")
            markers.append(Marker(number, kind, box_type, block["title"]))
            continue
        for details in HTML_DETAILS.finditer(text):
            classes = HTML_CLASS.search(details["attrs"])
            names = classes["cls"].split() if classes else []
            box_type = next((c.lower() for c in names if c.lower() not in NON_TYPE_CLASSES), "")
            rest = text[details.end() :] + " " + " ".join(lines[index + 1 : index + 3])
            summary = HTML_SUMMARY.search(rest)
            title = html_text(summary["title"]) if summary else None
            markers.append(Marker(number, "details", box_type, title))
    return markers


def box_type(kind: str, classes: list[str]) -> str:
    names = [c.lower() for c in classes if c.lower() not in NON_TYPE_CLASSES]
    return names[0] if names else ("details" if kind == "details" else "note")


def boxes_of_page(page: str, page_html: str) -> list[Box]:
    soup = BeautifulSoup(page_html, "html.parser")
    content = soup.select_one("article") or soup.select_one(".md-content") or soup
    boxes: list[Box] = []
    for element in content.find_all(["details", "div"]):
        if not isinstance(element, Tag):
            continue
        classes = [str(c) for c in element.get("class") or []]
        if element.name == "div" and "admonition" not in classes:
            continue
        kind = "details" if element.name == "details" else "admonition"
        title_tag = element.find("summary" if kind == "details" else "p", recursive=False)
        if kind == "admonition" and not (
            isinstance(title_tag, Tag) and "admonition-title" in (title_tag.get("class") or [])
        ):
            title_tag = None
        summary = norm(title_tag.get_text(" ")) if isinstance(title_tag, Tag) else ""
        body_parts = [
            child for child in element.children if child is not title_tag and str(child).strip()
        ]
        body = html_text("".join(str(child) for child in body_parts))
        boxes.append(Box(page, kind, box_type(kind, classes), classes, summary, body))
    return boxes


def locate(boxes: list[Box], markers: list[Marker]) -> None:
    """Give each box the line of its marker: in order, same kind and type, title first."""
    used: set[int] = set()
    for box in boxes:
        wanted = title_key(box.summary)

        def fits(marker: Marker, box: Box = box) -> bool:
            return marker.kind == box.kind and marker.type == box.type

        candidates = [i for i, m in enumerate(markers) if i not in used and fits(m)]
        exact = [
            i
            for i in candidates
            if markers[i].title is not None and title_key(markers[i].title or "") == wanted
        ]
        untitled = [i for i in candidates if not markers[i].title]
        pick = exact[0] if exact else (untitled[0] if untitled and not wanted.strip() else None)
        if pick is None and untitled and title_key(box.type) == wanted:
            pick = untitled[0]
        if pick is None:
            loose = [
                i for i in candidates if wanted and wanted in title_key(markers[i].title or "")
            ]
            pick = loose[0] if loose else None
        if pick is not None:
            used.add(pick)
            box.line = markers[pick].line


def build_site(
    site: Path, config: str, mkdocs_python: str, out: Path
) -> tuple[list[Box], str, int, dict[str, Any]]:
    """Build the site with mkdocs; return its boxes, mkdocs' stderr tail, exit code, pages."""
    run = subprocess.run(
        [mkdocs_python, "-P", "-c", MKDOCS_DRIVER, str(site / config), str(out), str(site)],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0 or not run.stdout.strip():
        return [], run.stderr[-3000:], run.returncode or 1, {}
    built = json.loads(run.stdout.strip().splitlines()[-1])
    boxes: list[Box] = []
    for page in built["pages"]:
        target = out / page["dest"]
        if not target.is_file() or not page["src"].endswith((".md", ".markdown")):
            continue
        page_boxes = boxes_of_page(
            page["src"], target.read_text(encoding="utf-8", errors="replace")
        )
        source = Path(page["abs_src"]).read_text(encoding="utf-8", errors="replace")
        locate(page_boxes, find_markers(source))
        boxes.extend(page_boxes)
    warnings = "\n".join(
        line for line in run.stderr.splitlines() if "WARNING" in line or "ERROR" in line
    )
    return boxes, warnings[-3000:], 0, built


# ---------------------------------------------------------------- ankigen's side


def read_cards(apkg: Path, report: Path) -> list[Card]:
    notes = json.loads(report.read_text(encoding="utf-8"))["notes"]
    where = {note["guid"]: (note["page"], note["line"]) for note in notes}
    cards: list[Card] = []
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(apkg) as package:
        name = next(n for n in package.namelist() if n.startswith("collection.anki"))
        package.extract(name, scratch)
        db = sqlite3.connect(Path(scratch, name))
        try:
            rows = db.execute("select guid, flds from notes order by id").fetchall()
        finally:
            db.close()
    for guid, flds in rows:
        if guid not in where:
            continue  # a removed note (tombstone) from an earlier build: none here
        question, answer, links, _source = [*flds.split("\x1f"), "", "", ""][:4]
        if not question:
            continue
        page, line = where[guid]
        cards.append(Card(page, int(line), question, answer, links))
    cards.sort(key=lambda c: (c.page, c.line))
    return cards


def run_ankigen(
    site: Path, config: str, python: str, out: Path, types: Sequence[str]
) -> tuple[int, list[dict[str, Any]], list[Card], str]:
    command = [python, "-m", "ankigen", "build", config, "--format", "json", "-o", str(out)]
    command += ["--no-cache", "--types", ",".join(types)]
    env = dict(os.environ, ANKIGEN_NO_CACHE="1", ANKIGEN_CACHE_DIR=str(out / "cache"))
    run = subprocess.run(command, cwd=site, capture_output=True, text=True, check=False, env=env)
    try:
        data = json.loads(run.stdout)
    except json.JSONDecodeError:
        return run.returncode, [], [], (run.stdout + run.stderr)[-3000:]
    diagnostics: list[dict[str, Any]] = list(data.get("diagnostics", []))
    cards: list[Card] = []
    output = data.get("output")
    if run.returncode == 0 and output:
        apkg = Path(output)
        report = apkg.with_name(apkg.stem + ".report.json")
        if apkg.is_file() and report.is_file():
            cards = read_cards(apkg, report)
    return run.returncode, diagnostics, cards, run.stderr[-3000:]


def page_of(path: str, site: Path, docs_dir: Path) -> str:
    """A diagnostic's path, as a page path relative to docs_dir (as the report names pages)."""
    full = (site / path).resolve()
    try:
        return full.relative_to(docs_dir.resolve()).as_posix()
    except ValueError:
        return path


# ---------------------------------------------------------------- the comparison


def _at(text: str, kept: int) -> int:
    """Where the character after the first ``kept`` non-space characters of ``text`` is."""
    seen = 0
    for index, char in enumerate(text):
        if not char.isspace():
            if seen == kept:
                return index
            seen += 1
    return len(text)


def first_difference(site: str, ours: str, width: int = 60) -> str:
    """Both texts around their first difference, whitespace aside."""
    bare_site, bare_ours = "".join(site.split()), "".join(ours.split())
    pairs = zip(bare_site, bare_ours, strict=False)
    at = next((i for i, (a, b) in enumerate(pairs) if a != b), None)
    if at is None:
        at = min(len(bare_site), len(bare_ours))
    in_site, in_ours = _at(site, at), _at(ours, at)
    shown_site = site[max(0, in_site - width // 2) : in_site + width]
    shown_ours = ours[max(0, in_ours - width // 2) : in_ours + width]
    return f"@{in_site}: site {shown_site!r} | card {shown_ours!r}"


def answer_with_links(site: str, answer: str, links: str) -> bool:
    if not links:
        return same(site, answer)
    site, answer, links = ("".join(t.split()) for t in (site, answer, links))
    if not (site.startswith(answer) and site.endswith(links)) or len(answer) + len(links) > len(
        site
    ):
        return False
    middle = site[len(answer) : len(site) - len(links)].strip()
    return middle == "" or (middle.endswith(":") and len(middle) <= 40)


def compare(box: Box, card: Card) -> Comparison:
    question = html_text(card.question)
    answer = html_text(card.answer)
    links = html_text(card.links)
    answer_equal = same(box.body, answer)
    links_equal = answer_equal or answer_with_links(box.body, answer, links)
    question_equal = same(box.summary, question)
    if not question_equal:
        diff = "question " + first_difference(box.summary, question)
    elif not links_equal:
        diff = "answer " + first_difference(box.body, answer)
    else:
        diff = ""
    return Comparison(
        box.page, box.line, question_equal, answer_equal, links_equal,
        box.summary, question, box.body, answer, links, diff,
    )  # fmt: skip


def judge(
    boxes: list[Box],
    cards: list[Card],
    diagnostics: list[dict[str, Any]],
    types: Sequence[str],
    dropped: Sequence[str] = (),
) -> tuple[list[Box], list[Card], list[Comparison]]:
    """Match cards and diagnostics to the site's boxes of card types."""
    wanted = {t.casefold() for t in types}
    judged = [box for box in boxes if box.type.casefold() in wanted]
    by_place: dict[tuple[str, int], int] = {(c.page, c.line): i for i, c in enumerate(cards)}
    said: dict[tuple[str, int], list[str]] = {}
    for diagnostic in diagnostics:
        said.setdefault((diagnostic["page"], diagnostic["line"]), []).append(
            f"{diagnostic['severity']}: {diagnostic['message']}"
        )
    for box in judged:  # first every box whose line is known
        if box.line is not None and (box.page, box.line) in by_place:
            index = by_place[(box.page, box.line)]
            if cards[index].box is None:
                cards[index].box = id(box)
                box.card = index
    for box in judged:  # then by question text, same page
        if box.card is not None:
            continue
        for index, card in enumerate(cards):
            if (
                card.box is None
                and card.page == box.page
                and html_text(card.question) == box.summary
            ):
                card.box = id(box)
                box.card = index
                break
    comparisons: list[Comparison] = []
    for box in judged:
        if box.line is not None:
            box.diagnostics = said.get((box.page, box.line), [])
        if box.card is not None:
            box.status = "carded"
            comparisons.append(compare(box, cards[box.card]))
        elif box.diagnostics:
            box.status = "explained"
        elif box.page in dropped:
            box.status = "dropped"
        else:
            box.status = "lost"
    return judged, [c for c in cards if c.box is None], comparisons


def message_class(message: str) -> str:
    """A diagnostic's message with its quoted parts elided, to count messages by kind."""
    return re.sub(r"['\"`].*?['\"`]", "…", message)[:90]


def copy_site(site: Path, into: Path) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in IGNORED_DIRS and Path(folder, n).is_dir()}

    target = into / site.resolve().name
    shutil.copytree(site, target, ignore=ignore, symlinks=True)
    return target


@dataclass
class Measured:
    """Everything one run measured, before it is summarized."""

    site: str
    types: list[str]
    pages: int
    mkdocs_exit: int
    mkdocs_log: str
    ankigen_exit: int
    ankigen_log: str
    boxes: list[Box]
    cards: list[Card]
    diagnostics: list[dict[str, Any]]
    ankigen_first_exit: int  # before any page was dropped
    dropped_pages: list[str]


def measure(args: argparse.Namespace) -> Measured:
    site_in = Path(args.site)
    with tempfile.TemporaryDirectory(prefix="judge-") as scratch_name:
        scratch = Path(scratch_name)
        site = copy_site(site_in, scratch / "copy")
        boxes, mkdocs_log, mkdocs_rc, built = build_site(
            site, args.config, args.mkdocs, scratch / "html"
        )
        if args.types in ("auto", "all"):
            kinds = ("details",) if args.types == "auto" else ("details", "admonition")
            types = sorted({b.type for b in boxes if b.kind in kinds}) or list(DEFAULT_TYPES)
        else:
            types = [t.strip() for t in args.types.split(",") if t.strip()]
        docs_dir = Path(built.get("docs_dir") or site / "docs")
        first_rc: int | None = None
        diagnostics: list[dict[str, Any]] = []
        cards: list[Card] = []
        ankigen_log = ""
        dropped: list[str] = []
        rc = 0
        for attempt in range(args.retries + 1):
            rc, said, cards, ankigen_log = run_ankigen(
                site, args.config, args.ankigen, scratch / f"out{attempt}", types
            )
            first_rc = rc if first_rc is None else first_rc
            for diagnostic in said:
                diagnostic["page"] = page_of(str(diagnostic.get("path", "")), site, docs_dir)
                if diagnostic not in diagnostics:
                    diagnostics.append(diagnostic)
            # An error anywhere makes ankigen write nothing: to measure the other pages, the
            # pages holding an error are taken out of the copy and ankigen runs again.
            failing = {d["page"] for d in said if d["severity"] == "error"}
            failing = {page for page in failing if (docs_dir / page).is_file()}
            if rc != 1 or not failing:
                break
            for page in sorted(failing):
                (docs_dir / page).unlink()
                dropped.append(page)
    return Measured(
        site_in.resolve().name, types, len(built.get("pages", [])), mkdocs_rc, mkdocs_log,
        rc, ankigen_log, boxes, cards, diagnostics, first_rc or 0, dropped,
    )  # fmt: skip


def summarize(run: Measured) -> dict[str, Any]:
    boxes, cards, diagnostics, types = run.boxes, run.cards, run.diagnostics, run.types
    judged, extra, comparisons = judge(boxes, cards, diagnostics, types, run.dropped_pages)
    status = Counter(box.status for box in judged)
    return {
        "site": run.site,
        "types": types,
        "mkdocs_exit": run.mkdocs_exit,
        "mkdocs_log": run.mkdocs_log,
        "pages": run.pages,
        "boxes_all": len(boxes),
        "boxes_collapsible": sum(b.kind == "details" for b in boxes),
        "boxes_by_type": dict(Counter(f"{b.kind}:{b.type}" for b in boxes).most_common()),
        "boxes": len(judged),
        "boxes_collapsible_of_types": sum(b.kind == "details" for b in judged),
        "boxes_without_line": sum(b.line is None for b in judged),
        "cards": len(cards),
        "carded": status["carded"],
        "explained": status["explained"],
        "lost": status["lost"],
        "extra_cards": len(extra),
        "ankigen_exit": run.ankigen_exit,
        "ankigen_first_exit": run.ankigen_first_exit,
        "dropped_pages": run.dropped_pages,
        "dropped": status["dropped"],
        "ankigen_log": run.ankigen_log,
        "diagnostics": len(diagnostics),
        "diagnostics_by_message": dict(
            Counter(
                re.sub(r"['\"`].*?['\"`]", "…", d["message"])[:90] for d in diagnostics
            ).most_common(15)
        ),
        "compared": len(comparisons),
        "question_mismatches": sum(not c.question_equal for c in comparisons),
        "answer_mismatches": sum(not c.answer_equal for c in comparisons),
        "answer_links_mismatches": sum(not c.answer_links_equal for c in comparisons),
        "judged_boxes": [asdict(b) for b in judged],
        "lost_boxes": [asdict(b) for b in judged if b.status == "lost"],
        "explained_boxes": [asdict(b) for b in judged if b.status == "explained"],
        "extra": [asdict(c) for c in extra],
        "mismatches": [asdict(c) for c in comparisons if c.first_difference],
        "diagnostic_list": diagnostics,
    }


def print_summary(result: dict[str, Any], sample: int) -> None:
    print(f"== {result['site']}  (types: {','.join(result['types'])})")
    if result["mkdocs_exit"]:
        print(f"  mkdocs build FAILED (exit {result['mkdocs_exit']}):\n{result['mkdocs_log']}")
    print(
        f"  pages {result['pages']}; boxes on the site: {result['boxes_all']} "
        f"({result['boxes_collapsible']} collapsible); of card types: {result['boxes']} "
        f"({result['boxes_without_line']} without a source line)"
    )
    print(
        f"  ankigen exit {result['ankigen_exit']}: cards {result['cards']}, "
        f"carded {result['carded']}, explained {result['explained']}, LOST {result['lost']}, "
        f"extra cards {result['extra_cards']}, "
        f"diagnostics {result['diagnostics']}"
    )
    if result["dropped_pages"]:
        print(
            f"  ankigen first exited {result['ankigen_first_exit']}; ran again without "
            f"{len(result['dropped_pages'])} page(s) holding errors: "
            f"{', '.join(result['dropped_pages'][:6])}; boxes only on those: {result['dropped']}"
        )
    print(
        f"  text: compared {result['compared']}, question differs {result['question_mismatches']}, "
        f"answer differs {result['answer_mismatches']} "
        f"(answer+links differs {result['answer_links_mismatches']})"
    )
    for box in result["lost_boxes"][:sample]:
        where = f"{box['page']}:{box['line']} {box['kind']}:{box['type']}"
        print(f"  LOST {where} {box['summary'][:70]!r}")
    for box in result["explained_boxes"][:sample]:
        print(f"  explained {box['page']}:{box['line']} {box['diagnostics'][0][:110]}")
    for card in result["extra"][:sample]:
        print(f"  extra card {card['page']}:{card['line']} {html_text(card['question'])[:70]!r}")
    for mismatch in result["mismatches"][:sample]:
        print(
            f"  differs {mismatch['page']}:{mismatch['line']} {mismatch['first_difference'][:220]}"
        )
    if result["ankigen_exit"] not in (0, 1):
        print(f"  ankigen output:\n{result['ankigen_log']}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("site", help="folder holding the site's mkdocs.yml")
    parser.add_argument("--ankigen", required=True, help="Python interpreter with ankigen")
    parser.add_argument("--mkdocs", default=sys.executable, help="Python interpreter with mkdocs")
    parser.add_argument("--config", default="mkdocs.yml", help="config file name in SITE")
    parser.add_argument(
        "--types",
        default=",".join(DEFAULT_TYPES),
        help="card types, comma-separated; 'auto': every type of a collapsible box on the site; "
        "'all': every type of any box on the site",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=3,
        help="runs of ankigen again without the pages its errors name (0: never)",
    )
    parser.add_argument("--json", help="write the full result here (default: print only)")
    parser.add_argument("--sample", type=int, default=5, help="examples printed per class")
    args = parser.parse_args(argv)
    for name in ("ankigen", "mkdocs"):  # both run in the site's copy: no relative paths
        if "/" in getattr(args, name):
            setattr(args, name, str(Path(getattr(args, name)).absolute()))
    result = summarize(measure(args))
    print_summary(result, args.sample)
    if args.json:
        Path(args.json).write_text(
            json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8"
        )
    return 0 if result["mkdocs_exit"] == 0 else 3


if __name__ == "__main__":
    sys.exit(main())
