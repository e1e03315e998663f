"""Rows of the lockfile and the JSON report, written without the JSON encoder, are exactly
what the encoder writes."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from ankigen.identity.lockfile import Lock, LockEntry, _entry_line, dump_lock
from ankigen.jsonrows import _ENCODER, json_lines_chunks
from ankigen.output.report import ReportEntry, report_line


# The rows as dicts, the form the lockfile and the report document, for the encoder to write.
def entry_json(entry: LockEntry) -> dict[str, object]:
    data: dict[str, object] = {
        "guid": entry.guid,
        "page": entry.page,
        "question": entry.question,
        "hash": entry.hash,
        "mod": entry.mod,
    }
    if entry.body:
        data["body"] = entry.body
    if entry.id is not None:
        data["id"] = entry.id
    if entry.deck:
        data["deck"] = entry.deck
    if entry.maybe is not None:
        data["maybe"] = entry.maybe
    if entry.anchor:
        data["anchor"] = entry.anchor
    if entry.removed:
        data["removed"] = True
    return data


def report_row(e: ReportEntry) -> dict[str, object]:
    required = ("status", "page", "line", "question", "guid")
    values = {
        "status": e.status,
        "page": e.page,
        "line": e.line,
        "question": e.question,
        "guid": e.guid,
        "was_page": e.was_page,
        "was_question": e.was_question,
        "deck": e.deck,
        "was_deck": e.was_deck,
    }
    return {k: v for k, v in values.items() if v != "" or k in required}


# Quotes, backslashes, control characters, line separators, surrogates, astral characters.
TEXT = st.text(alphabet=st.characters(codec=None), max_size=12) | st.sampled_from(
    ["", '"', "\\", "\x00\x1f\x7f", "\u2028\u2029", "\ud800", "é日本🙂", "a\nb\tc"]
)
OPTIONAL = st.none() | TEXT

ENTRIES = st.builds(
    LockEntry,
    guid=TEXT,
    page=TEXT,
    question=TEXT,
    hash=TEXT,
    mod=st.integers(min_value=-(2**70), max_value=2**70),
    removed=st.booleans(),
    body=TEXT,
    id=OPTIONAL,
    deck=TEXT,
    maybe=OPTIONAL,
    anchor=TEXT,
)

REPORT_ENTRIES = st.builds(
    ReportEntry,
    status=st.sampled_from(["new", "changed", "unchanged", "reworded", "moved", "removed"]),
    page=TEXT,
    line=st.integers(min_value=0, max_value=10**9),
    question=TEXT,
    guid=TEXT,
    was_page=TEXT,
    was_question=TEXT,
    deck=TEXT,
    was_deck=TEXT,
)


@given(ENTRIES)
@example(LockEntry("g", "p.md", 'Say "hi"\\', "h", 1, removed=True, id="x", maybe="m"))
def test_a_lock_line_is_the_encoders_row(entry: LockEntry) -> None:
    assert _entry_line(entry) == _ENCODER.encode(entry_json(entry))
    assert json.loads(_entry_line(entry)) == entry_json(entry)


@given(REPORT_ENTRIES)
def test_a_report_line_is_the_encoders_row(entry: ReportEntry) -> None:
    assert report_line(entry) == _ENCODER.encode(report_row(entry))


@given(st.lists(ENTRIES, max_size=30, unique_by=lambda e: e.guid))
def test_a_whole_lockfile_is_the_encoders_rows_one_per_line(entries: list[LockEntry]) -> None:
    lock = Lock("ns", notes={e.guid: e for e in entries})
    ordered = sorted(lock.notes.values(), key=lambda e: (e.page, e.question, e.guid))
    rows = [_ENCODER.encode(entry_json(e)) for e in ordered]
    head: dict[str, object] = {"version": 1}
    expected = '{\n  "version": 1,\n  "notes": ' + (
        "[\n    " + ",\n    ".join(rows) + "\n  ]\n}\n" if rows else "[]\n}\n"
    )
    assert "".join(json_lines_chunks(head, "notes", ordered, _entry_line, batch=7)) == expected
    assert json.loads(dump_lock(lock))["notes"] == [entry_json(e) for e in ordered]
