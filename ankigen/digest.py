"""The content hash notes and lockfile entries are compared by."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = ["content_hash"]


def content_hash(fields: Sequence[str], tags: Sequence[str] = ()) -> str:
    data = "\x1e".join(("\x1f".join(fields), " ".join(tags)))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]
