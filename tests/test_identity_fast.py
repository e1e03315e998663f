"""The exact-match shortcut of ``identify`` gives what the general matching gives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from ankigen.identity import notes as notes_module
from ankigen.identity.lockfile import Lock, LockEntry, dump_lock
from ankigen.identity.notes import Identified, KeptNotes, identify
from ankigen.output.notetype import note_type
from ankigen.records import RenderedCard

# Few values, so questions collide (also after normalisation), repeat, move and swap.
PAGES = ("a.md", "b.md")
QUESTIONS = ("What is X?", "what is  X?", "What is Y?", "Why Z?", "Why Z ?")


@st.composite
def one_card(draw: st.DrawFn) -> RenderedCard:
    question = draw(st.sampled_from(QUESTIONS))
    page = draw(st.sampled_from(PAGES))
    return RenderedCard(
        page=page,
        line=1,
        col=1,
        kind="question",
        question_html=question,
        question_text=question,
        answer_html=draw(st.sampled_from(("", "one", "two"))),
        links=(),
        links_html="",
        source_html=page,
        explicit_id=draw(st.none() | st.sampled_from(("k1", "k2"))),
        anchor=draw(st.sampled_from(("", "h#1", "h#2"))),
    )


def numbered(cards: Sequence[RenderedCard]) -> list[RenderedCard]:
    return [replace(card, line=line) for line, card in enumerate(cards, 1)]


def edited(card: RenderedCard) -> st.SearchStrategy[RenderedCard]:
    """``card`` itself or with one thing changed."""
    return st.sampled_from(
        (
            card,
            replace(card, anchor="h#2" if card.anchor else ""),
            replace(card, answer_html=card.answer_html + "!", fields_digest="", body_digest=""),
            replace(card, explicit_id=None if card.explicit_id else "k1"),
            replace(card, page="b.md" if card.page == "a.md" else "a.md", source_html="x"),
            replace(card, question_text=card.question_text + " ", question_html="q"),
        )
    )


def run(
    cards: Sequence[RenderedCard],
    lock: Lock | None,
    now: int,
    accept: frozenset[tuple[str, int]] = frozenset(),
    deck: str = "D",
    *,
    kept: KeptNotes | None = None,
    tags: dict[str, tuple[str, ...]] | None = None,
) -> Identified:
    return identify(
        cards,
        lock,
        "ns",
        note_type(),
        now,
        deck=deck,
        decks={"b.md": "D::b"},
        accept=accept,
        tombstone_source=lambda page, question: f"{page}: {question}",
        kept=kept,
        tags=tags,
    )


def general(cards: Sequence[RenderedCard], lock: Lock | None, now: int, **kw: object) -> Identified:
    """``identify`` with the shortcut off: every card through ``resolve``."""
    with patch.object(notes_module, "_exact_matches", lambda c, _q, _l: [None] * len(c)):
        return run(cards, lock, now, **kw)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(one_card(), max_size=8),
    st.lists(one_card(), max_size=8),
    st.data(),
    st.frozensets(st.tuples(st.sampled_from(PAGES), st.integers(1, 8)), max_size=2),
    st.sampled_from(("D", "E")),
)
def test_the_shortcut_gives_the_general_matching(
    first: list[RenderedCard],
    second: list[RenderedCard],
    data: st.DataObject,
    accept: frozenset[tuple[str, int]],
    deck: str,
) -> None:
    first, second = numbered(first), numbered(second)
    lock = run(second, run(first, None, 1000).lock, 2000).lock  # rewordings, removals
    # The next build: the second's cards, some edited, dropped, repeated or new.
    kept = [data.draw(edited(card)) for card in second if data.draw(st.booleans())]
    third = numbered(data.draw(st.permutations([*kept, *data.draw(st.lists(one_card()))])))
    fast = run(third, lock, 3000, accept, deck)
    slow = general(third, lock, 3000, accept=accept, deck=deck)
    _assert_same(fast, slow)


def _assert_same(got: Identified, expected: Identified) -> None:
    """The same notes, lockfile entries in the same order, and lockfile bytes."""
    assert got == expected
    assert list(got.lock.notes) == list(expected.lock.notes)
    assert dump_lock(got.lock) == dump_lock(expected.lock)


def _five_plain_cards() -> list[RenderedCard]:
    return [
        RenderedCard("a.md", i, 1, "question", f"Q{i}?", f"Q{i}?", "A", (), "", "a.md")
        for i in range(1, 6)
    ]


def test_an_unchanged_rebuild_takes_the_shortcut_for_every_plain_card() -> None:
    cards = _five_plain_cards()
    lock = run(cards, None, 1000).lock
    questions = [c.question_text.casefold() for c in cards]
    exact = notes_module._exact_matches(cards, questions, lock)
    assert exact == [lock.notes[n.guid] for n in run(cards, None, 1000).notes]
    again = run(cards, lock, 2000)
    assert again.lock.notes == lock.notes
    assert all(again.lock.notes[g] is e for g, e in lock.notes.items())  # kept, not made anew
    assert all(isinstance(e, LockEntry) for e in again.lock.notes.values())


def plain(question: str, anchor: str = "") -> RenderedCard:
    return RenderedCard(
        "a.md", 1, 1, "question", question, question, "one", (), "", "a.md", anchor=anchor
    )


def test_a_note_with_the_question_written_otherwise_is_matched_as_resolve_does() -> None:
    """Two live notes with the same question once normalized: the one written as the card is
    not taken for granted (resolve takes the first by GUID of those with its answer)."""
    card = plain("What is X?")
    written = LockEntry("g2", "a.md", "What is X?", card.fields_digest, 5, body=card.body_digest)
    otherwise = written._replace(guid="g1", question="what is  X?")
    lock = Lock("ns", notes={"g1": otherwise, "g2": written})
    assert notes_module._exact_matches([card], ["what is x?"], lock) == [None]
    fast = run([card], lock, 3000)
    assert fast == general([card], lock, 3000)
    assert [(n.guid, n.status) for n in fast.notes] == [("g1", "unchanged"), ("g2", "removed")]


def test_a_new_anchor_is_written_to_the_lockfile() -> None:
    card = plain("What is X?")
    entry = LockEntry("g", "a.md", "What is X?", card.fields_digest, 5, body=card.body_digest)
    entry = entry._replace(deck="D")
    lock = Lock("ns", notes={"g": entry._replace(anchor="Part#2")})
    assert notes_module._exact_matches([card], ["what is x?"], lock) == [None]
    fast = run([card], lock, 3000)
    assert fast == general([card], lock, 3000)
    assert fast.lock.notes == {"g": entry}
    assert fast.notes[0].status == "unchanged"


def test_two_cards_with_one_question_are_matched_as_resolve_does() -> None:
    """The first card takes the note, though the second is as like it."""
    first, second = plain("What is X?"), replace(plain("What is X?"), line=9)
    entry = LockEntry("g", "a.md", "What is X?", first.fields_digest, 5, body=first.body_digest)
    lock = Lock("ns", notes={"g": entry})
    assert notes_module._exact_matches([first, second], ["what is x?"] * 2, lock) == [None] * 2
    fast = run([first, second], lock, 3000)
    assert fast == general([first, second], lock, 3000)
    assert (fast.notes[0].guid, fast.notes[0].line) == ("g", 1)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(one_card(), max_size=8),
    st.data(),
    st.frozensets(st.tuples(st.sampled_from(PAGES), st.integers(1, 8)), max_size=2),
    st.sampled_from(("D", "E")),
    st.sampled_from((None, {"a.md": ("t",)})),
)
def test_notes_kept_from_the_last_build_are_the_notes_made_again(
    first: list[RenderedCard],
    data: st.DataObject,
    accept: frozenset[tuple[str, int]],
    deck: str,
    tags: dict[str, tuple[str, ...]] | None,
) -> None:
    """A process that keeps the last build's notes (watch mode, a build server) identifies
    as a fresh one: the next build's cards are mostly the same objects, some edited, moved,
    dropped or new, maybe in another deck or with other tags."""
    first = numbered(first)
    memory = KeptNotes()
    lock = run(first, run(first, None, 1000).lock, 2000, kept=memory).lock
    # the same card objects where unedited (a kept page gives back its very cards)
    second = [
        card if data.draw(st.booleans()) else data.draw(edited(card))
        for card in first
        if data.draw(st.integers(0, 5))
    ]
    second = data.draw(st.permutations([*second, *data.draw(st.lists(one_card(), max_size=2))]))
    with_memory = run(second, lock, 3000, accept, deck, kept=memory, tags=tags)
    _assert_same(with_memory, run(second, lock, 3000, accept, deck, tags=tags))


def test_an_unchanged_rebuild_gives_back_the_notes_it_kept() -> None:
    cards = _five_plain_cards()
    memory = KeptNotes()
    lock = run(cards, None, 1000).lock
    before = run(cards, lock, 2000, kept=memory)
    again = run(cards, before.lock, 3000, kept=memory)
    assert again == run(cards, before.lock, 3000)
    assert all(a is b for a, b in zip(again.notes, before.notes, strict=True))
    # another deck: made again, not given back
    moved = run(cards, before.lock, 3000, deck="E", kept=memory)
    assert moved == run(cards, before.lock, 3000, deck="E")
    assert not any(a is b for a, b in zip(moved.notes, before.notes, strict=True))
