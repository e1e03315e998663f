"""Stage: identify. GUIDs, content hashes, mods and the lockfile."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ankigen.jsonrows as jsonrows_module
from ankigen.cards.page import render_page
from ankigen.errors import AnkigenError, Severity
from ankigen.identity.lockfile import dump_lock, load_lock
from ankigen.identity.notes import base91, check_notetype, make_guid, next_mod, normalize_question
from ankigen.output.notetype import note_type
from ankigen.records import RenderedCard
from tests.conftest import identify

PAGE = (
    '??? question "What is a CNN?"\n    A network.\n\n??? question "What is pooling?"\n    Down.\n'
)


def rendered(text: str = PAGE, rel: str = "p.md") -> tuple[RenderedCard, ...]:
    return render_page(text, rel=rel).cards


def test_guid_ignores_case_spacing_and_unicode_form() -> None:
    a = make_guid("ns", "p.md", "What is  a CNN?")
    assert a == make_guid("ns", "p.md", " what is a cnn? ")
    assert make_guid("ns", "p.md", "Caf\u00e9?") == make_guid("ns", "p.md", "Cafe\u0301?")
    assert a != make_guid("ns", "q.md", "What is a CNN?")
    assert a != make_guid("other", "p.md", "What is a CNN?")


@given(st.text(min_size=1))
def test_guid_is_short_printable_ascii(question: str) -> None:
    guid = make_guid("ns", "p.md", question)
    assert 1 <= len(guid) <= 10
    assert all(33 <= ord(ch) < 127 for ch in guid)


def test_guids_never_change() -> None:
    """Every user's notes are matched by these: a different GUID is a duplicate note."""
    ns, page = "Deep Learning Questions", "cnn.md"
    assert make_guid(ns, page, "What are Receptive Fields in CNNs?") == "E!dT<2GPPx"
    assert make_guid(ns, page, "x") == "G2vJpU5wdC"
    assert make_guid(ns, page, "Caf\u00e9?") == "EP}f{1xifW"


def _base91_digit_by_digit(number: int) -> str:
    digits = (
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        "!#$%&()*+,-./:;<=>?@[]^_`{|}~"
    )
    out = ""
    while True:
        number, digit = divmod(number, 91)
        out = digits[digit] + out
        if number == 0:
            return out


@given(
    st.one_of(
        st.integers(min_value=0, max_value=2**64 - 1),
        st.sampled_from([0, 1, 90, 91, 92, 8280, 8281, 8282, 91**3 - 1, 91**3, 91**4, 2**64 - 1]),
    )
)
def test_base91_pairs_match_digit_by_digit(number: int) -> None:
    assert base91(number) == _base91_digit_by_digit(number)


def test_normalize_question() -> None:
    assert normalize_question("  A\tB \n C ") == "a b c"


@pytest.mark.parametrize(
    ("previous", "now", "expected"),
    [(None, 100, 100), (50, 100, 100), (100, 100, 101), (200, 100, 201)],
)
def test_next_mod_is_strictly_newer(previous: int | None, now: int, expected: int) -> None:
    assert next_mod(previous, now) == expected


def test_answer_edit_keeps_guid_and_bumps_only_that_note() -> None:
    nt = note_type()
    first = identify(rendered(), None, "ns", nt, now=1000)
    assert [n.status for n in first.notes] == ["new", "new"]
    edited = rendered(PAGE.replace("A network.", "A neural network."))
    second = identify(edited, first.lock, "ns", nt, now=1000)
    assert [n.guid for n in second.notes] == [n.guid for n in first.notes]
    assert [n.status for n in second.notes] == ["changed", "unchanged"]
    assert second.notes[0].mod == 1001  # same second: still strictly newer
    assert second.notes[1].mod == 1000
    assert second.notetype_mod == first.notetype_mod


def test_clock_going_backwards_still_moves_changed_mods_forward() -> None:
    nt = note_type()
    first = identify(rendered(), None, "ns", nt, now=5000)
    edited = rendered(PAGE.replace("Down.", "Downsampling."))
    second = identify(edited, first.lock, "ns", nt, now=10)
    assert second.notes[1].mod == 5001


def test_template_change_bumps_notetype_mod_only() -> None:
    nt = note_type()
    first = identify(rendered(), None, "ns", nt, now=1000)
    restyled = replace(nt, css=nt.css + "\n.card { color: red; }")
    second = identify(rendered(), first.lock, "ns", restyled, now=900)
    assert second.notetype_mod == 1001
    assert [n.mod for n in second.notes] == [1000, 1000]


def test_lock_namespace_wins_over_a_renamed_deck() -> None:
    nt = note_type()
    first = identify(rendered(), None, "Old deck", nt, now=1000)
    second = identify(rendered(), first.lock, "New deck", nt, now=2000)
    assert [n.guid for n in second.notes] == [n.guid for n in first.notes]
    assert all(n.status == "unchanged" for n in second.notes)


def test_repeated_question_is_a_warning_naming_both_places_and_two_notes() -> None:
    page = PAGE + '\n??? question "what is a  CNN?"\n    Again.\n'
    result = identify(rendered(page), None, "ns", note_type(), now=1)
    (diag,) = result.diagnostics
    assert diag.severity is Severity.WARNING
    assert diag.line == 7 and "p.md:1" in diag.message and "ankigen-id" in (diag.hint or "")
    assert len(result.notes) == 3 and len({n.guid for n in result.notes}) == 3
    assert [n.anchor for n in result.notes] == ["#1", "", "#2"]


def test_lockfile_round_trip_is_stable_and_sorted(tmp_path: Path) -> None:
    result = identify(rendered(), None, "ns", note_type(), now=1000)
    text = dump_lock(result.lock)
    path = tmp_path / "ankigen.lock"
    path.write_text(text, encoding="utf-8")
    loaded = load_lock(path)
    assert loaded == result.lock
    assert dump_lock(loaded) == text
    assert text.index("What is a CNN?") < text.index("What is pooling?")


def test_remembered_rows_give_the_same_lockfile_as_fresh_encoding() -> None:
    """The row memo of a long-lived process never changes a byte of the lockfile."""
    first = identify(rendered(), None, "ns", note_type(), now=1000)
    dump_lock(first.lock)
    assert len(jsonrows_module._ROW_MEMO["lockfile"]) == len(first.lock.notes)
    edited = {
        guid: entry._replace(mod=entry.mod + 1, question=entry.question + " \u00e9")
        if i == 0
        else entry
        for i, (guid, entry) in enumerate(sorted(first.lock.notes.items()))
    }
    second = replace(first.lock, notes=edited)
    remembered = dump_lock(second)
    jsonrows_module._ROW_MEMO.clear()
    assert dump_lock(second) == remembered
    assert "\u00e9" in remembered


def test_missing_lockfile_is_none(tmp_path: Path) -> None:
    assert load_lock(tmp_path / "nope.lock") is None


@pytest.mark.parametrize("content", ["{not json", '{"version": 99}', '{"version": 1}'])
def test_corrupt_lockfile_is_a_diagnostic(tmp_path: Path, content: str) -> None:
    path = tmp_path / "ankigen.lock"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AnkigenError) as info:
        load_lock(path)
    (diag,) = info.value.diagnostics
    assert diag.path == str(path) and "delete the lockfile" in diag.hint


def test_removed_question_becomes_a_tagged_tombstone_once() -> None:
    nt = note_type()
    first = identify(rendered(), None, "ns", nt, now=1000)
    kept = '??? question "What is a CNN?"\n    A network.\n'
    second = identify(rendered(kept), first.lock, "ns", nt, now=2000)
    live, tomb = second.notes
    assert live.status == "unchanged" and live.mod == 1000
    assert tomb.guid == first.notes[1].guid
    assert (tomb.status, tomb.mod, tomb.tags) == ("removed", 2000, ("ankigen::removed",))
    assert tomb.fields[0] == "" and "What is pooling?" in tomb.fields[3]
    assert second.lock.notes[tomb.guid].removed
    third = identify(rendered(kept), second.lock, "ns", nt, now=3000)
    assert (third.notes[1].status, third.notes[1].mod) == ("gone", 2000)


def test_restored_question_gets_its_old_guid_and_a_newer_mod() -> None:
    nt = note_type()
    first = identify(rendered(), None, "ns", nt, now=1000)
    kept = '??? question "What is a CNN?"\n    A network.\n'
    second = identify(rendered(kept), first.lock, "ns", nt, now=2000)
    third = identify(rendered(), second.lock, "ns", nt, now=1500)
    back = third.notes[1]
    assert back.guid == first.notes[1].guid
    assert (back.status, back.mod, back.tags) == ("new", 2001, ())
    assert not third.lock.notes[back.guid].removed


def test_field_change_of_a_published_note_type_is_refused() -> None:
    nt = note_type()
    first = identify(rendered(), None, "ns", nt, now=1000)
    assert first.lock.notetype_schema == nt.schema
    renamed = replace(nt, fields=("Front", "Answer", "Links", "Source"))
    (diag,) = check_notetype(first.lock, renamed, "ankigen.lock")
    assert "fields ['Question', 'Answer', 'Links', 'Source'] -> ['Front'" in diag.message
    assert "'ankigen Q&A v1+'" in diag.hint and "new note type id" in diag.hint
    assert check_notetype(first.lock, replace(nt, css=nt.css + "x"), "l") == []
    bumped = replace(renamed, id=nt.id + 1, name="ankigen Q&A v2")
    assert check_notetype(first.lock, bumped, "l") == []
    assert check_notetype(None, renamed, "l") == []
