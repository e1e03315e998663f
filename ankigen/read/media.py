"""Local images a card shows: found relative to the page, bundled under content-hashed names.

This is the read end of the pipeline for media: it touches the disk (once per file) and
hands the renderer a pure answer for each ``src``. Nothing outside the project root is read:
``../../`` paths, absolute paths outside it and symlinks leaving it are refused.
"""

from __future__ import annotations

import hashlib
import re
import stat
import time
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ankigen.records import MediaFile, MediaProblem

__all__ = ["MediaLibrary", "html_base", "is_local"]

_RACY_NS = 2_000_000_000
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


_REMOTE = ("#", "//", "http://", "https://", "mailto:", "data:")


def html_base(rel: str, use_directory_urls: bool) -> str:
    """A docs-relative path whose folder is the page's URL folder: what a browser resolves a
    relative ``<img src>`` in the page's raw HTML against (mkdocs rewrites only Markdown
    images). Under ``use_directory_urls`` ``a/b.md`` is served at ``a/b/``; an index page,
    and any page without directory URLs, sits in its own file's folder."""
    path = PurePosixPath(rel)
    if not use_directory_urls or path.stem in ("index", "README"):
        return rel
    return (path.parent / path.stem / "index.html").as_posix()


def is_local(src: str) -> bool:
    """A path to a file of the site (not a URL, not a data: URI, not an anchor)."""
    if not src or src.startswith(_REMOTE):  # the common cases, without parsing
        return False
    return not urlsplit(src).scheme


class MediaLibrary:
    """Resolves image paths of pages under ``root``; caches each file's hash."""

    def __init__(
        self, root: Path, memo: dict[str, tuple[int, int, int, str]] | None = None
    ) -> None:
        """``memo`` maps a file to (size, mtime_ns, when hashed, name) from earlier builds: a
        file whose size and mtime are unchanged is not hashed again, unless it was modified
        within 2 s of being hashed (an edit in the same clock tick would keep its mtime, so
        such entries are never trusted). It is updated in place."""
        self.root = root.resolve()
        self._names: dict[Path, str] = {}
        self.memo = memo if memo is not None else {}

    def resolve(self, page: str, src: str) -> MediaFile | MediaProblem:
        """``src`` as written in ``page`` (a root-relative POSIX path)."""
        raw = unquote(urlsplit(src).path)
        if raw.startswith("/"):
            return MediaProblem(
                f"image {src!r} is an absolute path",
                "write it relative to the page, e.g. ../img/diagram.png",
            )
        target = (self.root / PurePosixPath(page).parent / raw).resolve()
        if not target.is_relative_to(self.root):
            return MediaProblem(
                f"image {src!r} lies outside the project: not read",
                f"keep images under {self.root}",
            )
        name = self._names.get(target)
        if name is None:
            name = self._name(target)
            if name is None:
                return MediaProblem(
                    f"image {src!r} not found",
                    f"looked for {target.relative_to(self.root).as_posix()}",
                )
            self._names[target] = name
        return MediaFile(name, target)

    def _name(self, target: Path) -> str | None:
        try:
            info = target.stat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        key = str(target)
        known = self.memo.get(key)
        if (
            known is not None
            and known[:2] == (info.st_size, info.st_mtime_ns)
            and info.st_mtime_ns < known[2] - _RACY_NS
        ):
            return known[3]
        hashed_at = time.time_ns()
        try:
            data = target.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(data).hexdigest()[:12]
        stem = _SAFE.sub("-", target.stem).strip("-") or "image"
        name = f"{stem}-{digest}{target.suffix.lower()}"
        self.memo[key] = (info.st_size, info.st_mtime_ns, hashed_at, name)
        return name
