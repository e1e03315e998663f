"""Edit, rebuild, re-import for years (issue 4), with the official anki package.

Each scenario: build, import into a fresh collection with desktop defaults, review every card
through the scheduler, change the source, rebuild, re-import; then check notes, note ids,
fields, tags and that every reviewed card kept its state and review log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection
from anki.notes import NoteId

from ankigen.output.notetype import NOTETYPE_NAME
from tests.anki_harness import (
    CardState,
    card_state,
    fresh_collection,
    import_apkg,
    notes,
    notetype_names,
    study_all_new,
)
from tests.conftest import Project

pytestmark = pytest.mark.e2e

T0 = 1_800_000_000
CARDS_A = [
    ("What is a convolution?", "Sliding a kernel over the input and summing products."),
    ("What is stride?", "The step between two kernel positions."),
    ("What is padding?", "Extra border values so the output keeps its size."),
]
CARDS_B = [("What is max pooling?", "Keeping the largest value of each window.")]


def page(cards: list[tuple[str, str]]) -> str:
    return "".join(f'??? question "{q}"\n    {a}\n\n' for q, a in cards)


@pytest.fixture
def lifecycle(
    make_project: Callable[[dict[str, str]], Project], tmp_path: Path
) -> Iterator[tuple[Project, Collection, dict[int, CardState]]]:
    project = make_project({"a.md": page(CARDS_A), "b.md": page(CARDS_B)})
    assert project.build(now=T0) == 0
    with fresh_collection(tmp_path / "user") as col:
        import_apkg(col, project.apkg)
        reviewed = study_all_new(col)
        assert len(reviewed) == 4
        yield project, col, {cid: card_state(col, cid) for cid in reviewed}


def rebuild(project: Project, col: Collection) -> dict[str, int]:
    assert project.build(now=T0 + 60) == 0
    return import_apkg(col, project.apkg).nonzero_counts()


def by_question(col: Collection) -> dict[str, NoteId]:
    return {n.fields["Question"]: NoteId(n.id) for n in notes(col) if n.fields["Question"]}


def assert_history_kept(col: Collection, states: dict[int, CardState]) -> None:
    assert {cid: card_state(col, cid) for cid in states} == states
    assert [n for n in notetype_names(col) if n.startswith("ankigen")] == [NOTETYPE_NAME]


def test_1_answer_edited(lifecycle: tuple[Project, Collection, dict[int, CardState]]) -> None:
    project, col, states = lifecycle
    before = by_question(col)
    project.edit("a.md", "The step between", "The distance between")
    assert rebuild(project, col) == {"updated": 1, "duplicate": 3}
    assert by_question(col) == before
    note = col.get_note(before["What is stride?"])
    assert "The distance between" in note["Answer"]
    assert_history_kept(col, states)


def test_2_question_typo_fixed(
    lifecycle: tuple[Project, Collection, dict[int, CardState]],
) -> None:
    project, col, states = lifecycle
    old = by_question(col)["What is padding?"]
    project.edit("a.md", "What is padding?", "What is paddding for?")
    assert rebuild(project, col) == {"updated": 1, "duplicate": 3}
    assert by_question(col)["What is paddding for?"] == old
    assert len(notes(col)) == 4
    assert_history_kept(col, states)


def test_3_question_reworded_same_answer(
    lifecycle: tuple[Project, Collection, dict[int, CardState]],
) -> None:
    project, col, states = lifecycle
    old = by_question(col)["What is a convolution?"]
    project.edit("a.md", "What is a convolution?", "Describe the convolution operation.")
    assert rebuild(project, col) == {"updated": 1, "duplicate": 3}
    assert by_question(col)["Describe the convolution operation."] == old
    assert_history_kept(col, states)


def test_4_card_moved_to_another_page(
    lifecycle: tuple[Project, Collection, dict[int, CardState]],
) -> None:
    project, col, states = lifecycle
    old = by_question(col)["What is stride?"]
    moved = CARDS_A[1]
    project.page("a.md").write_text(page([CARDS_A[0], CARDS_A[2]]), encoding="utf-8")
    project.page("b.md").write_text(page([*CARDS_B, moved]), encoding="utf-8")
    assert rebuild(project, col) == {"updated": 1, "duplicate": 3}
    note = col.get_note(old)
    assert note["Question"] == "What is stride?" and "b.md" in note["Source"]
    assert len(notes(col)) == 4
    assert_history_kept(col, states)


def test_5_cards_reordered(lifecycle: tuple[Project, Collection, dict[int, CardState]]) -> None:
    project, col, states = lifecycle
    before = by_question(col)
    project.page("a.md").write_text(page(list(reversed(CARDS_A))), encoding="utf-8")
    assert rebuild(project, col) == {"duplicate": 4}
    assert by_question(col) == before
    assert_history_kept(col, states)


def test_6_card_deleted(
    lifecycle: tuple[Project, Collection, dict[int, CardState]], tmp_path: Path
) -> None:
    project, col, states = lifecycle
    old = by_question(col)["What is padding?"]
    project.page("a.md").write_text(page(CARDS_A[:2]), encoding="utf-8")
    assert rebuild(project, col) == {"updated": 1, "duplicate": 3}
    assert col.find_notes("tag:ankigen::removed") == [old]
    assert_history_kept(col, states)
    with fresh_collection(tmp_path / "newcomer") as fresh:
        import_apkg(fresh, project.apkg)
        assert fresh.card_count() == 3
        shown = {fresh.get_card(c).note()["Question"] for c in fresh.find_cards("")}
        assert "What is padding?" not in shown


def test_7_card_added_between_others(
    lifecycle: tuple[Project, Collection, dict[int, CardState]], tmp_path: Path
) -> None:
    project, col, states = lifecycle
    before = by_question(col)
    added = ("What is dilation?", "Spacing between kernel taps.")
    project.page("a.md").write_text(page([CARDS_A[0], added, *CARDS_A[1:]]), encoding="utf-8")
    assert rebuild(project, col) == {"new": 1, "duplicate": 4}
    after = by_question(col)
    assert {q: after[q] for q in before} == before
    assert_history_kept(col, states)
    with fresh_collection(tmp_path / "newcomer") as fresh:
        import_apkg(fresh, project.apkg)
        order = sorted((fresh.get_card(c) for c in fresh.find_cards("")), key=lambda c: c.due)
        assert [c.note()["Question"] for c in order] == [
            "What is a convolution?",
            "What is dilation?",
            "What is stride?",
            "What is padding?",
            "What is max pooling?",
        ]


def test_8_page_renamed(lifecycle: tuple[Project, Collection, dict[int, CardState]]) -> None:
    project, col, states = lifecycle
    before = by_question(col)
    project.page("a.md").rename(project.page("convolutions.md"))
    assert rebuild(project, col) == {"updated": 3, "duplicate": 1}
    assert by_question(col) == before
    assert all("convolutions.md" in col.get_note(before[q])["Source"] for q, _ in CARDS_A)
    assert not col.find_notes("tag:ankigen::removed")
    assert_history_kept(col, states)


def test_11_no_change(lifecycle: tuple[Project, Collection, dict[int, CardState]]) -> None:
    project, col, states = lifecycle
    apkg, lock = project.apkg.read_bytes(), project.lock.read_bytes()
    assert rebuild(project, col) == {"duplicate": 4}
    assert project.apkg.read_bytes() == apkg and project.lock.read_bytes() == lock
    assert_history_kept(col, states)


def test_12_lockfile_deleted(
    lifecycle: tuple[Project, Collection, dict[int, CardState]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, col, states = lifecycle
    before = by_question(col)
    project.lock.unlink()
    capsys.readouterr()
    assert rebuild(project, col) == {"updated": 4}  # all re-sent once, same notes
    assert by_question(col) == before
    err = capsys.readouterr().err
    assert "warning: no lockfile, but" in err and "reworded or moved" in err
    assert_history_kept(col, states)


def test_accepting_a_proposed_match_after_import_restores_the_history(
    lifecycle: tuple[Project, Collection, dict[int, CardState]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, col, states = lifecycle
    old = by_question(col)["What is padding?"]
    project.edit(
        "a.md",
        'What is padding?"\n    Extra border values so the output keeps its size.',
        'What is input padding used for?"\n    So a same-size output is possible.',
    )
    assert rebuild(project, col) == {"new": 1, "updated": 1, "duplicate": 3}
    assert "--accept a.md:7" in capsys.readouterr().out
    interim = by_question(col)["What is input padding used for?"]
    assert project.build("--accept", "a.md:7", now=T0 + 120) == 0
    assert import_apkg(col, project.apkg).nonzero_counts() == {"updated": 2, "duplicate": 3}
    assert by_question(col)["What is input padding used for?"] == old
    assert col.find_notes("tag:ankigen::removed") == [interim]
    assert_history_kept(col, states)


def test_measured_a_suspended_card_does_not_travel_so_removal_uses_tombstones(
    tmp_path: Path,
) -> None:
    """Why removed questions are tombstones with an empty front rather than suspended cards:
    with the desktop defaults a suspended card arrives as a plain new card."""
    model = genanki.Model(
        1_600_000_000_123,
        "measure suspend",
        fields=[{"name": "Q"}],
        templates=[{"name": "C", "qfmt": "{{Q}}", "afmt": "{{Q}}"}],
    )
    note = genanki.Note(model=model, fields=["q"], guid="measure-1")
    note.cards[0].suspend = True
    deck = genanki.Deck(1_600_000_000_456, "Measure")
    deck.add_note(note)
    apkg = tmp_path / "suspended.apkg"
    genanki.Package(deck).write_to_file(str(apkg), timestamp=T0)
    with fresh_collection(tmp_path / "measure") as col:
        import_apkg(col, apkg)
        (cid,) = col.find_cards("")
        assert card_state(col, cid).queue == 0  # not -1: suspension was dropped
