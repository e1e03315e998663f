"""Stage: identity. Which earlier note each card continues, through rewordings and moves."""

from __future__ import annotations

from ankigen.cards.page import render_page
from ankigen.errors import Severity
from ankigen.identity.notes import Identified
from ankigen.output.notetype import note_type
from ankigen.records import RenderedCard
from tests.conftest import identify

ANSWER = "    It is the region of the input that affects one output unit.\n"
OTHER = "    A pooling layer downsamples its input.\n"


def cards(*pages: tuple[str, str]) -> list[RenderedCard]:
    out: list[RenderedCard] = []
    for rel, text in pages:
        out.extend(render_page(text, rel=rel).cards)
    return out


def page(*questions: tuple[str, str]) -> str:
    return "".join(f'??? question "{q}"\n{body}\n' for q, body in questions)


def build(
    prev: Identified | None,
    *pages: tuple[str, str],
    now: int = 1000,
    accept: frozenset[tuple[str, int]] = frozenset(),
) -> Identified:
    lock = prev.lock if prev is not None else None
    return identify(cards(*pages), lock, "ns", note_type(), now, deck="D", accept=accept)


def statuses(result: Identified) -> list[tuple[str, str]]:
    return [(n.status, n.question_text) for n in result.notes]


def test_typo_fix_keeps_the_guid() -> None:
    first = build(None, ("a.md", page(("What is a receptive feild?", ANSWER))))
    second = build(first, ("a.md", page(("What is a receptive field?", ANSWER))), now=2000)
    assert second.notes[0].guid == first.notes[0].guid
    assert second.notes[0].status == "reworded"
    assert second.notes[0].was == ("a.md", "What is a receptive feild?")
    assert second.notes[0].mod == 2000
    third = build(second, ("a.md", page(("What is a receptive field?", ANSWER))), now=3000)
    assert (third.notes[0].guid, third.notes[0].status) == (first.notes[0].guid, "unchanged")


def test_rewording_with_the_same_answer_keeps_the_guid() -> None:
    first = build(None, ("a.md", page(("What are receptive fields?", ANSWER))))
    second = build(first, ("a.md", page(("Define the receptive field of a unit.", ANSWER))))
    assert second.notes[0].guid == first.notes[0].guid
    assert statuses(second) == [("reworded", "Define the receptive field of a unit.")]


def test_typo_fix_and_answer_edit_together_keep_the_guid() -> None:
    first = build(None, ("a.md", page(("What does a pooling layer do?", OTHER))))
    second = build(first, ("a.md", page(("What does a pooling layer do ?", ANSWER))))
    assert second.notes[0].guid == first.notes[0].guid


def test_move_to_another_page_keeps_the_guid() -> None:
    q = ("What are receptive fields?", ANSWER)
    first = build(None, ("a.md", page(q, ("Stays here?", OTHER))))
    second = build(first, ("a.md", page(("Stays here?", OTHER))), ("b.md", page(q)))
    moved = next(n for n in second.notes if n.page == "b.md")
    assert moved.guid == first.notes[0].guid
    assert moved.status == "moved" and moved.was == ("a.md", "What are receptive fields?")
    assert not [n for n in second.notes if n.status == "removed"]


def test_unrelated_replacement_is_new_and_the_old_one_removed() -> None:
    first = build(None, ("a.md", page(("What is dropout?", ANSWER))))
    second = build(first, ("a.md", page(("Explain batch normalisation.", OTHER))))
    assert [n.status for n in second.notes] == ["new", "removed"]
    assert second.notes[0].guid != first.notes[0].guid
    assert second.proposals == ()


def test_weak_match_is_proposed_and_kept_only_when_accepted() -> None:
    first = build(None, ("a.md", page(("What is weight decay?", ANSWER))))
    edited = ("a.md", page(("Why use weight decay in training?", OTHER)))
    second = build(first, edited)
    assert [n.status for n in second.notes] == ["new", "removed"]
    ((card, entry, sim),) = second.proposals
    assert (card.page, card.line, entry.question) == ("a.md", 1, "What is weight decay?")
    assert 0.5 <= sim < 0.75
    accepted = build(first, edited, accept=frozenset({("a.md", 1)}))
    assert accepted.notes[0].guid == first.notes[0].guid
    assert [n.status for n in accepted.notes] == ["reworded"]


def test_explicit_id_survives_any_edit_and_a_lost_lockfile() -> None:
    body = "    <!-- ankigen-id: rf-1 -->\n" + ANSWER
    first = build(None, ("a.md", page(("Receptive field?", body))))
    second = build(
        first,
        ("z.md", page(("Totally different words", "    <!-- ankigen-id: rf-1 -->\n" + OTHER))),
    )
    assert second.notes[0].guid == first.notes[0].guid
    no_lock = build(None, ("z.md", page(("Totally different words", body))))
    assert no_lock.notes[0].guid == first.notes[0].guid
    assert "ankigen-id" not in second.notes[0].fields[1]


def test_repeated_explicit_ids_are_a_warning_and_two_notes() -> None:
    body = "    <!-- ankigen-id: same -->\n" + ANSWER
    result = build(None, ("a.md", page(("One?", body), ("Two?", body))))
    (diag,) = result.diagnostics
    assert "id 'same' repeats the one at a.md:1" in diag.message
    assert diag.severity is Severity.WARNING
    assert len({n.guid for n in result.notes}) == 2
    again = build(result, ("a.md", page(("One?", body), ("Two?", body))))
    assert [n.guid for n in again.notes] == [n.guid for n in result.notes]
    assert {n.status for n in again.notes} == {"unchanged"}


def test_swapped_questions_each_keep_their_own_note() -> None:
    first = build(None, ("a.md", page(("First question?", ANSWER), ("Second question?", OTHER))))
    second = build(first, ("a.md", page(("Second question?", OTHER), ("First question?", ANSWER))))
    assert {n.question_text: n.guid for n in second.notes} == {
        n.question_text: n.guid for n in first.notes
    }
    assert all(n.status == "unchanged" for n in second.notes)


def test_reusing_an_old_question_after_a_rewording_gets_a_fresh_guid() -> None:
    first = build(None, ("a.md", page(("What is a tensor?", ANSWER))))
    second = build(first, ("a.md", page(("What is a tensor, exactly?", ANSWER))))
    third = build(
        second, ("a.md", page(("What is a tensor, exactly?", ANSWER), ("What is a tensor?", OTHER)))
    )
    guids = [n.guid for n in third.notes]
    assert len(set(guids)) == 2 and guids[0] == first.notes[0].guid
    assert third.notes[1].status == "new"


def test_deck_change_is_reported_per_note() -> None:
    first = build(None, ("a.md", page(("Q one?", ANSWER))))
    second = identify(
        cards(("a.md", page(("Q one?", ANSWER)))), first.lock, "ns", note_type(), 2000, deck="E"
    )
    assert second.notes[0].was_deck == "D"


def test_accept_after_the_build_returns_the_card_to_its_earlier_note() -> None:
    first = build(None, ("a.md", page(("What is weight decay?", ANSWER))))
    edited = ("a.md", page(("Why use weight decay in training?", OTHER)))
    second = build(first, edited, now=2000)
    assert [n.status for n in second.notes] == ["new", "removed"]
    interim = second.notes[0].guid
    assert second.lock.notes[interim].maybe == first.notes[0].guid
    third = build(second, edited, now=3000, accept=frozenset({("a.md", 1)}))
    assert [(n.guid, n.status) for n in third.notes] == [
        (first.notes[0].guid, "reworded"),
        (interim, "removed"),
    ]
    assert third.notes[0].mod == 3000
    fourth = build(third, edited, now=4000)
    assert [(n.guid, n.status) for n in fourth.notes] == [
        (first.notes[0].guid, "unchanged"),
        (interim, "gone"),
    ]
