"""Repeated titles (issue 12 §1): two boxes with one title on a page are two notes, a warning
names both places, and each keeps its note through everyday edits, end to end through Anki's
own importer with desktop defaults and real reviews."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.notes import NoteId

from ankigen.cards.page import render_page
from ankigen.identity.lockfile import load_lock
from ankigen.output.notetype import note_type
from tests.anki_harness import (
    CardState,
    card_state,
    fresh_collection,
    import_apkg,
    notes,
    study_all_new,
)
from tests.conftest import Project, identify

T0 = 1_800_000_000


def api_page(sections: list[tuple[str, str, str]]) -> str:
    """One ``## name`` section per function, each with an "Input" and a "Variables" box."""
    out = ["# Library reference\n\n"]
    for name, given, variables in sections:
        out.append(f"## {name}\n\nWhat `{name}` does.\n\n")
        out.append(f'??? question "Input"\n    {given}\n\n')
        out.append(f'??? question "Variables"\n    {variables}\n\n')
    return "".join(out)


SECTIONS = [
    ("load", "A file path.", "The buffer size."),
    ("parse", "The loaded text.", "The grammar in use."),
    ("store", "A parsed tree.", "The target folder."),
]


def test_repeats_are_notes_with_a_warning_at_both_places() -> None:
    result = render_page(api_page(SECTIONS), rel="api.md")
    assert [c.anchor for c in result.cards] == [
        "Library reference > load #1",
        "Library reference > load #1",
        "Library reference > parse #1",
        "Library reference > parse #1",
        "Library reference > store #1",
        "Library reference > store #1",
    ]
    # the fronts differ by their heading, so Anki's first-field check has nothing to flag
    assert len({c.fields[0] for c in result.cards}) == 6
    assert result.cards[2].fields[0] == '<div class="ankigen-context">parse</div>Input'
    identified = identify(result.cards, None, "ns", note_type(), now=1)
    assert len({n.guid for n in identified.notes}) == 6
    places = [(d.line, d.message) for d in identified.diagnostics]
    assert len(places) == 4
    assert places[0][0] == 17 and "api.md:7" in places[0][1] and "'Input'" in places[0][1]


def test_a_page_without_repeats_keeps_no_anchor() -> None:
    result = render_page('# T\n\n??? question "A?"\n    a\n\n??? question "B?"\n    b\n')
    assert [(c.anchor, c.context_html) for c in result.cards] == [("", ""), ("", "")]


def test_strict_makes_a_repeat_fail_the_build(
    make_project: Callable[[dict[str, str]], Project], capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"api.md": api_page(SECTIONS)})
    assert project.build("--strict") == 1
    err = capsys.readouterr().err
    assert "api.md:17:1: warning: question repeats the one at api.md:7: 'Input'" in err
    assert "(warnings are errors under --strict)" in err and "nothing written" in err
    assert "<!-- ankigen-id: NAME -->" in err
    assert not project.apkg.exists()
    assert project.build() == 0
    assert "api.md:17:1: warning: question repeats" in capsys.readouterr().err


def test_lockfile_records_anchors_only_for_repeats(
    make_project: Callable[[dict[str, str]], Project],
) -> None:
    project = make_project({"api.md": api_page(SECTIONS), "one.md": '??? question "Q?"\n    A\n'})
    assert project.build() == 0
    text = project.lock.read_text(encoding="utf-8")
    assert text.count('"anchor": ') == 6
    lock = load_lock(project.lock)
    assert lock is not None
    assert {e.anchor for e in lock.notes.values() if e.page == "one.md"} == {""}


def test_rebuild_without_lockfile_gives_the_same_guids(
    make_project: Callable[[dict[str, str]], Project],
) -> None:
    project = make_project({"api.md": api_page(SECTIONS)})
    assert project.build() == 0
    lock = load_lock(project.lock)
    project.lock.unlink()
    assert project.build() == 0
    assert load_lock(project.lock) is not None
    again = load_lock(project.lock)
    assert lock is not None and again is not None
    assert set(again.notes) == set(lock.notes)


Lifecycle = tuple[Project, Collection, dict[int, CardState]]


@pytest.fixture
def lifecycle(
    make_project: Callable[[dict[str, str]], Project], tmp_path: Path
) -> Iterator[Lifecycle]:
    project = make_project({"api.md": api_page(SECTIONS)})
    assert project.build(now=T0) == 0
    with fresh_collection(tmp_path / "user") as col:
        import_apkg(col, project.apkg)
        reviewed = study_all_new(col)
        assert len(reviewed) == 6
        yield project, col, {cid: card_state(col, cid) for cid in reviewed}


def rebuild(project: Project, col: Collection) -> dict[str, int]:
    assert project.build(now=T0 + 60) == 0
    return import_apkg(col, project.apkg).nonzero_counts()


def by_answer(col: Collection) -> dict[str, int]:
    """Note id by answer text (every answer in these pages is different)."""
    return {n.fields["Answer"]: n.id for n in notes(col)}


def assert_kept(col: Collection, states: dict[int, CardState], skip: int = 0) -> None:
    now = {cid: card_state(col, cid) for cid in states}
    assert sum(now[c] != states[c] for c in states) == skip
    assert len(notes(col)) == len({n.fields["Answer"] for n in notes(col)})


@pytest.mark.e2e
def test_editing_one_repeated_answer_keeps_every_note(lifecycle: Lifecycle) -> None:
    project, col, states = lifecycle
    before = by_answer(col)
    project.edit("api.md", "The loaded text.", "The text read from disk.")
    assert rebuild(project, col) == {"updated": 1, "duplicate": 5}
    after = by_answer(col)
    assert after["<p>The text read from disk.</p>"] == before["<p>The loaded text.</p>"]
    assert len(after) == 6
    assert_kept(col, states)


@pytest.mark.e2e
def test_inserting_a_repeat_above_keeps_the_others(lifecycle: Lifecycle) -> None:
    project, col, states = lifecycle
    before = by_answer(col)
    project.edit(
        "api.md",
        '??? question "Input"\n    The loaded text.',
        '??? question "Input"\n    A second input, added later.\n\n'
        '??? question "Input"\n    The loaded text.',
    )
    # the twin already there now shows its ordinal under the heading: "parse (2)"
    assert rebuild(project, col) == {"new": 1, "updated": 1, "duplicate": 5}
    after = by_answer(col)
    assert {a: after[a] for a in before} == before
    assert len(after) == 7
    assert_kept(col, states)


@pytest.mark.e2e
def test_reordering_two_sections_keeps_every_note(lifecycle: Lifecycle) -> None:
    project, col, states = lifecycle
    before = by_answer(col)
    swapped = [SECTIONS[2], SECTIONS[0], SECTIONS[1]]
    project.page("api.md").write_text(api_page(swapped), encoding="utf-8")
    counts = rebuild(project, col)
    assert counts.get("new", 0) == 0 and sum(counts.values()) == 6
    assert by_answer(col) == before
    assert_kept(col, states)


@pytest.mark.e2e
def test_repeated_titles_under_one_heading_keep_their_notes(
    make_project: Callable[[dict[str, str]], Project], tmp_path: Path
) -> None:
    boxes = ["First step.", "Second step.", "Third step."]
    text = "# Steps\n\n" + "".join(f'??? question "Next"\n    {b}\n\n' for b in boxes)
    project = make_project({"s.md": text})
    assert project.build(now=T0) == 0
    with fresh_collection(tmp_path / "user") as col:
        import_apkg(col, project.apkg)
        states = {cid: card_state(col, cid) for cid in study_all_new(col)}
        before = by_answer(col)
        project.edit("s.md", "Second step.", "Second step, reworded.")
        assert rebuild(project, col) == {"updated": 1, "duplicate": 2}
        after = by_answer(col)
        assert after["<p>Second step, reworded.</p>"] == before["<p>Second step.</p>"]
        assert after["<p>Third step.</p>"] == before["<p>Third step.</p>"]
        assert_kept(col, states)
        fronts = sorted(n.fields["Question"] for n in notes(col))
        assert fronts == [f'<div class="ankigen-context">Steps ({i})</div>Next' for i in (1, 2, 3)]
        for view in notes(col):
            assert col.get_note(NoteId(view.id)).fields_check() == 0  # no duplicate front
