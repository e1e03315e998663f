"""JSON documents written one row per line, so their diffs read row by row (lockfile, report)."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TypeVar

__all__ = ["json_lines_chunks", "json_string"]

T = TypeVar("T")

# A string as the JSON encoder writes it with ensure_ascii=False (its own C function).
json_string = json.encoder.encode_basestring


# One encoder for every row: json.dumps(..., ensure_ascii=False) builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


# Encoded rows of the last file of each kind, by the record they were made from: a
# long-lived process (watch mode) rewrites a 10,000-note lockfile after a one-card edit,
# and re-encoding the 9,999 unchanged rows is most of that work.
_ROW_MEMO: dict[str, dict[Hashable, str]] = {}
_MEMO_LIMIT = 50_000  # rows; beyond that the memory is worth more than the time


def json_lines_chunks(
    head: dict[str, object],
    key: str,
    items: Iterable[T],
    line: Callable[[T], str],
    *,
    memo: str | None = None,
    batch: int = 2000,
) -> Iterator[str]:
    """A JSON object whose ``key`` list holds one row per line (``line(item)``, the row's
    JSON): diffs read note by note.

    Made in pieces of ``batch`` rows, so a 100,000-note lockfile is never one string in
    memory. With ``memo`` (a name), hashable items encoded for the last file of that name
    are not encoded again.
    """
    encode = _ENCODER.encode
    parts = [f"  {json.dumps(k)}: {encode(v)}," for k, v in head.items()]
    yield "{\n" + "\n".join(parts) + f"\n  {json.dumps(key)}: "
    known = _ROW_MEMO.get(memo, {}) if memo is not None else {}
    fresh: dict[Hashable, str] = {}
    group: list[T] = []
    started = False

    def flush() -> str:
        done = [known.get(item) or line(item) for item in group]
        if memo is not None and len(fresh) < _MEMO_LIMIT:
            fresh.update(zip(group, done, strict=True))
        group.clear()
        return ("[\n    " if not started else ",\n    ") + ",\n    ".join(done)

    for item in items:
        group.append(item)
        if len(group) >= batch:
            yield flush()
            started = True
    if group:
        yield flush()
        started = True
    if memo is not None:
        _ROW_MEMO[memo] = fresh if len(fresh) < _MEMO_LIMIT else {}
    yield "\n  ]\n}\n" if started else "[]\n}\n"
