"""Records with ``fast_init`` are made exactly as their dataclass ``__init__`` makes them."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ankigen._speed.fast_init import fast_init
from ankigen.cards.page import render_page
from ankigen.errors import Diagnostic, Severity
from ankigen.identity.lockfile import LockEntry
from ankigen.identity.match import CardKey, Match, Proposal
from ankigen.output.report import ReportEntry
from ankigen.records import Card, Link, Note, RenderedCard, SourceFile, SplitCard

RECORDS = [
    SourceFile, Card, Link, SplitCard, RenderedCard, Note, LockEntry, CardKey, Match,
    Proposal, Diagnostic, ReportEntry,
]  # fmt: skip


@pytest.mark.parametrize("cls", RECORDS, ids=lambda c: c.__name__)
def test_every_record_has_the_fast_init_with_the_dataclass_signature(cls: type) -> None:
    original = cls.__dict__["__dataclass_init__"]
    fast = cls.__dict__["__init__"]
    assert fast is not original
    assert fast.__code__.co_filename == "<string>"  # made by fast_init
    assert inspect.signature(fast) == inspect.signature(original)
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def _both(cls: type, *args: object, **kwargs: object) -> tuple[object, object]:
    fast = cls(*args, **kwargs)
    slow: object = object.__new__(cls)
    cls.__dict__["__dataclass_init__"](slow, *args, **kwargs)
    return fast, slow


TEXT = st.text(max_size=8)


@given(st.tuples(TEXT, TEXT, TEXT), st.integers(), st.integers(), st.booleans(), st.none() | TEXT)
def test_lock_entries_and_notes_match_the_dataclass_init(
    texts: tuple[str, str, str], i: int, j: int, flag: bool, maybe: str | None
) -> None:
    a, b, c = texts
    fast, slow = _both(LockEntry, a, b, c, "h", i, flag, maybe=maybe, deck=b)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    fast, slow = _both(Note, a, (a, b, c, ""), "h", i, j, b, 3, c, "new", was=(a, b), maybe=maybe)
    assert fast == slow and repr(fast) == repr(slow)
    fast, slow = _both(Diagnostic, a, b, hint=c, line=i, severity=Severity.WARNING)
    assert fast == slow


def test_post_init_still_runs_and_records_stay_frozen() -> None:
    (card,) = render_page('??? question "Q?"\n    An answer.\n').cards
    assert card.fields_digest and card.body_digest  # made by RenderedCard.__post_init__
    again = dataclasses.replace(card)
    assert again == card and again.fields_digest == card.fields_digest
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.page = "other.md"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Link("text")  # type: ignore[call-arg]
    assert Link(text="t", href="h") == Link("h", "t")
    assert SourceFile(Path("a.md"), "a.md", "x") == SourceFile(
        path=Path("a.md"), rel="a.md", text="x"
    )


def test_fields_it_cannot_handle_keep_the_dataclass_init() -> None:
    @dataclass(frozen=True, slots=True)
    class WithFactory:
        items: list[int] = field(default_factory=list)

    own = WithFactory.__init__
    assert fast_init(WithFactory).__init__ is own
    assert WithFactory().items == []

    @dataclass(frozen=True)
    class NoSlots:
        x: int

    with pytest.raises(TypeError):
        fast_init(NoSlots)
