"""The keys things are compared by: a note's content, a page's text, a question."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["content_hash", "normalize_question", "text_digest"]


def content_hash(fields: Sequence[str], tags: Sequence[str] = ()) -> str:
    data = "\x1e".join(("\x1f".join(fields), " ".join(tags)))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def text_digest(text: str) -> bytes:
    """A page text's hash, as cache and build keys take it."""
    # SHA-256 runs on the CPU's SHA instructions where it has them: twice blake2b's speed
    # here, on every page of every build.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


# A build normalizes each card's question once or twice, and the lockfile's questions (mostly
# the same text) once or twice more; a watching process asks again at every rebuild. 16,384
# covers that for sites up to that many cards. A larger site would cycle through any smaller
# LRU without a hit, so the bound is where it stops paying (~4 MB held at most).
@lru_cache(maxsize=1 << 14)
def normalize_question(text: str) -> str:
    """NFC, whitespace collapsed, case folded: cosmetic edits keep the same identity."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()
