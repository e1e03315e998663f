"""The .apkg container: our zip writer against the standard library's reader and SQLite."""

from __future__ import annotations

import io
import json
import random
import sqlite3
import zipfile
import zlib
from pathlib import Path

from ankigen.cards.page import render_page
from ankigen.output import apkg as package
from ankigen.output.notetype import note_type
from tests.conftest import identify, package_rows


def _data(size: int) -> bytes:
    rng = random.Random(7)
    words = [b"alpha", b"beta", b"<span class='k'>", b"\x1f", b"\x00\x01", b"gamma\n"]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) if rng.random() < 0.9 else rng.randbytes(64)
    return bytes(out[:size])


def test_deflating_in_pieces_is_one_stream(tmp_path: Path) -> None:
    data = _data(3 * package._PIECE + 12345)  # four pieces, the last one short
    src = tmp_path / "blob"
    src.write_bytes(data)
    out = io.BytesIO()
    crc, packed, size = package._deflate_file(src, out)
    assert (crc, size) == (zlib.crc32(data), len(data))
    assert packed == len(out.getvalue())
    assert zlib.decompress(out.getvalue(), -15) == data


def test_an_empty_file_deflates_to_a_valid_stream(tmp_path: Path) -> None:
    src = tmp_path / "empty"
    src.write_bytes(b"")
    out = io.BytesIO()
    assert package._deflate_file(src, out)[::2] == (0, 0)
    assert zlib.decompress(out.getvalue(), -15) == b""


def test_a_large_deck_is_a_valid_zip_holding_a_valid_collection(tmp_path: Path) -> None:
    cards = "\n".join(
        f'??? question "Question {n}?"\n    Answer {n}: ' + f"text {n} " * 120 + "\n"
        for n in range(2500)
    )
    found = render_page(cards, "many.md")
    ident = identify(found.cards, None, "ns", note_type(), 1_800_000_000, deck="Many")
    out = tmp_path / "many.apkg"
    package.prepare_apkg(out, "Many", ident.notes, note_type(), ident.notetype_mod).replace(out)
    with zipfile.ZipFile(out) as archive:
        assert archive.testzip() is None  # every CRC checks
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["collection.anki2", "media"]
        assert infos[0].file_size > 2 * package._PIECE  # really several pieces
        assert infos[0].compress_size < infos[0].file_size * 0.3
        db = tmp_path / "collection.anki2"
        db.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM notes").fetchone() == (2500,)
        assert conn.execute("SELECT count(*) FROM cards").fetchone() == (2500,)
        # The indexes Anki's schema declares, built after the rows (so they hold every row).
        indexes = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        assert sorted(name for (name,) in indexes) == [
            "ix_cards_nid", "ix_cards_sched", "ix_cards_usn", "ix_notes_csum", "ix_notes_usn",
            "ix_revlog_cid", "ix_revlog_usn",
        ]  # fmt: skip
        plan = " ".join(
            str(row)
            for row in conn.execute("EXPLAIN QUERY PLAN SELECT id FROM cards WHERE nid = 5")
        )
        assert "ix_cards_nid" in plan
        # card ids follow their note's id, as genanki numbers them
        pairs = conn.execute("SELECT cards.id - notes.id FROM cards JOIN notes ON nid = notes.id")
        assert {d for (d,) in pairs} == {1}


def test_a_kept_collection_template_gives_the_same_bytes(tmp_path: Path) -> None:
    """The package made from a kept collection template equals the one made with genanki
    afresh, byte for byte; another deck name makes (and keeps) a template of its own."""
    found = render_page('??? question "Q?"\n    A.\n\n??? question "R?"\n    B.\n', "p.md")
    kept = tmp_path / "templates"

    def made(name: str, deck: str, templates: Path | None) -> bytes:
        ident = identify(found.cards, None, "ns", note_type(), 1_800_000_000, deck=deck)
        out = tmp_path / name
        package.prepare_apkg(
            out, deck, ident.notes, note_type(), ident.notetype_mod, templates=templates
        ).replace(out)
        return out.read_bytes()

    fresh = made("fresh.apkg", "D", None)
    assert made("first.apkg", "D", kept) == fresh  # makes the template
    assert len(list(kept.glob("*.anki2"))) == 1
    assert made("second.apkg", "D", kept) == fresh  # copies it
    other = made("other.apkg", "E", kept)
    assert other != fresh
    assert len(list(kept.glob("*.anki2"))) == 2
    ((decks,),) = package_rows(tmp_path / "other.apkg", "SELECT decks FROM col")
    assert "E" in {d["name"] for d in json.loads(decks).values()}
    assert package_rows(tmp_path / "other.apkg", "SELECT count(*) FROM notes") == [(2,)]
