"""The hashes things are compared by: a note's content, a page's text."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["content_hash", "text_digest"]


def content_hash(fields: Sequence[str], tags: Sequence[str] = ()) -> str:
    data = "\x1e".join(("\x1f".join(fields), " ".join(tags)))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def text_digest(text: str) -> bytes:
    """A page text's hash, as cache and build keys take it."""
    # SHA-256 runs on the CPU's SHA instructions where it has them: twice blake2b's speed
    # here, on every page of every build.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
