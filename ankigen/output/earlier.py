"""What an earlier package holds: its notes' GUIDs and fields, and its decks.

``ankigen diff`` shows what changed in a note's fields: the earlier text comes from the
package the last build wrote (the lockfile keeps only hashes), the new text from this build.
A build without a lockfile reads the GUIDs of earlier packages to keep their identities and
to say how many notes would be new.

Fields are HTML; they are shown as text, one line per block (paragraph, list item, code
line, table row), so a diff reads like the page. When only markup changed (the text is
the same), the HTML itself is compared.
"""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path

__all__ = [
    "EarlierPackage",
    "field_diff",
    "field_text",
    "read_earlier_packages",
    "read_package_fields",
]

_BLOCK_END = re.compile(
    r"(?i)(<br\s*/?>|</(?:p|li|h[1-6]|tr|div|pre|blockquote|dt|dd|details|summary|table)>|\n)"
)
_TAG = re.compile(r"<[^>]*>")
MAX_LINES = 12  # diff lines shown per field; the rest is counted


def _query(apkg: Path, sql: str) -> list[tuple[object, ...]] | None:
    """The rows of ``sql`` on the collection inside ``apkg``; None when it cannot be read."""
    try:
        with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as scratch:
            db = Path(scratch) / "collection.anki2"
            with archive.open("collection.anki2") as src, db.open("wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                return list(conn.execute(sql).fetchall())
            finally:
                conn.close()
    except (OSError, KeyError, zipfile.BadZipFile, sqlite3.Error):
        return None


def read_package_fields(apkg: Path) -> dict[str, tuple[str, ...]] | None:
    """{GUID: fields} of the notes in an .apkg; None when there is none or it cannot be read."""
    rows = _query(apkg, "SELECT guid, flds FROM notes")
    if rows is None:
        return None
    return {str(guid): tuple(str(flds).split("\x1f")) for guid, flds in rows}


@dataclass(frozen=True)
class EarlierPackage:
    """The notes and root decks of the packages found beside a build's output."""

    paths: tuple[Path, ...]
    guids: frozenset[str]
    roots: tuple[str, ...]  # top-level deck names, in the order found


def _package_identity(apkg: Path) -> tuple[set[str], list[str]] | None:
    notes = _query(apkg, "SELECT guid FROM notes")
    decks = _query(apkg, "SELECT decks FROM col")
    if notes is None or decks is None:
        return None
    roots: list[str] = []
    for (blob,) in decks:
        try:
            table = json.loads(str(blob))
        except ValueError:
            continue
        for deck in table.values() if isinstance(table, dict) else ():
            name = deck.get("name") if isinstance(deck, dict) else None
            root = str(name).split("::")[0] if name else ""
            if root and root != "Default" and root not in roots:
                roots.append(root)
    return {str(guid) for (guid,) in notes}, roots


def read_earlier_packages(output: Path, limit: int = 8) -> EarlierPackage | None:
    """The GUIDs and root decks of ``output`` and the other .apkg files in its folder (the
    deck's file name follows its name, so a renamed deck's last package sits beside it),
    newest first, at most ``limit``; None when there is none."""
    try:
        siblings = [p for p in output.parent.glob("*.apkg") if p != output and p.is_file()]
    except OSError:
        siblings = []
    siblings.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    candidates = ([output] if output.is_file() else []) + siblings
    paths: list[Path] = []
    guids: set[str] = set()
    roots: list[str] = []
    for path in candidates[:limit]:
        found = _package_identity(path)
        if found is None:
            continue
        paths.append(path)
        guids |= found[0]
        roots.extend(r for r in found[1] if r not in roots)
    if not paths:
        return None
    return EarlierPackage(tuple(paths), frozenset(guids), tuple(roots))


def field_text(html: str) -> list[str]:
    """A field's HTML as lines of text: one per block, tags dropped, entities decoded."""
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\0", html)
    lines = (unescape(_TAG.sub("", piece)).strip() for piece in marked.split("\0"))
    return [line for line in lines if line]


def field_diff(
    names: Sequence[str], old: Sequence[str], new: Sequence[str], indent: str = "      "
) -> list[str]:
    """A short unified diff of each field that changed, under a ``Field:`` line."""
    out: list[str] = []
    for name, before, after in zip(names, old, new, strict=False):
        if before == after:
            continue
        a, b = field_text(before), field_text(after)
        if a == b:  # the same text, other markup: show the markup
            a, b = before.splitlines() or [""], after.splitlines() or [""]
        lines = [
            line.rstrip("\n")
            for line in difflib.unified_diff(a, b, "before", "now", n=1, lineterm="")
        ][2:]  # no file headers
        out.append(f"{indent}{name}:")
        shown = lines[:MAX_LINES]
        out.extend(f"{indent}  {line}" for line in shown)
        if len(lines) > MAX_LINES:
            out.append(f"{indent}  … {len(lines) - MAX_LINES} more line(s)")
    return out


def diffs_by_guid(
    names: Sequence[str],
    earlier: Mapping[str, Sequence[str]],
    now: Mapping[str, Sequence[str]],
) -> dict[str, list[str]]:
    """The field diff of every note in both, by GUID (notes whose fields are equal: none)."""
    found: dict[str, list[str]] = {}
    for guid, fields in now.items():
        before = earlier.get(guid)
        if before is not None and tuple(before) != tuple(fields):
            found[guid] = field_diff(names, before, fields)
    return found
