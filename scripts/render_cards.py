"""Render an ankigen card in headless Chromium: front and back, light and night, as PNGs.

    .venv/bin/python scripts/render_cards.py [--out DIR] [--chromium PATH] [--reviewer]

The pipeline is the one a user goes through, with no shortcut:

1. build ``tests/fixtures/browser/card.md`` (one card: code, math, a table, an image) with
   ankigen in-process, in a throw-away project so the repository's lockfile is untouched;
2. import the .apkg into a fresh Anki collection with Anki desktop's default import
   options (the official ``anki`` package, installed with the ``test`` extras);
3. render the card with Anki itself (``card.question()`` / ``card.answer()``: the templates
   plus the note type CSS in a ``<style>``) and wrap each side the way the desktop reviewer
   does: ``<body class="card card1 isLin [nightMode night_mode]"><div id="qa">…</div>``
   (aqt's ``body_classes_for_card_ord`` and ``_showQuestion``); the media files the card
   uses are copied from the collection's media folder next to the pages;
4. load each page in Debian's ``chromium``, driven by Playwright (headless, a fresh
   profile, every request logged and any that is not a local file blocked) and write
   ``OUT/{front,back}-{light,night}.png``, 800 px wide and as tall as the card. The pages
   stay in ``OUT/pages/`` for opening in any browser.

It prints one line per screenshot (size, background, images loaded, what was requested)
and warns when the card shows an image that is not in the collection's media.
The reviewer's MathJax is not part of the card, so math shows as its TeX source there.
With ``--reviewer`` (Anki desktop installed: ``aqt``, a test extra) the same four sides are
also shown as the desktop reviewer shows them, with its reviewer CSS and its MathJax
typesetting the math (``render_reviewer``): ``OUT/reviewer-{front,back}-{light,night}.png``,
pages in ``OUT/reviewer/``.

Without Playwright the same screenshot is one command::

    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \\
        --disable-background-networking --disable-component-update --disable-sync \\
        --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size=800,900 \\
        --screenshot=front-light.png file://$PWD/build/screenshots/pages/front-light.html

``tests/test_browser.py`` runs this pipeline and asserts on what Chromium loaded.
``launch_chromium`` and ``open_page`` are the pieces other browser tests reuse: one
browser, and for each page its own context with a viewport, a light or dark color
scheme, and a network log with everything that is not local blocked.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import unquote, urlsplit

# anki.cards imports anki.collection circularly: anki.collection must load first.
import anki.collection  # noqa: F401

# isort: split

from anki.cards import CardId
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition
from bs4 import BeautifulSoup
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    WebSocketRoute,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Request as PlaywrightRequest

from ankigen.cli.commands import main as ankigen_main
from ankigen.output.preview import (
    AnkiWeb,
    copy_anki_web,
    find_anki_web,
    mathjax_tags,
    reviewer_css_tag,
)

__all__ = [
    "CHROMIUM_FLAGS",
    "FIXTURE",
    "BrowserError",
    "ImageState",
    "LivePage",
    "NetworkLog",
    "RenderedCard",
    "Report",
    "Request",
    "Shot",
    "Style",
    "Visit",
    "build_deck",
    "contrast",
    "find_chromium",
    "is_local",
    "launch_chromium",
    "luminance",
    "main",
    "open_page",
    "page_html",
    "png_size",
    "render_all",
    "render_card",
    "render_reviewer",
    "reviewer_page_html",
    "running_as_root",
    "visit",
    "write_pages",
    "write_reviewer_pages",
]

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "browser"
DEFAULT_OUT = REPO / "build" / "screenshots"
DECK = "Browser Fixture"

Side = Literal["front", "back"]
Theme = Literal["light", "night"]
SIDES: tuple[Side, ...] = ("front", "back")
THEMES: tuple[Theme, ...] = ("light", "night")
WIDTH, HEIGHT = 800, 900

# Offline: without the background-networking flags Chromium calls Google hosts, and no host
# resolves, IP addresses included, so even a connection no route sees (a preconnect) fails.
# Playwright adds headless mode, a fresh profile and --no-sandbox (as root); several of these
# are among its own defaults too, repeated so as not to depend on them.
CHROMIUM_FLAGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
)

# Anki desktop's desktop body classes on Linux; night mode adds two classes (aqt/theme.py).
_BODY_CLASSES = "card card1 isLin"
_NIGHT_CLASSES = "nightMode night_mode"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# Build and render with Anki
##########################################################################


@dataclass(frozen=True)
class RenderedCard:
    """One card as Anki renders it, and the media files its HTML refers to."""

    question: str  # card.question(): <style>note type CSS</style> + front template
    answer: str  # card.answer(): <style>…</style> + back template
    media: dict[str, bytes]  # referenced files found in the collection's media folder
    missing: tuple[str, ...]  # referenced local files that are not in the collection

    def side(self, side: Side) -> str:
        return self.question if side == "front" else self.answer


def build_deck(fixture: Path, work: Path) -> Path:
    """Build the fixture page(s) with ankigen in a throw-away project under ``work``.

    The project gets its own ``ankigen.toml`` and ``.git`` so config discovery stops there
    and the repository's lockfile is never read or written.
    """
    project = work / "project"
    source = project / "source"
    shutil.copytree(fixture, source)
    (project / ".git").mkdir()
    (project / "ankigen.toml").write_text(f'deck = "{DECK}"\n', encoding="utf-8")
    apkg = project / "build" / "deck.apkg"
    status = ankigen_main(["build", str(source), "-o", str(apkg)], env={})
    if status != 0 or not apkg.is_file():
        raise RuntimeError(f"ankigen build of {fixture} failed with exit status {status}")
    return apkg


def _import_options() -> ImportAnkiPackageOptions:
    """Anki desktop's import dialog defaults (see tests/anki_harness.py)."""
    if_newer = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
    return ImportAnkiPackageOptions(
        merge_notetypes=False,
        with_scheduling=False,
        with_deck_configs=False,
        update_notes=if_newer,
        update_notetypes=if_newer,
    )


def _local_sources(html: str) -> list[str]:
    """The ``src`` of every image that names a file (not a URL, not data:), in order."""
    sources: list[str] = []
    for img in BeautifulSoup(html, "html.parser").find_all("img"):
        src = img.get("src")
        if not isinstance(src, str) or not src:
            continue
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or src.startswith("/"):
            continue
        if src not in sources:
            sources.append(src)
    return sources


def render_card(apkg: Path, work: Path) -> RenderedCard:
    """Import ``apkg`` into a fresh collection under ``work``; render its only card."""
    col = Collection(str(work / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(apkg.resolve()), options=_import_options()
        )
        col.import_anki_package(request)
        card_ids = list(col.find_cards(""))
        if len(card_ids) != 1:
            raise RuntimeError(f"expected one card in {apkg}, found {len(card_ids)}")
        card = col.get_card(CardId(card_ids[0]))
        question = card.question(reload=True)
        answer = card.answer()
        media_dir = Path(col.media.dir())
        media: dict[str, bytes] = {}
        missing: list[str] = []
        for src in _local_sources(question + answer):
            name = unquote(src)
            path = media_dir / name
            if "/" not in name and path.is_file():
                media[name] = path.read_bytes()
            else:
                missing.append(name)
    finally:
        col.close()
    return RenderedCard(question, answer, media, tuple(missing))


def page_html(card_html: str, *, night: bool, title: str) -> str:
    """A standalone page showing ``card_html`` the way Anki desktop's reviewer does.

    The reviewer puts the card classes (and ``nightMode night_mode`` in night mode) on
    ``<body>`` and the rendered side inside ``<div id="qa">``. Nothing else is added:
    every style on the page is the card's own ``<style>``.
    """
    classes = f"{_BODY_CLASSES} {_NIGHT_CLASSES}" if night else _BODY_CLASSES
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        '<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        "</head>\n"
        f'<body class="{classes}">\n'
        f'<div id="qa">{card_html}</div>\n'
        "</body>\n</html>\n"
    )


def write_pages(card: RenderedCard, folder: Path) -> dict[str, Path]:
    """Write ``{side}-{theme}.html`` and the card's media into ``folder``; name → page."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in card.media.items():
        (folder / name).write_bytes(data)
    pages: dict[str, Path] = {}
    for side in SIDES:
        for theme in THEMES:
            name = f"{side}-{theme}"
            page = folder / f"{name}.html"
            html = page_html(card.side(side), night=theme == "night", title=f"{side} ({theme})")
            page.write_text(html, encoding="utf-8")
            pages[name] = page
    return pages


ANKI_WEB = "_anki"  # Anki desktop's web files, copied beside the reviewer pages
MATH_DONE = "document.body.dataset.math !== undefined"  # set once MathJax has typeset


def reviewer_page_html(card_html: str, *, night: bool, title: str) -> str:
    """``page_html`` plus what the desktop reviewer adds around a card: its reviewer CSS
    and its MathJax, configured as Anki configures it (``ankigen.output.preview``)."""
    page = page_html(card_html, night=night, title=title)
    page = page.replace("</head>", f"{reviewer_css_tag(ANKI_WEB)}\n</head>", 1)
    return page.replace("</body>", f"{mathjax_tags(ANKI_WEB)}\n</body>", 1)


def write_reviewer_pages(card: RenderedCard, folder: Path, anki: AnkiWeb) -> dict[str, Path]:
    """``write_pages`` as the reviewer shows them, with Anki's web files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in card.media.items():
        (folder / name).write_bytes(data)
    copy_anki_web(anki, folder / ANKI_WEB)
    pages: dict[str, Path] = {}
    for side in SIDES:
        for theme in THEMES:
            name = f"{side}-{theme}"
            page = folder / f"{name}.html"
            html = reviewer_page_html(
                card.side(side), night=theme == "night", title=f"{side} ({theme})"
            )
            page.write_text(html, encoding="utf-8")
            pages[name] = page
    return pages


# Chromium, driven by Playwright
##########################################################################


class BrowserError(RuntimeError):
    """Chromium showed something other than the page, or the page answered in another shape."""


def find_chromium() -> str | None:
    """Debian's ``chromium`` (or ``chromium-browser``) on PATH, else None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def running_as_root() -> bool:
    """Chromium's sandbox will not start as root; everywhere else it stays on."""
    return sys.platform != "win32" and os.geteuid() == 0


@contextlib.contextmanager
def launch_chromium(binary: str, *, timeout: float = 30.0) -> Iterator[Browser]:
    """Headless Chromium from ``binary``, driven by Playwright, with a fresh profile.

    Playwright's driver ships inside its wheel and talks to Chromium over a pipe: no
    browser is downloaded, no port is opened. ``CHROMIUM_FLAGS`` keep Chromium itself off
    the network; :func:`open_page` keeps the pages off it. Playwright gives each launch a
    new temporary profile and deletes it on close.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=binary,
            headless=True,
            args=list(CHROMIUM_FLAGS),
            chromium_sandbox=not running_as_root(),
            timeout=timeout * 1000,
        )
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    """A URL served without a network: a file on this machine, inline data, a blob, about:."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return parts.netloc in ("", "localhost")
    return parts.scheme in ("data", "blob", "about")


@dataclass(frozen=True)
class Request:
    """A request a page sent (a WebSocket counts), and why it failed, if it did."""

    url: str
    error: str | None  # Chromium's net::ERR_… text, or "WebSocket refused"
    blocked: bool = False  # not local: stopped before it left the browser


class NetworkLog:
    """Every request a browser context sends, in order; the ones that are not local are
    aborted (HTTP, file:// on another host) or closed (WebSockets) before they leave."""

    def __init__(self, context: BrowserContext) -> None:
        self._sent: list[PlaywrightRequest | str] = []  # a str is a refused WebSocket
        self._blocked: set[str] = set()
        context.on("request", self._record)
        context.route(lambda url: not is_local(url), self._block)
        context.route_web_socket("**/*", self._refuse)

    def _record(self, request: PlaywrightRequest) -> None:
        self._sent.append(request)

    def _block(self, route: Route) -> None:
        self._blocked.add(route.request.url)
        route.abort("blockedbyclient")

    def _refuse(self, socket: WebSocketRoute) -> None:
        self._sent.append(socket.url)
        socket.close(code=1008, reason="offline")

    def requests(self) -> tuple[Request, ...]:
        return tuple(
            Request(sent, "WebSocket refused", blocked=True)
            if isinstance(sent, str)
            else Request(sent.url, sent.failure, blocked=sent.url in self._blocked)
            for sent in self._sent
        )


@dataclass(frozen=True)
class LivePage:
    page: Page
    log: NetworkLog


@contextlib.contextmanager
def open_page(
    browser: Browser,
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    theme: Theme = "light",
    timeout: float = 30.0,
) -> Iterator[LivePage]:
    """A new page in its own browser context: ``width`` x ``height`` CSS pixels at scale 1,
    ``prefers-color-scheme`` following ``theme``, no service workers, no downloads, every
    request logged and every one that is not local blocked (:class:`NetworkLog`)."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=1,
        color_scheme="dark" if theme == "night" else "light",
        service_workers="block",
        accept_downloads=False,
    )
    try:
        context.set_default_timeout(timeout * 1000)
        log = NetworkLog(context)
        yield LivePage(context.new_page(), log)
    finally:
        context.close()


@dataclass(frozen=True)
class ImageState:
    src: str  # the attribute as written
    url: str  # what it resolved to
    complete: bool
    width: int  # naturalWidth: 0 when the file could not be loaded or decoded


@dataclass(frozen=True)
class Style:
    """Computed ``color`` and ``background-color`` of an element, as ``rgb[a](…)``."""

    color: str
    background: str


@dataclass(frozen=True)
class Visit:
    """What Chromium did with one page."""

    url: str
    requests: tuple[Request, ...]
    images: tuple[ImageState, ...]
    stylesheets: tuple[str | None, ...]  # href of each style sheet; None = inline <style>
    body: Style
    code: Style | None  # the highlighted block (.highlight pre)
    tokens: dict[str, str]  # Pygments class → computed color of its first span
    height: int  # document height in CSS pixels
    png: bytes  # a screenshot WIDTH px wide, as tall as the document (at least HEIGHT)
    dom: str  # the live DOM, serialised after the load event


# Runs in the page after the load event: the facts a serialised DOM cannot show.
_PROBE = """async () => {
  await document.fonts.ready;
  const colors = (e) => e && [getComputedStyle(e).color, getComputedStyle(e).backgroundColor];
  return {
    url: location.href,
    height: document.documentElement.scrollHeight,
    body: colors(document.body),
    code: colors(document.querySelector(".highlight pre")),
    tokens: [...document.querySelectorAll(".highlight pre span[class]")].map(
      (span) => [span.className, getComputedStyle(span).color]),
    images: [...document.images].map(
      (img) => [img.getAttribute("src") || "", img.currentSrc || img.src, img.complete,
                img.naturalWidth]),
    stylesheets: [...document.styleSheets].map((sheet) => sheet.href),
  };
}"""


_T = TypeVar("_T")


def _check(value: object, kind: type[_T], what: str) -> _T:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BrowserError(f"expected {kind.__name__} for {what}, got {value!r}")
    return value


def _rows(value: object, what: str, width: int) -> list[list[object]]:
    rows = [_check(row, list, what) for row in _check(value, list, what)]
    if any(len(row) != width for row in rows):
        raise BrowserError(f"expected rows of {width} for {what}, got {value!r}")
    return rows


def _style(value: object) -> Style | None:
    if value is None:
        return None
    ((color, background),) = _rows([value], "colors", 2)
    return Style(_check(color, str, "color"), _check(background, str, "background-color"))


def visit(live: LivePage, page: Path, *, ready: str | None = None) -> Visit:
    """Load ``page`` in ``live``: what it requested, computed and showed, and a screenshot
    of the whole document. ``ready``: a script expression to wait for after the load event
    (e.g. MathJax done). The page stays loaded for more questions."""
    url = page.resolve().as_uri()
    since = len(live.log.requests())
    live.page.goto(url)  # waits for the load event; raises if the page itself fails
    if ready is not None:
        live.page.wait_for_function(ready)
    probe = _check(live.page.evaluate(_PROBE), dict, "the probe")
    if probe.get("url") != url:
        raise BrowserError(f"Chromium shows {probe.get('url')} instead of {url}")
    tokens: dict[str, str] = {}
    for name, color in _rows(probe.get("tokens"), "tokens", 2):
        tokens.setdefault(_check(name, str, "class"), _check(color, str, "color"))
    images = tuple(
        ImageState(
            _check(src, str, "src"), _check(at, str, "url"), done is True, _check(w, int, "width")
        )
        for src, at, done, w in _rows(probe.get("images"), "images", 4)
    )
    height = _check(probe.get("height"), int, "height")
    viewport = live.page.viewport_size
    # The whole document; a taller one costs a resize, which one that fits does not need.
    png = live.page.screenshot(full_page=viewport is None or height > viewport["height"])
    dom = live.page.content()
    return Visit(
        url=url,
        requests=live.log.requests()[since:],  # last: the screenshot may have loaded more
        images=images,
        stylesheets=tuple(
            href if isinstance(href, str) else None
            for href in _check(probe.get("stylesheets"), list, "style sheets")
        ),
        body=_style(probe.get("body")) or Style("", ""),
        code=_style(probe.get("code")),
        tokens=tokens,
        height=height,
        png=png,
        dom=dom,
    )


# Colors and PNGs
##########################################################################

_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)")


def luminance(css_color: str) -> float:
    """WCAG relative luminance of an opaque ``rgb(…)`` color (0 black … 1 white)."""
    match = _RGB.fullmatch(css_color.strip())
    if match is None:
        raise ValueError(f"not an rgb() color: {css_color!r}")
    if match.group(4) is not None and float(match.group(4)) < 1:
        raise ValueError(f"translucent color has no luminance of its own: {css_color!r}")

    def channel(value: str) -> float:
        c = float(value) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(match.group(i)) for i in (1, 2, 3))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two opaque colors (1 … 21; 4.5 is AA for body text)."""
    a, b = luminance(foreground), luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# The whole pipeline
##########################################################################


@dataclass(frozen=True)
class Shot:
    name: str  # "front-light", …
    side: Side
    theme: Theme
    page: Path  # the HTML page Chromium loaded
    png: Path
    visit: Visit
    live: LivePage  # the page, still open inside ``with render_all(…)``


@dataclass(frozen=True)
class Report:
    card: RenderedCard
    shots: tuple[Shot, ...]


@contextlib.contextmanager
def render_all(out: Path, browser: Browser, fixture: Path = FIXTURE) -> Iterator[Report]:
    """Build, import, render and screenshot the fixture card; PNGs go to ``out``.

    The four pages stay open in ``browser`` until the ``with`` block ends.
    """
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ankigen-render-") as tmp:
        work = Path(tmp)
        card = render_card(build_deck(fixture, work), work)
    pages_dir = out / "pages"
    shutil.rmtree(pages_dir, ignore_errors=True)
    pages = write_pages(card, pages_dir)
    shots: list[Shot] = []
    with contextlib.ExitStack() as stack:
        for side in SIDES:
            for theme in THEMES:
                name = f"{side}-{theme}"
                live = stack.enter_context(open_page(browser, theme=theme))
                seen = visit(live, pages[name])
                png = out / f"{name}.png"
                png.write_bytes(seen.png)
                shots.append(Shot(name, side, theme, pages[name], png, seen, live))
        yield Report(card, tuple(shots))


@contextlib.contextmanager
def render_reviewer(
    out: Path, browser: Browser, card: RenderedCard, anki: AnkiWeb
) -> Iterator[tuple[Shot, ...]]:
    """Screenshot ``card`` as the desktop reviewer shows it (its CSS, its MathJax) into
    ``out/reviewer-{side}-{theme}.png``; pages in ``out/reviewer/``, open until the end."""
    pages_dir = out / "reviewer"
    shutil.rmtree(pages_dir, ignore_errors=True)
    pages = write_reviewer_pages(card, pages_dir, anki)
    shots: list[Shot] = []
    with contextlib.ExitStack() as stack:
        for side in SIDES:
            for theme in THEMES:
                name = f"{side}-{theme}"
                live = stack.enter_context(open_page(browser, theme=theme))
                seen = visit(live, pages[name], ready=MATH_DONE)
                png = out / f"reviewer-{name}.png"
                png.write_bytes(seen.png)
                shots.append(Shot(name, side, theme, pages[name], png, seen, live))
        yield tuple(shots)


def _summary(shot: Shot) -> str:
    visit = shot.visit
    width, height = png_size(visit.png)
    loaded = sum(1 for image in visit.images if image.complete and image.width > 0)
    outside = [r.url for r in visit.requests if not r.url.startswith("file://")]
    failed = [f"{Path(urlsplit(r.url).path).name} ({r.error})" for r in visit.requests if r.error]
    parts = [
        f"{shot.png}  {width}x{height}",
        f"background {visit.body.background}",
        f"images {loaded}/{len(visit.images)} loaded",
        f"{len(visit.requests)} request(s), {len(outside)} outside file://",
    ]
    if failed:
        parts.append("failed: " + ", ".join(failed))
    return "  ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="render_cards.py",
        description="Screenshot the fixture card (front/back, light/night) in headless Chromium.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: build/screenshots")
    parser.add_argument("--chromium", help="the Chromium binary (default: chromium on PATH)")
    parser.add_argument(
        "--reviewer",
        action="store_true",
        help="also screenshot the sides as Anki desktop's reviewer shows them, with its CSS "
        "and its MathJax typesetting the math (needs aqt, a test extra): reviewer-*.png",
    )
    parser.add_argument("--fixture", type=Path, default=FIXTURE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    chromium: str | None = args.chromium or find_chromium()
    if chromium is None:
        sys.stderr.write(
            "render_cards: no chromium on PATH; install it (Debian: apt-get install chromium)"
            " or pass --chromium PATH\n"
        )
        return 2
    anki = find_anki_web() if args.reviewer else None
    if args.reviewer and anki is None:
        sys.stderr.write(
            "render_cards: --reviewer needs Anki desktop's web files: pip install -e '.[test]'"
            " (or pip install aqt)\n"
        )
        return 2
    try:
        with (
            launch_chromium(chromium) as browser,
            render_all(args.out, browser, args.fixture) as report,
        ):
            shots = report.shots
            if anki is not None:
                with render_reviewer(args.out, browser, report.card, anki) as reviewed:
                    shots += reviewed
    except (PlaywrightError, RuntimeError, OSError) as exc:
        sys.stderr.write(f"render_cards: {exc}\n")
        return 1
    for name in report.card.missing:
        sys.stderr.write(
            f"render_cards: warning: the card shows {name!r} but it is not in the collection's"
            " media (ankigen did not bundle it into the .apkg): the image is broken\n"
        )
    for shot in shots:
        sys.stdout.write(_summary(shot) + "\n")
    sys.stdout.write(f"pages: {shots[0].page.parent}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
