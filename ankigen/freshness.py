"""Is the last build still true? When nothing it was made from changed, there is nothing to do.

A build that writes records a manifest (``output/manifest``) under a key over everything it
was made from; the next build of the same output compares, and when all still holds it writes
nothing. This module and what it imports load no renderer (markdown-it, Pygments, genanki):
a no-change rebuild is over before they would be.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ankigen import _speed
from ankigen.cards.cache import RenderCache, code_fingerprint, default_cache_dir, lookups_hold
from ankigen.output.manifest import Manifest, file_digest, file_stamp, load_manifest, manifest_path
from ankigen.read.media import MediaLibrary

if TYPE_CHECKING:
    from ankigen.config.project import Config
    from ankigen.read.pageset import PageSet

__all__ = ["build_key", "open_cache", "up_to_date", "written_files"]


def open_cache(
    environ: Mapping[str, str],
    *,
    remember: bool = False,
    kept: dict[Path, RenderCache] | None = None,
) -> RenderCache:
    """The render cache in its folder (``$ANKIGEN_CACHE_DIR``, ``$XDG_CACHE_HOME/ankigen`` or
    ``~/.cache/ankigen``); ``remember`` keeps entries in memory across builds (watch). With
    ``kept``, the one kept there for an absolute folder, else a new one, remembering, kept
    there (a build server's). The speed wing keeps its guards' digests there too."""
    folder = default_cache_dir(environ)
    cache = kept.get(folder) if kept is not None else None
    if cache is None:
        cache = RenderCache(folder, remember=remember or kept is not None)
        if kept is not None and folder.is_absolute():
            kept[folder] = cache
    _speed.keep_guard_digests_in(cache.folder)
    return cache


def build_key(config: Config, output: Path, pageset: PageSet, cache: RenderCache) -> str:
    """Everything a build is made from, besides images and the lockfile (see manifest)."""
    code = code_fingerprint(cache.folder)
    digest = hashlib.sha256(f"{code}\0{config!r}\0{output.resolve()}".encode())
    digest.update(repr(pageset.problems).encode())
    for page in pageset.pages:
        digest.update(f"\0{page.rel}\0{page.url}\0{pageset.decks[page.rel]}\0".encode())
        digest.update(pageset.digests[page.rel])
        if page.rel in pageset.tags:  # front matter is not in the page's text digest
            digest.update(f"\0tags\0{' '.join(pageset.tags[page.rel])}".encode())
        if page.rel in pageset.lines:  # same text, other lines: other diagnostics
            digest.update(repr(pageset.lines[page.rel].segments).encode())
    return digest.hexdigest()


def written_files(output: Path, lock_path: Path) -> tuple[Path, Path, Path, Path]:
    """What a build writes: the deck, the lockfile, and the JSON and text reports."""
    stem = output.with_suffix("")
    return (
        output,
        lock_path,
        stem.with_name(stem.name + ".report.json"),
        stem.with_name(stem.name + ".report.txt"),
    )


def up_to_date(
    config: Config, output: Path, pageset: PageSet, cache: RenderCache
) -> Manifest | None:
    """The last build's manifest, when this build would write exactly what is on disk."""
    with _speed.paused_gc():
        return _up_to_date(config, output, pageset, cache)


def _up_to_date(
    config: Config, output: Path, pageset: PageSet, cache: RenderCache
) -> Manifest | None:
    manifest = load_manifest(manifest_path(cache.folder, output))
    if manifest is None or manifest.key != build_key(config, output, pageset, cache):
        return None
    if any(file_stamp(Path(path)) != (path, size, mtime) for path, size, mtime in manifest.outputs):
        return None
    if file_digest(config.lock_path) != manifest.lock_digest:
        return None
    library = MediaLibrary(pageset.root, cache.media_memo())
    if not lookups_hold(manifest.images, library.resolve):
        return None
    cache.save_media_memo(library.memo)
    return manifest
