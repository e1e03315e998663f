"""Self-test of tests/anki_harness.py against tiny decks built with genanki directly."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageOptions

from tests.anki_harness import (
    ALWAYS,
    IF_NEWER,
    answer_card,
    card_state,
    deck_names,
    desktop_import_options,
    fresh_collection,
    import_apkg,
    media_files,
    notes,
    notetype_names,
    open_collection,
    render_card,
    study_all_new,
)

pytestmark = pytest.mark.e2e

MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110
T0 = 1_700_000_000
GUID = "harness-guid-1"

MODEL = genanki.Model(
    MODEL_ID,
    "Harness QA",
    fields=[{"name": "Question"}, {"name": "Answer"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "<div class=q>{{Question}}</div>",
            "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}",
        }
    ],
    css=".card { color: black; }",
)


def build_apkg(
    path: Path,
    *,
    answer: str = "Answer one",
    timestamp: float = T0,
    extra: tuple[tuple[str, str, str], ...] = (),
    media: tuple[Path, ...] = (),
) -> Path:
    """One note (GUID, "Question one", answer) plus ``extra`` (guid, question, answer)."""
    deck = genanki.Deck(DECK_ID, "Harness Deck")
    deck.add_note(genanki.Note(model=MODEL, fields=["Question one", answer], guid=GUID))
    for guid, question, extra_answer in extra:
        deck.add_note(genanki.Note(model=MODEL, fields=[question, extra_answer], guid=guid))
    package = genanki.Package(deck, media_files=[str(p) for p in media])
    package.write_to_file(str(path), timestamp=timestamp)
    return path


@pytest.fixture
def col(tmp_path: Path) -> Iterator[Collection]:
    with fresh_collection(tmp_path / "profile") as collection:
        yield collection


def test_fresh_collection_and_desktop_defaults(tmp_path: Path, col: Collection) -> None:
    assert deck_names(col) == ["Default"]
    assert "Basic" in notetype_names(col)
    assert notes(col) == []
    assert media_files(col) == {}

    options = desktop_import_options(col)
    assert options == ImportAnkiPackageOptions(
        merge_notetypes=False,
        with_scheduling=False,
        with_deck_configs=False,
        update_notes=IF_NEWER,
        update_notetypes=IF_NEWER,
    )
    assert options == col._backend.get_import_anki_package_presets()

    with pytest.raises(FileExistsError):
        open_collection(Path(col.path))
    # Studying never straddles the day's end, whatever the hour the tests run at.
    assert 11 * 3600 < col.sched.day_cutoff - time.time() <= 13 * 3600

    # Anki saves the options of every import as the dialog's new presets.
    import_apkg(
        col,
        build_apkg(tmp_path / "a.apkg"),
        options=ImportAnkiPackageOptions(merge_notetypes=True, update_notes=ALWAYS),
    )
    with pytest.raises(AssertionError, match="merge_notetypes=True"):
        desktop_import_options(col)
    forced = desktop_import_options(col, require_default_presets=False)
    assert not forced.merge_notetypes
    assert forced.update_notes == IF_NEWER


def test_import_answer_and_reimport(tmp_path: Path, col: Collection) -> None:
    # First import: one new note with one card in the package's deck.
    log = import_apkg(col, build_apkg(tmp_path / "v1.apkg"))
    assert log.nonzero_counts() == {"new": 1}
    assert log.found_notes == 1
    [note] = notes(col)
    assert log.new == (note.id,)
    assert log.fields_of("new") == (("Question one", "Answer one"),)
    assert note.guid == GUID
    assert note.notetype == "Harness QA"
    assert note.field_names == ("Question", "Answer")
    assert note["Answer"] == "Answer one"
    assert note.mod == T0
    assert note.tags == ()
    assert note.deck_names == ("Harness Deck",)
    assert "Harness Deck" in deck_names(col)
    assert "Harness QA" in notetype_names(col)
    [cid] = note.card_ids

    question, answer = render_card(col, cid)
    assert question == "<style>.card { color: black; }</style><div class=q>Question one</div>"
    assert answer == (
        "<style>.card { color: black; }</style><div class=q>Question one</div>"
        "<hr id=answer>Answer one"
    )

    # Answering through the scheduler changes the card and writes a revlog row.
    before = card_state(col, cid)
    assert (before.type, before.queue, before.reps, before.revlog) == (0, 0, 0, ())
    after = answer_card(col, cid, ease=3)
    assert after == card_state(col, cid)
    assert (after.type, after.queue, after.reps) == (1, 1, 1)  # learning
    [row] = after.revlog
    assert row[1] == cid  # cid
    assert row[3] == 3  # ease: Good
    assert row[7] == 1000  # time taken (ms)

    # Same GUID, edited answer, newer build: the note is updated in place, the card and
    # its history are untouched.
    log = import_apkg(col, build_apkg(tmp_path / "v2.apkg", answer="Edited", timestamp=T0 + 100))
    assert log.nonzero_counts() == {"updated": 1}
    assert log.updated == (note.id,)
    [updated] = notes(col)
    assert updated.id == note.id
    assert updated["Answer"] == "Edited"
    assert updated.mod == T0 + 100
    assert updated.card_ids == (cid,)
    assert card_state(col, cid) == after
    assert render_card(col, cid)[1].endswith("Edited")

    # An equal timestamp is not newer: logged as duplicate, the edit is dropped.
    log = import_apkg(col, build_apkg(tmp_path / "v3.apkg", answer="Lost", timestamp=T0 + 100))
    assert log.nonzero_counts() == {"duplicate": 1}
    assert log.duplicate == (note.id,)
    assert notes(col) == [updated]
    assert card_state(col, cid) == after

    # An older build is ignored as well.
    log = import_apkg(col, build_apkg(tmp_path / "v4.apkg", answer="Old", timestamp=T0 + 50))
    assert log.nonzero_counts() == {"duplicate": 1}
    assert notes(col)[0]["Answer"] == "Edited"


def test_study_all_new_and_media(tmp_path: Path, col: Collection) -> None:
    image = tmp_path / "pic.png"
    image.write_bytes(b"\x89PNG fake")
    unused = tmp_path / "unused.png"
    unused.write_bytes(b"unused")
    apkg = build_apkg(
        tmp_path / "deck.apkg",
        extra=(("harness-guid-2", "Question two", '<img src="pic.png">'),),
        media=(image, unused),
    )
    log = import_apkg(col, apkg)
    assert log.counts()["new"] == 2
    # Only files referenced from note fields are imported (anki-facts.md section 6).
    assert media_files(col) == {"pic.png": b"\x89PNG fake"}

    all_cards = [cid for view in notes(col) for cid in view.card_ids]
    answered = study_all_new(col, ease=3)
    assert sorted(answered) == sorted(all_cards)
    for cid in all_cards:
        assert card_state(col, cid).reps == 1
    # Learning cards due within the learn-ahead limit (20 min) are queued again, like in
    # the desktop reviewer; a second Good graduates them, then nothing is due today.
    assert sorted(study_all_new(col, deck="Harness Deck")) == sorted(all_cards)
    for cid in all_cards:
        state = card_state(col, cid)
        assert (state.type, state.queue, state.reps, len(state.revlog)) == (2, 2, 2, 2)
        assert state.ivl >= 1
    assert study_all_new(col) == []
    assert col.decks.current()["name"] == "Default"
