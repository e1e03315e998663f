"""Write the .apkg. The only module that imports genanki.

genanki is used as an output adapter: it gets fully decided GUIDs, due positions and ids; the
per-note mods are set afterwards, and the zip is written here with fixed entry times so equal
input gives equal bytes.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

import genanki

from ankigen.model import Note
from ankigen.notetype import NoteType

__all__ = ["deck_id", "write_apkg"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def deck_id(name: str) -> int:
    """A stable id for a deck name (Anki matches decks by name; the id only has to be stable)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return 1_000_000_000_000 + int.from_bytes(digest[:5], "big")


def _model(notetype: NoteType) -> genanki.Model:
    return genanki.Model(
        model_id=notetype.id,
        name=notetype.name,
        fields=[{"name": name} for name in notetype.fields],
        templates=[{"name": notetype.template_name, "qfmt": notetype.front, "afmt": notetype.back}],
        css=notetype.css,
    )


def _collection_bytes(
    deck_name: str, notes: Sequence[Note], notetype: NoteType, notetype_mod: int
) -> bytes:
    model = _model(notetype)
    decks: dict[str, genanki.Deck] = {}
    for note in notes:
        name = note.deck or deck_name
        if name not in decks:
            decks[name] = genanki.Deck(deck_id(name), name)
        decks[name].add_note(
            genanki.Note(
                model=model,
                fields=list(note.fields),
                guid=note.guid,
                due=note.due,
                tags=list(note.tags),
            )
        )
    if not decks:
        decks[deck_name] = genanki.Deck(deck_id(deck_name), deck_name)
    package = genanki.Package(list(decks.values()))
    with tempfile.TemporaryDirectory(prefix="ankigen-") as tmp:
        db_path = Path(tmp) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            cursor = conn.cursor()
            with warnings.catch_warnings():
                # Fields are HTML we rendered ourselves; genanki's "invalid HTML tag" guess
                # misfires on escaped math such as `a &lt; b`.
                warnings.simplefilter("ignore")
                package.write_to_db(cursor, notetype_mod, itertools.count(notetype_mod * 1000))
            mods = {note.guid: note.mod for note in notes}
            rows = cursor.execute("SELECT id, guid FROM notes").fetchall()
            cursor.executemany(
                "UPDATE notes SET mod = ? WHERE id = ?", [(mods[guid], nid) for nid, guid in rows]
            )
            conn.commit()
        finally:
            conn.close()
        return db_path.read_bytes()


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_apkg(
    path: Path, deck_name: str, notes: Sequence[Note], notetype: NoteType, notetype_mod: int
) -> None:
    """Write atomically: a temp file in the same folder, then a rename."""
    collection = _collection_bytes(deck_name, notes, notetype, notetype_mod)
    media = sorted({m.name: m for note in notes for m in note.media}.values(), key=lambda m: m.name)
    blobs = [(m.name, m.path.read_bytes()) for m in media]  # read before the temp file exists
    manifest = json.dumps({str(i): name for i, (name, _) in enumerate(blobs)}, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            archive.writestr(_entry("collection.anki2"), collection, compresslevel=1)
            archive.writestr(_entry("media"), manifest.encode("utf-8"))
            for i, (_name, data) in enumerate(blobs):
                archive.writestr(_entry(str(i)), data)
        tmp.chmod(0o644)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
