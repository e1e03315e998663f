"""What the last successful build was made from and wrote: lets a rebuild with no change stop early.

A build that writes records a manifest in the cache folder (one per output file): a key over
every input (ankigen's code fingerprint, the whole config, each page's path, URL, deck and
text after snippets, the read-time diagnostics), the image lookups the cards made, a digest
of the lockfile it wrote, and the size and mtime of each file it wrote. The next build whose
key, image lookups, lockfile digest and output stamps all still match has nothing to do: its
outputs would be byte-identical to the ones on disk. Anything else rebuilds. Deleting the
cache folder only costs one full build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ankigen.errors import Diagnostic, Severity
from ankigen.fsutil import write_text_atomic
from ankigen.media import MediaFile, MediaProblem

__all__ = [
    "Manifest",
    "file_digest",
    "file_stamp",
    "load_manifest",
    "manifest_path",
    "save_manifest",
]

_FORMAT = 1
Stamp = tuple[str, int, int]  # path, size, mtime_ns
Lookup = tuple[str, str, MediaFile | MediaProblem]


@dataclass(frozen=True)
class Manifest:
    key: str
    lock_digest: str
    outputs: tuple[Stamp, ...]
    images: tuple[Lookup, ...]
    diagnostics: tuple[Diagnostic, ...]
    notes: int  # live notes in the deck
    pages: int


def manifest_path(cache_folder: Path, output: Path) -> Path:
    name = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:24]
    return cache_folder / "builds" / f"{name}.json"


def file_stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (str(path), info.st_size, info.st_mtime_ns)


def file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "-"


def _lookup(item: Lookup) -> list[object]:
    page, src, found = item
    if isinstance(found, MediaFile):
        return [page, src, "file", found.name, str(found.path)]
    return [page, src, "problem", found.message, found.hint]


def _unlookup(raw: Sequence[object]) -> Lookup:
    page, src, kind, a, b = (str(x) for x in raw)
    found: MediaFile | MediaProblem = (
        MediaFile(a, Path(b)) if kind == "file" else MediaProblem(a, b)
    )
    return (page, src, found)


def save_manifest(path: Path, manifest: Manifest) -> None:
    data = {
        "format": _FORMAT,
        "key": manifest.key,
        "lock_digest": manifest.lock_digest,
        "outputs": [list(s) for s in manifest.outputs],
        "images": [_lookup(i) for i in manifest.images],
        "diagnostics": [
            [d.path, d.message, d.hint, d.line, d.col, str(d.severity)]
            for d in manifest.diagnostics
        ],
        "notes": manifest.notes,
        "pages": manifest.pages,
    }
    try:
        write_text_atomic(path, json.dumps(data, ensure_ascii=False))
    except OSError:
        return  # a cache that cannot be written is only a slower next build


def load_manifest(path: Path) -> Manifest | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            return None
        return Manifest(
            key=str(data["key"]),
            lock_digest=str(data["lock_digest"]),
            outputs=tuple((str(p), int(size), int(mtime)) for p, size, mtime in data["outputs"]),
            images=tuple(_unlookup(i) for i in data["images"]),
            diagnostics=tuple(
                Diagnostic(str(p), str(m), str(h), line, col, Severity(str(sev)))
                for p, m, h, line, col, sev in data["diagnostics"]
            ),
            notes=int(data["notes"]),
            pages=int(data["pages"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
