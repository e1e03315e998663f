"""The preview: every card of a build, front and back, light and night, in one HTML page.

``ankigen preview`` writes ``index.html`` into a folder of its own, with the images the
.apkg would hold under ``media/`` and, when Anki desktop (the ``aqt`` package) is installed,
its MathJax build, MathJax configuration and reviewer CSS under ``_anki/`` (the paths the
desktop reviewer serves them from), so math is typeset as Anki typesets it. Nothing on the
page comes from the network. The card sides are the note type's own templates filled with
the note's fields (:func:`render_template`, held to Anki's renderer by the tests), inside
the classes the desktop reviewer puts around a card (``card card1``, and ``nightMode
night_mode`` in night mode).
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import quote, unquote

from ankigen.errors import AnkigenError, Diagnostic, Severity
from ankigen.files import write_text_atomic
from ankigen.records import MediaFile, Note, NoteType, RenderedCard

__all__ = [
    "ANKI_FOLDER",
    "MEDIA_FOLDER",
    "AnkiWeb",
    "PreviewCard",
    "copy_anki_web",
    "find_anki_web",
    "mathjax_tags",
    "media_links",
    "preview_cards",
    "preview_html",
    "render_template",
    "reviewer_css_tag",
    "write_preview",
]

MEDIA_FOLDER = "media"
PREVIEW_MARK = ".ankigen-preview"  # in a folder the preview wrote: it may replace its files
ANKI_FOLDER = "_anki"  # where the reviewer's own files go, as Anki desktop serves them
# The files of Anki desktop's web folder (``_aqt/data/web``) the preview uses.
_ANKI_FILES = ("css/reviewer.css", "js/mathjax.js")
_MATHJAX = "js/vendor/mathjax"
_MATHJAX_ENTRY = "tex-chtml-full.js"


@dataclass(frozen=True)
class AnkiWeb:
    """Anki desktop's web folder: the reviewer's MathJax and CSS."""

    folder: Path  # .../site-packages/_aqt/data/web
    version: str  # of the aqt package


def find_anki_web() -> AnkiWeb | None:
    """Anki desktop's web folder when ``aqt`` is installed (without importing it: that
    would load Qt); None otherwise, or when it lacks a file the preview needs."""
    spec = find_spec("_aqt")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "data" / "web"
    needed = [*_ANKI_FILES, f"{_MATHJAX}/{_MATHJAX_ENTRY}"]
    if not all((folder / name).is_file() for name in needed):
        return None
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    try:
        found = version("aqt")
    except PackageNotFoundError:
        found = "unknown"
    return AnkiWeb(folder, found)


# Templates
##########################################################################

_TAG = re.compile(r"\{\{([#^/]?)([^{}]+?)\}\}")
_BLANK = re.compile(r"<br\s*/?>|</?div>|\s|&nbsp;", re.IGNORECASE)


def _nonempty(value: str) -> bool:
    """As Anki decides a section's field is present: more than whitespace and empty lines."""
    return bool(_BLANK.sub("", value))


def render_template(template: str, fields: Mapping[str, str]) -> str:
    """Fill a card template as Anki does for the constructs ankigen's templates use:
    ``{{Field}}``, ``{{#Field}}…{{/Field}}`` (shown when the field is not empty) and
    ``{{^Field}}…{{/Field}}`` (shown when it is). Field values are never read as template
    text. An unknown field or an unclosed section is a ValueError."""

    def field(name: str) -> str:
        try:
            return fields[name]
        except KeyError:
            raise ValueError(f"the template names an unknown field {name!r}") from None

    out: list[str] = []
    pos = 0
    while (match := _TAG.search(template, pos)) is not None:
        out.append(template[pos : match.start()])
        kind, name = match.group(1), match.group(2).strip()
        if not kind:
            out.append(field(name))
            pos = match.end()
            continue
        if kind == "/":
            raise ValueError(f"{{{{/{name}}}}} closes no section")
        close = "{{/" + match.group(2) + "}}"
        end = template.find(close, match.end())
        if end < 0:
            raise ValueError(f"section {name!r} is never closed")
        if _nonempty(field(name)) == (kind == "#"):
            out.append(render_template(template[match.end() : end], fields))
        pos = end + len(close)
    out.append(template[pos:])
    return "".join(out)


# Cards
##########################################################################


@dataclass(frozen=True)
class PreviewCard:
    """One card as the preview shows it."""

    deck: str
    location: str  # path:line of its marker, as diagnostics name the page
    front: str  # the front template, filled
    back: str  # the back template, filled
    status: str  # new, changed, unchanged, reworded, moved (against the lockfile)
    warnings: tuple[Diagnostic, ...] = ()
    media: tuple[MediaFile, ...] = ()


def preview_cards(
    notes: Iterable[Note],
    cards: Iterable[RenderedCard],
    shown: Mapping[str, str],
    diagnostics: Iterable[Diagnostic],
    notetype: NoteType,
) -> tuple[tuple[PreviewCard, ...], tuple[Diagnostic, ...]]:
    """The live notes of a build as preview cards, in the order new cards are due; and the
    diagnostics that belong to no card.

    A diagnostic belongs to a card when it points at the card's marker line, or when the
    card found it while rendering (a missing image in its answer, ...). ``shown`` maps a
    page (its path in the source) to the path diagnostics name it by.
    """
    live = sorted((note for note in notes if not note.is_tombstone), key=lambda n: n.due)
    by_place = {(card.page, card.line): card for card in cards}
    owner: dict[tuple[str, int | None] | tuple[str, int | None, str], int] = {}
    for number, note in enumerate(live):
        path = shown.get(note.page, note.page)
        owner[(path, note.line)] = number
        card = by_place.get((note.page, note.line))
        for problem in card.problems if card is not None else ():
            owner.setdefault((path, problem.line, problem.message), number)
    found: list[list[Diagnostic]] = [[] for _ in live]
    rest: list[Diagnostic] = []
    for diag in diagnostics:
        number_or_none = owner.get((diag.path, diag.line, diag.message))
        if number_or_none is None:
            number_or_none = owner.get((diag.path, diag.line))
        (rest if number_or_none is None else found[number_or_none]).append(diag)
    made: list[PreviewCard] = []
    for note, warnings in zip(live, found, strict=True):
        values = dict(zip(notetype.fields, note.fields, strict=True))
        made.append(
            PreviewCard(
                deck=note.deck,
                location=f"{shown.get(note.page, note.page)}:{note.line}",
                front=render_template(notetype.front, values),
                back=render_template(notetype.back, values),
                status=note.status,
                warnings=tuple(warnings),
                media=note.media,
            )
        )
    return tuple(made), tuple(rest)


_IMG_SRC = re.compile(r"(<img\b[^>]*?\bsrc=)([\"'])(.*?)\2", re.IGNORECASE | re.DOTALL)


def media_links(card_html: str, names: Iterable[str]) -> str:
    """``card_html`` with each image whose ``src`` is one of the deck's media ``names``
    pointing into the preview's media folder (Anki finds them in its media folder)."""
    known = set(names)
    if not known:
        return card_html

    def relink(match: re.Match[str]) -> str:
        start, quote_char, src = match.groups()
        name = unquote(html.unescape(src))
        if name not in known:
            return match.group(0)
        return f"{start}{quote_char}{MEDIA_FOLDER}/{quote(name)}{quote_char}"

    return _IMG_SRC.sub(relink, card_html)


# The page
##########################################################################

# The preview's own frame (classes apv-*); the cards inside keep the note type's CSS.
_FRAME_CSS = """
:root { color-scheme: light; }
body.nightMode { color-scheme: dark; }
body.apv { margin: 0; background: #eef1f4; color: #1f2328;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Arial, sans-serif; }
body.apv.nightMode { background: #010409; color: #e6edf3; }
.apv-bar { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; gap: 0.5em 1em;
  align-items: center; padding: 0.6em 1em; background: inherit; border-bottom: 1px solid #d0d7de; }
.nightMode .apv-bar { border-bottom-color: #30363d; }
.apv-bar h1 { font-size: 1.1em; margin: 0; flex: 1 1 12em; overflow-wrap: anywhere; }
.apv-bar button { font: inherit; margin: 0; padding: 0.3em 0.8em; cursor: pointer; }
.apv-main { max-width: 80em; margin: 0 auto; padding: 0.5em 1em 3em; }
.apv-note, .apv-problems { font-size: 0.9em; padding: 0.6em 0.9em; border-radius: 6px;
  background: #fff8c5; color: #3b2e00; overflow-wrap: anywhere; }
.nightMode .apv-note, .nightMode .apv-problems { background: #272115; color: #e3d3a6; }
.apv-toc { font-size: 0.9em; overflow-wrap: anywhere; }
.apv-toc a, .apv-deck h2 a { color: inherit; }
.apv-deck h2 { font-size: 1.05em; margin: 1.6em 0 0.6em; overflow-wrap: anywhere; }
.apv-card { margin: 0 0 1.2em; border: 1px solid #d0d7de; border-radius: 8px; overflow: hidden;
  background: #f6f8fa; }
.nightMode .apv-card { border-color: #30363d; background: #161b22; }
.apv-meta { display: flex; flex-wrap: wrap; gap: 0.2em 0.8em; padding: 0.4em 0.8em;
  font-size: 0.8em; color: #57606a; overflow-wrap: anywhere; }
.nightMode .apv-meta { color: #9198a1; }
.apv-location { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.apv-warnings { margin: 0; padding: 0.4em 0.8em 0.4em 2em; font-size: 0.85em;
  background: #fff8c5; color: #3b2e00; overflow-wrap: anywhere; }
.nightMode .apv-warnings { background: #272115; color: #e3d3a6; }
.apv-sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22em), 1fr));
  gap: 1px; background: #d0d7de; }
.nightMode .apv-sides { background: #30363d; }
.apv-side { min-width: 0; display: flex; flex-direction: column; }
.apv-label { font-size: 0.7em; text-transform: uppercase; letter-spacing: 0.05em;
  padding: 0.3em 0.8em; color: #57606a; background: #f6f8fa; }
.nightMode .apv-label { color: #9198a1; background: #161b22; }
.apv-side > .card { flex: 1; margin: 0; padding: 0.8em 0.6em; min-width: 0; overflow-x: auto;
  overflow-wrap: break-word; }
"""

_TOGGLE_JS = """
(function () {
  var body = document.body, button = document.getElementById("apv-theme");
  function show(night) {
    body.classList.toggle("nightMode", night);
    body.classList.toggle("night_mode", night);
    button.textContent = night ? "Light mode" : "Night mode";
    button.setAttribute("aria-pressed", night ? "true" : "false");
  }
  var asked = location.hash === "#night" ? true : location.hash === "#light" ? false : null;
  show(asked !== null ? asked : window.matchMedia("(prefers-color-scheme: dark)").matches);
  button.addEventListener("click", function () { show(!body.classList.contains("nightMode")); });
})();
"""

# Anki's reviewer configures MathJax (js/mathjax.js) with startup typesetting off and its
# files under /_anki/; the preview keeps that configuration, points the loader at the
# copy beside the page, and typesets once the page is there, as the reviewer does for
# each card. ``data-math`` on <body> says when it is done (or why it failed).
_MATHJAX_JS = """
window.MathJax.loader.paths.mathjax = new URL("%(path)s", document.baseURI).href;
window.addEventListener("load", function () {
  MathJax.startup.promise
    .then(function () { return MathJax.typesetPromise(); })
    .then(function () { document.body.dataset.math = "typeset"; },
          function (error) { document.body.dataset.math = "failed: " + error; });
});
"""


def reviewer_css_tag(folder: str) -> str:
    """The ``<link>`` to Anki desktop's reviewer CSS, copied to ``folder`` (a relative URL)."""
    return f'<link rel="stylesheet" href="{folder}/css/reviewer.css">'


def mathjax_tags(folder: str) -> str:
    """The scripts that typeset the page's math as the desktop reviewer does: Anki's MathJax
    configuration, the loader pointed at ``folder`` (a relative URL; the copy made by
    :func:`copy_anki_web`), Anki's MathJax build. Put them at the end of ``<body>``."""
    return (
        f'<script src="{folder}/js/mathjax.js"></script>\n'
        f"<script>{_MATHJAX_JS % {'path': f'{folder}/{_MATHJAX}'}}</script>\n"
        f'<script src="{folder}/{_MATHJAX}/{_MATHJAX_ENTRY}"></script>'
    )


def copy_anki_web(anki: AnkiWeb, dest: Path) -> None:
    """Copy the reviewer CSS, the MathJax configuration and the MathJax build (4 MB)."""
    for name in _ANKI_FILES:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(anki.folder / name, dest / name)
    shutil.copytree(anki.folder / _MATHJAX, dest / _MATHJAX)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _problem_list(diags: Sequence[Diagnostic], css: str) -> str:
    items = "".join(
        f"<li>{_e(d.location)}: {_e(str(d.severity))}: {_e(d.message)}"
        + (f"<br><small>hint: {_e(d.hint)}</small>" if d.hint else "")
        + "</li>"
        for d in diags
    )
    return f'<ul class="{css}">{items}</ul>'


def _card(card: PreviewCard, names: Iterable[str], number: int) -> str:
    warnings = _problem_list(card.warnings, "apv-warnings") if card.warnings else ""
    count = len(card.warnings)
    plural = "s" if count != 1 else ""
    flag = f'<span class="apv-flag">{count} warning{plural}</span>' if count else ""
    names = tuple(names)
    sides = "".join(
        f'<div class="apv-side apv-{side}"><div class="apv-label">{side}</div>'
        f'<div class="card card1">{media_links(content, names)}</div></div>'
        for side, content in (("front", card.front), ("back", card.back))
    )
    return (
        f'<article class="apv-card" id="card-{number}">'
        f'<div class="apv-meta"><span class="apv-location">{_e(card.location)}</span>'
        f'<span class="apv-status">{_e(card.status)}</span>{flag}</div>'
        f'{warnings}<div class="apv-sides">{sides}</div></article>\n'
    )


def _decks(cards: Sequence[PreviewCard]) -> dict[str, list[PreviewCard]]:
    decks: dict[str, list[PreviewCard]] = {}
    for card in cards:
        decks.setdefault(card.deck, []).append(card)
    return decks


def preview_html(
    title: str,
    cards: Sequence[PreviewCard],
    notetype: NoteType,
    *,
    anki: AnkiWeb | None,
    problems: Sequence[Diagnostic] = (),
    removed: int = 0,
) -> str:
    """The whole page. ``problems``: diagnostics that belong to no card (shown on top);
    ``removed``: notes the build keeps as removed (not shown, only counted)."""
    names = sorted({m.name for card in cards for m in card.media})
    decks = _decks(cards)
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} — ankigen preview</title>",
    ]
    if anki is not None:
        head.append(reviewer_css_tag(ANKI_FOLDER))
    head.append(f"<style>{_FRAME_CSS}</style>")
    head.append(f"<style>\n{notetype.css}\n</style>")
    notes: list[str] = []
    if anki is not None:
        notes.append(
            f"Math is typeset by Anki desktop's own MathJax and configuration (aqt {anki.version})."
        )
    else:
        notes.append(
            "Math is shown as the TeX that Anki will typeset. For typeset math here, install "
            "Anki desktop's web files: <code>pip install 'ankigen[preview]'</code>, then run "
            "<code>ankigen preview</code> again."
        )
    if removed:
        notes.append(
            f"{removed} removed question(s) are not shown: the deck keeps them as notes tagged "
            "<code>ankigen::removed</code> with an empty front."
        )
    warnings = sum(len(c.warnings) for c in cards) + sum(
        d.severity is Severity.WARNING for d in problems
    )
    summary = (
        f"{len(cards)} card(s) in {len(decks)} deck(s), {warnings} warning(s). "
        "Each card shows its page and line, its front and back with the note type's CSS."
    )
    toc = "".join(
        f'<li><a href="#deck-{i}">{_e(deck)}</a> ({len(group)})</li>'
        for i, (deck, group) in enumerate(decks.items(), 1)
    )
    body: list[str] = [
        '<header class="apv-bar">',
        f"<h1>{_e(title)}</h1>",
        '<button type="button" id="apv-theme" aria-pressed="false">Night mode</button>',
        "</header>",
        '<main class="apv-main">',
        f'<p class="apv-summary">{_e(summary)}</p>',
        f'<p class="apv-note apv-math">{" ".join(notes)}</p>',
    ]
    if problems:
        body.append(_problem_list(problems, "apv-problems"))
    body.append(f'<nav class="apv-toc"><ul>{toc}</ul></nav>')
    number = 0
    for i, (deck, group) in enumerate(decks.items(), 1):
        body.append(f'<section class="apv-deck" id="deck-{i}">')
        body.append(f'<h2><a href="#deck-{i}">{_e(deck)}</a></h2>')
        for card in group:
            number += 1
            body.append(_card(card, names, number))
        body.append("</section>")
    body.append("</main>")
    body.append(f"<script>{_TOGGLE_JS}</script>")
    if anki is not None:
        body.append(mathjax_tags(ANKI_FOLDER))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n'
        + "\n".join(head)
        + '\n</head>\n<body class="apv">\n'
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_preview(
    folder: Path, page: str, media: Iterable[MediaFile], anki: AnkiWeb | None
) -> Path:
    """Write ``folder/index.html``, the media under ``folder/media/`` and Anki's web files
    under ``folder/_anki/``; the two sub-folders are the preview's own and are replaced
    whole, so an image the deck no longer holds does not stay. The page is written last.

    ``folder`` must be new, empty, or a preview folder written before (it holds the
    ``.ankigen-preview`` mark): a folder with other files raises ``AnkigenError`` and
    nothing in it is touched.
    """
    mark = folder / PREVIEW_MARK
    if folder.is_dir() and not mark.is_file() and any(folder.iterdir()):
        raise AnkigenError(
            Diagnostic(
                str(folder),
                "not a preview folder: it holds files ankigen did not write",
                hint="pass a new or empty folder with -o DIR (the preview replaces its "
                "media/ and _anki/ folders)",
            )
        )
    folder.mkdir(parents=True, exist_ok=True)
    mark.write_text("written by `ankigen preview`: media/ and _anki/ are replaced\n", "utf-8")
    media_dir = folder / MEDIA_FOLDER
    shutil.rmtree(media_dir, ignore_errors=True)
    media_dir.mkdir()
    for item in {m.name: m for m in media}.values():
        shutil.copyfile(item.path, media_dir / item.name)
    anki_dir = folder / ANKI_FOLDER
    shutil.rmtree(anki_dir, ignore_errors=True)
    if anki is not None:
        copy_anki_web(anki, anki_dir)
    index = folder / "index.html"
    write_text_atomic(index, page)
    return index
