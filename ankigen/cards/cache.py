"""Content-addressed render cache: a page's cards, keyed by everything they are made from.

The key of a page is a hash of the renderer fingerprint (ankigen's own code, the versions of
the libraries that shape the HTML, the Python version), the build settings that reach the
renderer (card types, the site's Markdown extensions, site URL rules, the media root), the
page's path and URL, and its text after front matter and snippet includes. The value is the
page's ``PageResult`` plus every image lookup the rendering made, with its outcome: an entry
is used only if each lookup still gives the same outcome (an edited, added or removed image
misses). So nothing stale can be served after an upgrade, a config change, a snippet edit or
an image edit; a damaged or foreign entry is a miss.

Entries are ``marshal`` dumps of plain tuples (no pickle: loading one cannot run code), one
file per page under ``<cache dir>/pages/``, written atomically. The folder is safe to delete
at any time. It is bounded: after a build that wrote entries, the least recently used ones
are removed until it is under ``max_bytes``.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ankigen import __version__
from ankigen.codefiles import code_files
from ankigen.errors import Diagnostic, Severity
from ankigen.files import write_bytes_atomic
from ankigen.records import Link, MediaFile, MediaProblem, RenderedCard

__all__ = [
    "DEFAULT_MAX_BYTES",
    "CacheEntry",
    "ImageLookups",
    "RenderCache",
    "code_fingerprint",
    "decode_diagnostic",
    "decode_lookups",
    "default_cache_dir",
    "dump_entry",
    "encode_diagnostic",
    "encode_lookups",
    "load_entry",
    "lookups_hold",
]

FORMAT = 4  # bump when the entry layout changes (3: each card's signature and image lookups;
# 4: anchor and context)
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
MEMORY_PAGES = 4096  # entries kept in memory by one RenderCache object
LATEST_PAGES = 200_000  # pages whose latest entry is remembered (an edit reuses its cards)
# Entries put are written in bursts of about this many bytes (or entries): see ``flush``.
FLUSH_BYTES = 4 * 1024 * 1024
FLUSH_ENTRIES = 256
# Distributions whose code decides what a page renders to.
_RENDER_DEPS = (
    "markdown-it-py",
    "mdit-py-plugins",
    "linkify-it-py",
    "pygments",
    "nh3",
    "pymdown-extensions",
)

# Builds that may trim the cache by its kept size before one lists the folder again.
_SCAN_EVERY = 50

# (page, src) -> what MediaLibrary.resolve answered
ImageLookups = tuple[tuple[str, str, MediaFile | MediaProblem], ...]


@lru_cache(maxsize=4)
def code_fingerprint(memo: Path | None = None) -> str:
    """ankigen's own sources and assets, the render libraries' versions, the Python version.

    Hashing the package files (not only ``__version__``) means an edited checkout or an
    upgrade without a version bump still invalidates every entry. ``memo``: a cache folder
    where the hash of the package files is kept with their sizes and modification times,
    so a build whose package is unchanged reads no source file (~12 ms each build).
    """
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}".encode())
    digest.update(_package_digest(Path(__file__).parent.parent, memo).encode())
    versions = installed_versions(_RENDER_DEPS)
    for name in _RENDER_DEPS:
        digest.update(f"\0{name}={versions[name]}".encode())
    return digest.hexdigest()


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each distribution ("-" when not installed), read from the
    ``name-version.dist-info`` folders on ``sys.path``: the standard layout of installed
    packages (``importlib.metadata``, which reads the same folders, costs ~25 ms to import,
    paid by every no-change rebuild). Anything not found that way is asked of it."""
    wanted = {_normal(n): n for n in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = [p.name for p in Path(entry or ".").iterdir()]
        except OSError:
            continue
        for item in listing:
            if not item.endswith(".dist-info"):
                continue
            dist, _, version = item[: -len(".dist-info")].partition("-")
            name = wanted.get(_normal(dist))
            if name is not None and name not in found:
                found[name] = version
    missing = [n for n in wanted.values() if n not in found]
    if missing:
        from importlib import metadata  # noqa: PLC0415 - the general answer, when needed

        for name in missing:
            try:
                found[name] = metadata.version(name)
            except metadata.PackageNotFoundError:
                found[name] = "-"
    return found


def _package_digest(package: Path, memo: Path | None = None) -> str:
    """A hash of a package folder's sources and assets (names and bytes); with ``memo`` (a
    folder), the hash kept there when every file has the size and mtime it had then."""
    files = [Path(name) for name in code_files(str(package))]
    kept = memo / "code.marshal" if memo is not None else None
    stamps: tuple[tuple[str, int, int], ...] = ()
    if kept is not None:
        try:
            stamps = tuple((str(p), (st := p.stat()).st_size, st.st_mtime_ns) for p in files)
            known = marshal.loads(kept.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            known = None
        if isinstance(known, tuple) and len(known) == 2 and known[0] == stamps:
            return str(known[1])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    made = digest.hexdigest()
    if kept is not None and stamps:
        _write_atomic(kept, marshal.dumps((stamps, made)))
    return made


def default_cache_dir(env: Mapping[str, str]) -> Path:
    """``$ANKIGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/ankigen``, else ``~/.cache/ankigen``."""
    if env.get("ANKIGEN_CACHE_DIR"):
        return Path(env["ANKIGEN_CACHE_DIR"])
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "ankigen"
    return Path.home() / ".cache" / "ankigen"


@dataclass(frozen=True)
class CacheEntry:
    cards: tuple[RenderedCard, ...]
    diagnostics: tuple[Diagnostic, ...]
    images: ImageLookups
    # per card: its signature (``cards/signature``) and the image lookups it made, so that
    # after an edit of the page its unchanged cards are not rendered again
    signatures: tuple[bytes | None, ...] = ()
    card_images: tuple[ImageLookups, ...] = ()

    def by_signature(self) -> dict[bytes, tuple[RenderedCard, ImageLookups]]:
        """The entry's cards by signature (a card whose signature is shared by another
        card of its page is left out: either could be meant)."""
        found: dict[bytes, tuple[RenderedCard, ImageLookups]] = {}
        shared: set[bytes] = set()
        rows = zip(self.cards, self.signatures, self.card_images, strict=True)
        for card, signature, images in rows:
            if signature is None:
                continue
            if signature in found:
                shared.add(signature)
            found[signature] = (card, images)
        for signature in shared:
            del found[signature]
        return found


class RenderCache:
    """Page entries under ``folder``; every I/O failure is a miss, never a build failure."""

    def __init__(
        self, folder: Path, max_bytes: int = DEFAULT_MAX_BYTES, *, remember: bool = False
    ) -> None:
        """``remember``: keep the entries used in memory too, for a process that builds
        again and again (watch mode); a one-off build lets them go with its cards."""
        self.folder = folder
        self.pages = folder / "pages"
        self.max_bytes = max_bytes
        self.fingerprint = code_fingerprint(folder)
        self._prefix = self.fingerprint.encode()
        self.written = 0
        self._written_bytes = 0  # of the entries written by this object
        self._memo: dict[str, tuple[int, int, int, str]] | None = None
        self._memo_saved: dict[str, tuple[int, int, int, str]] = {}
        # Entries this process used or made, newest last: a long-lived process (watch mode)
        # rebuilds without reading them back from disk.
        self._recent: OrderedDict[str, CacheEntry] = OrderedDict()
        self.remember = remember
        self._pending: dict[str, bytes] = {}  # put, not yet written: key -> dump_entry bytes
        self._pending_bytes = 0
        self._latest: dict[str, str] | None = None  # page id -> key of its latest entry
        self._latest_changed = False

    def key(self, settings: str, rel: str, url: str | None, text: bytes) -> str:
        """``settings``: the build settings that reach the renderer, as a string; ``text``:
        the page's ``text_digest``."""
        digest = hashlib.blake2b(self._prefix, digest_size=20)
        digest.update(f"\0{settings}\0{rel}\0{url}\0".encode())
        digest.update(text)
        return digest.hexdigest()

    def page_id(self, settings: str, rel: str, url: str | None) -> str:
        """A page whatever its text: where its latest entry is looked up after an edit."""
        digest = hashlib.blake2b(self._prefix, digest_size=16)
        digest.update(f"\0{settings}\0{rel}\0{url}".encode())
        return digest.hexdigest()

    def latest(self, page_id: str) -> CacheEntry | None:
        """The entry last stored or used for the page ``page_id`` names (its text may have
        changed since): its cards, by signature, spare an edited page's other cards."""
        key = self._latest_keys().get(page_id)
        return self.get(key) if key is not None else None

    def latest_data(self, page_id: str) -> bytes | None:
        """``latest`` as ``dump_entry`` bytes (for a forked renderer), without decoding it."""
        key = self._latest_keys().get(page_id)
        if key is None:
            return None
        known = self._recent.get(key)
        if known is not None:
            return dump_entry(known)
        waiting = self._pending.get(key)
        if waiting is not None:
            return waiting
        try:
            return self._path(key).read_bytes()
        except OSError:
            return None

    def note_latest(self, page_id: str, key: str) -> None:
        latest = self._latest_keys()
        if latest.get(page_id) != key:
            latest.pop(page_id, None)  # newest last: the oldest go first past the limit
            latest[page_id] = key
            self._latest_changed = True

    def _latest_keys(self) -> dict[str, str]:
        if self._latest is None:
            try:
                raw = marshal.loads((self.folder / "latest.marshal").read_bytes())
            except (OSError, ValueError, EOFError, TypeError):
                raw = None
            ok = isinstance(raw, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
            )
            self._latest = dict(raw) if ok and isinstance(raw, dict) else {}
        return self._latest

    def save_latest(self) -> None:
        """Write which entry is each page's latest (at most ``LATEST_PAGES``, newest kept)."""
        if not self._latest_changed or self._latest is None:
            return
        while len(self._latest) > LATEST_PAGES:
            del self._latest[next(iter(self._latest))]
        if _write_atomic(self.folder / "latest.marshal", marshal.dumps(self._latest)):
            self._latest_changed = False

    def _path(self, key: str) -> Path:
        return self.pages / key[:2] / key[2:]

    def _remember(self, key: str, entry: CacheEntry) -> None:
        if not self.remember:
            return
        self._recent[key] = entry
        self._recent.move_to_end(key)
        while len(self._recent) > MEMORY_PAGES:
            self._recent.popitem(last=False)

    def remembers(self, keys: Sequence[str]) -> bool:
        """Whether every entry of ``keys`` is held in memory (``remember``)."""
        return self.remember and all(key in self._recent for key in keys)

    def has(self, key: str) -> bool:
        """Whether an entry is stored under ``key`` (without reading it back)."""
        return key in self._recent or key in self._pending or self._path(key).is_file()

    def get(self, key: str) -> CacheEntry | None:
        known = self._recent.get(key)
        if known is not None:
            self._recent.move_to_end(key)
            return known
        waiting = self._pending.get(key)
        if waiting is not None:
            return load_entry(waiting)
        path = self._path(key)
        try:
            entry = load_entry(path.read_bytes())
            os.utime(path)  # recently used: kept longest when the folder is trimmed
        except OSError:
            return None
        if entry is not None:
            self._remember(key, entry)
        return entry

    def put(self, key: str, entry: CacheEntry, data: bytes | None = None) -> None:
        """Store ``entry``; ``data`` is its ``dump_entry`` when already made (pool workers
        send entries that way). It reaches the disk at the next ``flush``, made here once
        a few MB are waiting: whoever puts calls ``flush`` when done."""
        self._remember(key, entry)
        blob = data if data is not None else dump_entry(entry)
        self._pending[key] = blob
        self._pending_bytes += len(blob)
        if self._pending_bytes >= FLUSH_BYTES or len(self._pending) >= FLUSH_ENTRIES:
            self.flush()

    def flush(self) -> None:
        """Write the entries put since the last flush, each atomically.

        Files are made in bursts rather than one per rendered page: on this machine's ext4,
        making a file took from ~20 µs to ~0.7 ms of kernel time, the most when it came
        after a stretch of rendering. Written in bursts, a one-core cold build of 10,000
        cards took 3% less time (3.27 against 3.37 s).
        """
        pending, self._pending, self._pending_bytes = self._pending, {}, 0
        for key, blob in pending.items():
            if _write_atomic(self._path(key), blob):
                self.written += 1
                self._written_bytes += len(blob)

    def media_memo(self) -> dict[str, tuple[int, int, int, str]]:
        """Image hashes of earlier builds, by file (see ``MediaLibrary``): read once per
        cache object, then the same dict (libraries add to it in place)."""
        if self._memo is None:
            self._memo = self._read_media_memo()
            self._memo_saved = dict(self._memo)
        return self._memo

    def _read_media_memo(self) -> dict[str, tuple[int, int, int, str]]:
        try:
            raw = marshal.loads((self.folder / "media.marshal").read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return {}
        if not isinstance(raw, dict):
            return {}
        return {
            str(k): (v[0], v[1], v[2], v[3])
            for k, v in raw.items()
            if isinstance(v, tuple) and len(v) == 4
        }

    def save_media_memo(self, memo: Mapping[str, tuple[int, int, int, str]]) -> None:
        """Write ``memo`` unless it is what was last read or written."""
        if memo == self._memo_saved:
            return
        if _write_atomic(self.folder / "media.marshal", marshal.dumps(dict(memo))):
            self._memo_saved = dict(memo)

    def trim(self) -> int:
        """Remove least recently used entries until the folder is under ``max_bytes``.

        The folder's size is kept (``size.marshal``) from the last scan plus what was
        written since, so a build that adds an entry or two does not list every entry
        (~15-30 ms with a few thousand of them): the folder is scanned when that estimate
        passes half the bound, and after ``_SCAN_EVERY`` builds without a scan (other
        processes write here too).
        """
        self.flush()
        ledger = self.folder / "size.marshal"
        try:
            kept = marshal.loads(ledger.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            kept = None
        if (
            isinstance(kept, tuple)
            and len(kept) == 2
            and all(isinstance(x, int) for x in kept)
            and kept[1] < _SCAN_EVERY
            and kept[0] + self._written_bytes <= self.max_bytes // 2
        ):
            _write_atomic(ledger, marshal.dumps((kept[0] + self._written_bytes, kept[1] + 1)))
            self._written_bytes = 0
            return 0
        found: list[tuple[float, int, Path]] = []
        try:
            for shard in os.scandir(self.pages):
                if not shard.is_dir():
                    continue
                for item in os.scandir(shard.path):
                    stat = item.stat()
                    found.append((stat.st_mtime, stat.st_size, Path(item.path)))
        except OSError:
            return 0
        total = sum(size for _, size, _ in found)
        removed = 0
        for _mtime, size, path in sorted(found):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        _write_atomic(ledger, marshal.dumps((total, 0)))
        self._written_bytes = 0
        return removed


# ---------------------------------------------------------------- plain-tuple encoding


def _write_atomic(path: Path, data: bytes) -> bool:
    """``data`` into ``path`` through a temp file beside it; False (and no temp file left)
    when it cannot be written: the cache is never a reason for a build to fail."""
    try:
        write_bytes_atomic(path, data)
    except OSError:
        return False
    return True


def encode_diagnostic(d: Diagnostic) -> tuple[object, ...]:
    """A diagnostic as plain data (marshal here, JSON in the build manifest)."""
    return (d.path, d.message, d.hint, d.line, d.col, str(d.severity))


def decode_diagnostic(t: Sequence[object]) -> Diagnostic:
    path, message, hint, line, col, severity = t
    return Diagnostic(
        str(path),
        str(message),
        str(hint),
        line if isinstance(line, int) else None,
        col if isinstance(col, int) else None,
        Severity(str(severity)),
    )


def _media(m: MediaFile | MediaProblem) -> tuple[str, str, str]:
    if isinstance(m, MediaFile):
        return ("file", m.name, str(m.path))
    return ("problem", m.message, m.hint)


def encode_lookups(images: ImageLookups) -> tuple[tuple[str, str, tuple[str, str, str]], ...]:
    """Image lookups as plain data (marshal here, JSON in the build manifest)."""
    return tuple((page, src, _media(found)) for page, src, found in images)


def decode_lookups(raw: Iterable[Sequence[object]]) -> ImageLookups:
    """``encode_lookups``' data back (tuples from marshal, lists from JSON)."""
    out = []
    for page, src, found in raw:
        if not isinstance(found, Sequence):
            raise TypeError(found)
        out.append((str(page), str(src), _unmedia(found)))
    return tuple(out)


def _unfile(t: Sequence[object]) -> MediaFile:
    found = _unmedia(t)
    if not isinstance(found, MediaFile):
        raise ValueError(t)
    return found


def _unmedia(t: Sequence[object]) -> MediaFile | MediaProblem:
    kind, a, b = (str(x) for x in t)
    if kind == "file":
        return MediaFile(a, Path(b))
    if kind == "problem":
        return MediaProblem(a, b)
    raise ValueError(kind)


def dump_entry(entry: CacheEntry) -> bytes:
    """An entry as bytes: what the cache stores, and what pool workers send back (marshal
    of plain tuples is several times faster than pickling the records)."""
    return marshal.dumps(_encode(entry))  # type: ignore[arg-type]


def load_entry(data: bytes) -> CacheEntry | None:
    """``dump_entry``'s bytes back; None when they are not an entry of this format."""
    try:
        return _decode(marshal.loads(data))
    except (ValueError, EOFError, TypeError, IndexError, KeyError):
        return None


def _encode(entry: CacheEntry) -> tuple[object, ...]:
    cards = tuple(
        (
            c.page,
            c.line,
            c.col,
            c.kind,
            c.question_html,
            c.question_text,
            c.answer_html,
            tuple((link.href, link.text) for link in c.links),
            c.links_html,
            c.source_html,
            c.explicit_id,
            tuple(_media(m) for m in c.media),
            tuple(encode_diagnostic(d) for d in c.problems),
            c.fields_digest,
            c.body_digest,
            c.anchor,
            c.context_html,
        )
        for c in entry.cards
    )
    diagnostics = tuple(encode_diagnostic(d) for d in entry.diagnostics)
    count = len(entry.cards)
    signatures = entry.signatures or (None,) * count  # none known: no card is reused
    card_images = entry.card_images or ((),) * count
    per_card = (signatures, tuple(encode_lookups(i) for i in card_images))
    return (FORMAT, cards, diagnostics, encode_lookups(entry.images), per_card)


def _decode(raw: object) -> CacheEntry | None:
    if not isinstance(raw, tuple) or len(raw) != 5 or raw[0] != FORMAT:
        return None
    _, cards, diagnostics, images, (signatures, card_images) = raw
    if len(signatures) != len(cards) or len(card_images) != len(cards):
        return None
    return CacheEntry(
        tuple(map(_card, cards)),
        tuple(map(decode_diagnostic, diagnostics)),
        decode_lookups(images),
        tuple(s if isinstance(s, bytes) else None for s in signatures),
        tuple(decode_lookups(i) if i else () for i in card_images),
    )


def _card(raw: tuple[Any, ...]) -> RenderedCard:
    """One card of ``_encode``'s tuple back (the types are what ``_encode`` stored).
    Positional, in ``RenderedCard``'s field order, with nothing made for what is empty:
    every card of the deck is given back on every rebuild."""
    (page, line, col, kind, qh, qt, ah, links, lh, sh, explicit, media, problems, fd, bd) = raw[:15]
    return RenderedCard(
        page,
        line,
        col,
        kind,
        qh,
        qt,
        ah,
        tuple(Link(href, text) for href, text in links) if links else (),
        lh,
        sh,
        explicit,
        tuple(map(_unfile, media)) if media else (),
        tuple(map(decode_diagnostic, problems)) if problems else (),
        fd,
        bd,
        *raw[15:],  # anchor, context_html
    )


def lookups_hold(
    images: Iterable[tuple[str, str, MediaFile | MediaProblem]],
    resolve: Callable[[str, str], MediaFile | MediaProblem],
) -> bool:
    """Whether every recorded image lookup still gives the same outcome."""
    return all(resolve(page, src) == found for page, src, found in images)
