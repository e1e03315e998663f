"""Render an ankigen card in headless Chromium: front and back, light and night, as PNGs.

    .venv/bin/python scripts/render_cards.py [--out build/screenshots] [--chromium PATH]

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
4. load each page in Debian's ``chromium`` (headless, over the DevTools protocol on a
   pipe, no network) and write ``OUT/{front,back}-{light,night}.png``, 800 px wide and as
   tall as the card. The pages stay in ``OUT/pages/`` for opening in any browser.

It prints one line per screenshot (size, background, images loaded, what was requested)
and warns when the card shows an image that is not in the collection's media.
The reviewer's MathJax is not part of the card, so math shows as its TeX source.

Without the DevTools protocol the same screenshot is one command::

    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \\
        --disable-background-networking --disable-component-update --disable-sync \\
        --user-data-dir="$(mktemp -d)" --hide-scrollbars --window-size=800,900 \\
        --screenshot=front-light.png file://$PWD/build/screenshots/pages/front-light.html

``tests/test_browser.py`` runs this pipeline and asserts on what Chromium loaded.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Literal
from urllib.parse import unquote, urlsplit

# anki.cards imports anki.collection circularly: anki.collection must load first.
import anki.collection  # noqa: F401

# isort: split

from anki.cards import CardId
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition
from bs4 import BeautifulSoup

from ankigen.cli.commands import main as ankigen_main

__all__ = [
    "CHROMIUM_FLAGS",
    "FIXTURE",
    "Browser",
    "BrowserError",
    "ImageState",
    "RenderedCard",
    "Report",
    "Request",
    "Shot",
    "Style",
    "Visit",
    "build_deck",
    "chromium_command",
    "contrast",
    "dump_dom",
    "find_chromium",
    "luminance",
    "main",
    "page_html",
    "png_size",
    "render_all",
    "render_card",
    "write_pages",
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

# Headless and offline: without the background-networking flags Chromium calls Google hosts.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
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


# Chromium
##########################################################################


class BrowserError(RuntimeError):
    """Chromium failed, timed out, or answered the DevTools protocol with an error."""


def find_chromium() -> str | None:
    """Debian's ``chromium`` (or ``chromium-browser``) on PATH, else None."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_command(binary: str, profile: Path) -> list[str]:
    """Headless, offline Chromium with its own fresh profile folder."""
    return [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]


def dump_dom(binary: str, page: Path, *, timeout: float = 60.0) -> str:
    """``chromium --dump-dom``: the page's DOM serialised after it has loaded."""
    with tempfile.TemporaryDirectory(prefix="ankigen-chromium-") as profile:
        command = [*chromium_command(binary, Path(profile)), "--dump-dom", page.resolve().as_uri()]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise BrowserError(f"chromium --dump-dom {page} timed out") from exc
    if result.returncode != 0 or "<html" not in result.stdout:
        tail = "\n".join(result.stderr.splitlines()[-5:])
        raise BrowserError(f"chromium --dump-dom {page} failed ({result.returncode}):\n{tail}")
    return result.stdout


@dataclass(frozen=True)
class Request:
    """A resource Chromium asked for while loading a page, and why it failed (if it did)."""

    url: str
    error: str | None


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


# Runs in the page after the load event: the facts the DOM dump cannot show.
_PROBE = """(async () => {
  if (document.readyState !== "complete") {
    await new Promise((done) => addEventListener("load", done, { once: true }));
  }
  await document.fonts.ready;
  const style = (el) => {
    if (!el) return null;
    const s = getComputedStyle(el);
    return { color: s.color, background: s.backgroundColor };
  };
  const tokens = {};
  for (const span of document.querySelectorAll(".highlight pre span[class]")) {
    const name = span.className;
    if (!(name in tokens)) tokens[name] = getComputedStyle(span).color;
  }
  return JSON.stringify({
    url: location.href,
    height: document.documentElement.scrollHeight,
    body: style(document.body),
    code: style(document.querySelector(".highlight pre")),
    tokens,
    images: [...document.images].map((img) => ({
      src: img.getAttribute("src") || "",
      url: img.currentSrc || img.src,
      complete: img.complete,
      width: img.naturalWidth,
    })),
    stylesheets: [...document.styleSheets].map((sheet) => sheet.href),
  });
})()"""


def _dict(value: object, what: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise BrowserError(f"expected an object for {what}, got {value!r}")
    return {str(key): item for key, item in value.items()}


def _str(obj: dict[str, object], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise BrowserError(f"expected a string for {key!r}, got {value!r}")
    return value


def _int(obj: dict[str, object], key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BrowserError(f"expected an integer for {key!r}, got {value!r}")
    return value


def _list(obj: dict[str, object], key: str) -> list[object]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise BrowserError(f"expected a list for {key!r}, got {value!r}")
    return list(value)


def _style(value: object) -> Style | None:
    if value is None:
        return None
    obj = _dict(value, "style")
    return Style(color=_str(obj, "color"), background=_str(obj, "background"))


_TRAMPOLINE = (
    "import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); "
    "os.dup2(r, 3); os.dup2(w, 4); os.close(r); os.close(w); "
    "os.execvp(sys.argv[3], sys.argv[3:])"
)


def _high_fd(fd: int) -> int:
    """A duplicate of ``fd`` numbered 10 or more; ``fd`` itself is closed."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Browser:
    """One headless Chromium driven over the DevTools protocol on a pipe (no port, no
    network): ``with Browser(binary) as browser: visit = browser.visit(page)``."""

    def __init__(self, binary: str, *, timeout: float = 30.0) -> None:
        self.binary = binary
        self.timeout = timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._profile: Path | None = None
        self._stderr: IO[bytes] | None = None
        self._write_fd = -1
        self._read_fd = -1
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, object]] = []

    def __enter__(self) -> Browser:
        self._profile = Path(tempfile.mkdtemp(prefix="ankigen-chromium-"))
        self._stderr = tempfile.TemporaryFile()
        child_read, self._write_fd = os.pipe()
        self._read_fd, child_write = os.pipe()
        # --remote-debugging-pipe: Chromium reads commands on fd 3 and answers on fd 4.
        # A small Python trampoline puts the pipe ends there, then becomes Chromium.
        # The ends move above 9 first, so that moving one cannot overwrite the other.
        child_read, child_write = _high_fd(child_read), _high_fd(child_write)
        command = [
            sys.executable,
            "-I",
            "-c",
            _TRAMPOLINE,
            str(child_read),
            str(child_write),
            *chromium_command(self.binary, self._profile),
            "--remote-debugging-pipe",
            "about:blank",
        ]
        try:
            self._process = subprocess.Popen(
                command,
                pass_fds=(child_read, child_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
            )
        except BaseException:
            self._cleanup()
            raise
        finally:
            os.close(child_read)
            os.close(child_write)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(BrowserError, OSError):
                self._send("Browser.close")
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        for fd in (self._write_fd, self._read_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._write_fd = self._read_fd = -1
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    # The protocol: JSON messages separated by NUL bytes.

    def _failure(self, message: str) -> BrowserError:
        tail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").splitlines()
            tail = "\n".join(line for line in lines[-8:] if "dbus" not in line)
        return BrowserError(f"{message}\n{tail}".rstrip())

    def _send(self, method: str, params: dict[str, object] | None = None, **extra: str) -> int:
        if self._process is None or self._write_fd < 0:
            raise BrowserError("the browser is not running")
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}, **extra}
        data = json.dumps(message).encode("utf-8") + b"\0"
        while data:
            written = os.write(self._write_fd, data)
            data = data[written:]
        return self._next_id

    def _receive(self, deadline: float) -> dict[str, object]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._failure(f"chromium did not answer within {self.timeout:.0f} s")
            ready, _, _ = select.select([self._read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._read_fd, 1 << 20)
            if not chunk:
                raise self._failure("chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return _dict(json.loads(raw), "a DevTools message")

    def call(
        self, method: str, params: dict[str, object] | None = None, session: str | None = None
    ) -> dict[str, object]:
        """Send one command and wait for its result; events received meanwhile are kept."""
        extra = {"sessionId": session} if session else {}
        call_id = self._send(method, params, **extra)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(deadline)
            if message.get("id") != call_id:
                self._events.append(message)
                continue
            if "error" in message:
                raise self._failure(f"{method} failed: {message['error']}")
            return _dict(message.get("result", {}), method)

    def _wait_for(self, method: str, session: str, since: int) -> None:
        deadline = time.monotonic() + self.timeout
        seen = since
        while True:
            for event in self._events[seen:]:
                if event.get("method") == method and event.get("sessionId") == session:
                    return
            seen = len(self._events)
            self._events.append(self._receive(deadline))

    def _requests(self, session: str, since: int) -> tuple[Request, ...]:
        urls: dict[str, str] = {}
        errors: dict[str, str] = {}
        for event in self._events[since:]:
            if event.get("sessionId") != session:
                continue
            params = _dict(event.get("params", {}), "event params")
            if event.get("method") == "Network.requestWillBeSent":
                request = _dict(params.get("request"), "request")
                urls.setdefault(_str(params, "requestId"), _str(request, "url"))
            elif event.get("method") == "Network.loadingFailed":
                errors[_str(params, "requestId")] = _str(params, "errorText")
        return tuple(Request(url, errors.get(request_id)) for request_id, url in urls.items())

    def visit(self, page: Path) -> Visit:
        """Load ``page`` in a new tab, WIDTH x HEIGHT; record requests, probe, screenshot."""
        target = _str(self.call("Target.createTarget", {"url": "about:blank"}), "targetId")
        attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        session = _str(attached, "sessionId")
        try:
            self.call("Network.enable", session=session)
            self.call("Page.enable", session=session)
            metrics: dict[str, object] = {
                "width": WIDTH,
                "height": HEIGHT,
                "deviceScaleFactor": 1,
                "mobile": False,
            }
            self.call("Emulation.setDeviceMetricsOverride", metrics, session)
            since = len(self._events)
            navigated = self.call("Page.navigate", {"url": page.resolve().as_uri()}, session)
            if "errorText" in navigated:
                raise self._failure(f"cannot open {page}: {navigated['errorText']}")
            self._wait_for("Page.loadEventFired", session, since)
            evaluated = self.call(
                "Runtime.evaluate",
                {"expression": _PROBE, "awaitPromise": True, "returnByValue": True},
                session,
            )
            if "exceptionDetails" in evaluated:
                raise self._failure(f"probe failed in {page}: {evaluated['exceptionDetails']}")
            probe = _dict(json.loads(_str(_dict(evaluated["result"], "result"), "value")), "probe")
            if _str(probe, "url") != page.resolve().as_uri():
                raise self._failure(f"probed {_str(probe, 'url')} instead of {page}")
            height = _int(probe, "height")
            if height > HEIGHT:
                self.call(
                    "Emulation.setDeviceMetricsOverride", {**metrics, "height": height}, session
                )
            shot = self.call("Page.captureScreenshot", {"format": "png"}, session)
            png = base64.b64decode(_str(shot, "data"))
            requests = self._requests(session, since)
        finally:
            with contextlib.suppress(BrowserError, OSError):  # keep the first error
                self.call("Target.closeTarget", {"targetId": target})
            self._events.clear()
        tokens = _dict(probe.get("tokens", {}), "tokens")
        return Visit(
            url=_str(probe, "url"),
            requests=requests,
            images=tuple(
                ImageState(
                    src=_str(image, "src"),
                    url=_str(image, "url"),
                    complete=bool(image.get("complete")),
                    width=_int(image, "width"),
                )
                for image in (_dict(item, "image") for item in _list(probe, "images"))
            ),
            stylesheets=tuple(
                href if isinstance(href, str) else None for href in _list(probe, "stylesheets")
            ),
            body=_style(probe.get("body")) or Style("", ""),
            code=_style(probe.get("code")),
            tokens={name: str(color) for name, color in tokens.items()},
            height=height,
            png=png,
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


@dataclass(frozen=True)
class Report:
    card: RenderedCard
    shots: tuple[Shot, ...]


def render_all(out: Path, chromium: str, fixture: Path = FIXTURE) -> Report:
    """Build, import, render and screenshot the fixture card; PNGs go to ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ankigen-render-") as tmp:
        work = Path(tmp)
        card = render_card(build_deck(fixture, work), work)
    pages_dir = out / "pages"
    shutil.rmtree(pages_dir, ignore_errors=True)
    pages = write_pages(card, pages_dir)
    shots: list[Shot] = []
    with Browser(chromium) as browser:
        for side in SIDES:
            for theme in THEMES:
                name = f"{side}-{theme}"
                visit = browser.visit(pages[name])
                png = out / f"{name}.png"
                png.write_bytes(visit.png)
                shots.append(Shot(name, side, theme, pages[name], png, visit))
    return Report(card, tuple(shots))


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
    parser.add_argument("--fixture", type=Path, default=FIXTURE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    chromium: str | None = args.chromium or find_chromium()
    if chromium is None:
        sys.stderr.write(
            "render_cards: no chromium on PATH; install it (Debian: apt-get install chromium)"
            " or pass --chromium PATH\n"
        )
        return 2
    try:
        report = render_all(args.out, chromium, args.fixture)
    except (BrowserError, RuntimeError, OSError) as exc:
        sys.stderr.write(f"render_cards: {exc}\n")
        return 1
    for name in report.card.missing:
        sys.stderr.write(
            f"render_cards: warning: the card shows {name!r} but it is not in the collection's"
            " media (ankigen did not bundle it into the .apkg): the image is broken\n"
        )
    for shot in report.shots:
        sys.stdout.write(_summary(shot) + "\n")
    sys.stdout.write(f"pages: {report.shots[0].page.parent}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
