"""Local images a card shows: found relative to the page, bundled under content-hashed names.

This is the read end of the pipeline for media: it touches the disk (once per file) and
hands the renderer a pure answer for each ``src``. Nothing outside the project root is read:
``../../`` paths, absolute paths outside it and symlinks leaving it are refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

__all__ = ["MediaFile", "MediaLibrary", "MediaProblem", "is_local"]

_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class MediaFile:
    name: str  # the name in the .apkg and in Anki's media folder: stem-<hash>.ext
    path: Path  # the file read


@dataclass(frozen=True)
class MediaProblem:
    message: str
    hint: str


_REMOTE = ("#", "//", "http://", "https://", "mailto:", "data:")


def is_local(src: str) -> bool:
    """A path to a file of the site (not a URL, not a data: URI, not an anchor)."""
    if not src or src.startswith(_REMOTE):  # the common cases, without parsing
        return False
    return not urlsplit(src).scheme


class MediaLibrary:
    """Resolves image paths of pages under ``root``; caches each file's hash."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._names: dict[Path, str] = {}

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
        if not target.is_file():
            return MediaProblem(
                f"image {src!r} not found",
                f"looked for {target.relative_to(self.root).as_posix()}",
            )
        name = self._names.get(target)
        if name is None:
            digest = hashlib.sha256(target.read_bytes()).hexdigest()[:12]
            stem = _SAFE.sub("-", target.stem).strip("-") or "image"
            name = f"{stem}-{digest}{target.suffix.lower()}"
            self._names[target] = name
        return MediaFile(name, target)
