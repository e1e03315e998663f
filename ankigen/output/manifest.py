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
from dataclasses import dataclass
from pathlib import Path

from ankigen.cards.cache import (
    ImageLookups,
    decode_diagnostic,
    decode_lookups,
    encode_diagnostic,
    encode_lookups,
)
from ankigen.errors import Diagnostic
from ankigen.files import skipped_write, write_text_atomic

__all__ = [
    "Manifest",
    "file_digest",
    "file_stamp",
    "load_manifest",
    "manifest_path",
    "save_manifest",
]

_FORMAT = 2  # 2: images and diagnostics encoded as the render cache encodes them
Stamp = tuple[str, int, int]  # path, size, mtime_ns


@dataclass(frozen=True)
class Manifest:
    key: str
    lock_digest: str
    outputs: tuple[Stamp, ...]
    images: ImageLookups
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


def save_manifest(path: Path, manifest: Manifest) -> None:
    data = {
        "format": _FORMAT,
        "key": manifest.key,
        "lock_digest": manifest.lock_digest,
        "outputs": [list(s) for s in manifest.outputs],
        "images": encode_lookups(manifest.images),
        "diagnostics": [encode_diagnostic(d) for d in manifest.diagnostics],
        "notes": manifest.notes,
        "pages": manifest.pages,
    }
    try:
        write_text_atomic(path, json.dumps(data, ensure_ascii=False))
    except OSError as exc:  # a cache that cannot be written is only a slower next build
        skipped_write("the record of this build", path.parent, exc)


def load_manifest(path: Path) -> Manifest | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            return None
        return Manifest(
            key=str(data["key"]),
            lock_digest=str(data["lock_digest"]),
            outputs=tuple((str(p), int(size), int(mtime)) for p, size, mtime in data["outputs"]),
            images=decode_lookups(data["images"]),
            diagnostics=tuple(decode_diagnostic(d) for d in data["diagnostics"]),
            notes=int(data["notes"]),
            pages=int(data["pages"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
