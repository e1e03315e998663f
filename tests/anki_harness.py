"""Import built .apkg files into a real, fresh Anki collection, like Anki desktop does.

End-to-end tests use this module to check what a user of Anki actually sees after
importing a deck built by ankigen. It drives the official ``anki`` package from PyPI
(Anki's Rust backend); there are no mocks. See /work/shared/anki-facts.md for the
behaviour this relies on (measured with anki 26.9.3).

Key points:

* :func:`import_apkg` uses the options of the desktop import dialog in a new profile
  (:func:`desktop_import_options`), *not* the legacy ``anki.importing.AnkiPackageImporter``
  (which merges note types and imports scheduling).
* Every import writes the options it used back into the collection config, and the
  desktop dialog reopens with them. Importing with non-default ``options=`` therefore
  changes what :func:`desktop_import_options` finds in the presets afterwards.
* Cards are reviewed through the v3 scheduler, the same calls the desktop reviewer makes
  (``sched.build_answer`` + ``sched.answer_card``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal, cast

# anki.cards imports anki.collection circularly: anki.collection must load first.
import anki.collection  # noqa: F401

# isort: split

from anki.cards import Card, CardId
from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
    ImportLogWithChanges,
)
from anki.decks import DeckId
from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition, ImportResponse
from anki.scheduler.v3 import CardAnswer, QueuedCards, SchedulingStates
from anki.scheduler.v3 import Scheduler as V3Scheduler

__all__ = [
    "ALWAYS",
    "IF_NEWER",
    "NEVER",
    "CardState",
    "Ease",
    "ImportLog",
    "NoteView",
    "RevlogRow",
    "answer_card",
    "card_state",
    "deck_names",
    "desktop_import_options",
    "fresh_collection",
    "import_apkg",
    "media_files",
    "notes",
    "notetype_names",
    "open_collection",
    "render_card",
    "study_all_new",
]

Ease = Literal[1, 2, 3, 4]
"""Answer buttons as numbered in Anki: 1 Again, 2 Hard, 3 Good, 4 Easy."""

IF_NEWER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER
ALWAYS = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS
NEVER = ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER

_RATINGS: dict[int, CardAnswer.Rating.ValueType] = {
    1: CardAnswer.AGAIN,
    2: CardAnswer.HARD,
    3: CardAnswer.GOOD,
    4: CardAnswer.EASY,
}

# Large enough to see the whole queue of any test deck in one call.
_QUEUE_FETCH_LIMIT = 10_000


# Collections
##########################################################################


def open_collection(path: Path) -> Collection:
    """Create a fresh, empty collection file at ``path`` (which must not exist yet).

    The media folder is created next to it (``<stem>.media``), as Anki does.
    The caller must ``close()`` it; see :func:`fresh_collection`.
    """
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"not a fresh collection, {path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    col = Collection(str(path))
    if not isinstance(col.sched, V3Scheduler):  # pragma: no cover - new collections are v3
        col.close()
        raise RuntimeError("expected a fresh collection to use the v3 scheduler")
    # The day ends at the rollover hour (4 am by default). A test studying at 3:50 would see
    # a learning card due at 4:00 belong to tomorrow: put the day's end 12 hours away.
    prefs = col.get_preferences()
    prefs.scheduling.rollover = (time.localtime().tm_hour + 12) % 24
    col.set_preferences(prefs)
    return col


@contextlib.contextmanager
def fresh_collection(tmp_dir: Path, name: str = "collection.anki2") -> Iterator[Collection]:
    """Context manager: a fresh collection ``tmp_dir/name``, closed on exit."""
    col = open_collection(Path(tmp_dir) / name)
    try:
        yield col
    finally:
        col.close()


# Importing
##########################################################################


def _default_options() -> ImportAnkiPackageOptions:
    return ImportAnkiPackageOptions(
        merge_notetypes=False,
        with_scheduling=False,
        with_deck_configs=False,
        update_notes=IF_NEWER,
        update_notetypes=IF_NEWER,
    )


def desktop_import_options(
    col: Collection, *, require_default_presets: bool = True
) -> ImportAnkiPackageOptions:
    """The options Anki desktop's import dialog uses in a new profile.

    They are read from the collection's presets (the call the desktop import page makes),
    then the documented defaults are forced: merge_notetypes=False,
    with_scheduling=False, with_deck_configs=False, update_notes=IF_NEWER,
    update_notetypes=IF_NEWER.

    With ``require_default_presets`` (the default), raise ``AssertionError`` if the
    collection's presets are not those defaults, e.g. because an earlier import in this
    collection used other options (every import saves its options as the new presets).
    """
    presets = col._backend.get_import_anki_package_presets()
    defaults = _default_options()
    if require_default_presets and presets != defaults:
        raise AssertionError(
            "import presets of this collection are not the desktop defaults: "
            f"{_describe_options(presets)}"
        )
    options = ImportAnkiPackageOptions()
    options.CopyFrom(presets)
    options.merge_notetypes = defaults.merge_notetypes
    options.with_scheduling = defaults.with_scheduling
    options.with_deck_configs = defaults.with_deck_configs
    options.update_notes = defaults.update_notes
    options.update_notetypes = defaults.update_notetypes
    if options != defaults:  # pragma: no cover - a field added in a newer anki
        raise AssertionError(f"unexpected import option: {_describe_options(options)}")
    return options


def _describe_options(options: ImportAnkiPackageOptions) -> str:
    return (
        f"merge_notetypes={options.merge_notetypes}, "
        f"with_scheduling={options.with_scheduling}, "
        f"with_deck_configs={options.with_deck_configs}, "
        f"update_notes={ImportAnkiPackageUpdateCondition.Name(options.update_notes)}, "
        f"update_notetypes={ImportAnkiPackageUpdateCondition.Name(options.update_notetypes)}"
    )


@dataclass(frozen=True)
class ImportLog:
    """Summary of an .apkg import: note ids per log category of ``ImportResponse.Log``.

    The ids are ids in the collection: for ``duplicate``/``updated``/``conflicting`` the
    existing note that the incoming note matched by GUID.
    ``first_field_match`` and ``empty_first_field`` are only filled by the CSV importer;
    they are kept so tests can assert they stay empty.
    """

    new: tuple[int, ...]
    updated: tuple[int, ...]
    duplicate: tuple[int, ...]
    conflicting: tuple[int, ...]
    first_field_match: tuple[int, ...]
    missing_notetype: tuple[int, ...]
    missing_deck: tuple[int, ...]
    empty_first_field: tuple[int, ...]
    found_notes: int
    raw: ImportResponse.Log = field(compare=False, repr=False)
    """The backend's log, including each logged note's fields."""

    CATEGORIES: ClassVar[tuple[str, ...]] = (
        "new",
        "updated",
        "duplicate",
        "conflicting",
        "first_field_match",
        "missing_notetype",
        "missing_deck",
        "empty_first_field",
    )

    def counts(self) -> dict[str, int]:
        """Number of notes per category, every category included (zeros too)."""
        return {name: len(self.ids(name)) for name in self.CATEGORIES}

    def nonzero_counts(self) -> dict[str, int]:
        """Like :meth:`counts` without the empty categories, e.g. ``{"new": 3}``."""
        return {name: n for name, n in self.counts().items() if n}

    def ids(self, category: str) -> tuple[int, ...]:
        if category not in self.CATEGORIES:
            raise KeyError(category)
        ids: tuple[int, ...] = getattr(self, category)
        return ids

    def fields_of(self, category: str) -> tuple[tuple[str, ...], ...]:
        """The field values the backend logged for each note of ``category``."""
        if category not in self.CATEGORIES:
            raise KeyError(category)
        entries: list[ImportResponse.Note] = list(getattr(self.raw, category))
        return tuple(tuple(entry.fields) for entry in entries)


def _ids(entries: Iterable[ImportResponse.Note]) -> tuple[int, ...]:
    return tuple(entry.id.nid for entry in entries)


def import_apkg(
    col: Collection,
    apkg: Path,
    options: ImportAnkiPackageOptions | None = None,
) -> ImportLog:
    """Import ``apkg`` like Anki desktop's File → Import with its default options.

    ``options`` overrides them (note: Anki then saves them as the collection's presets).
    """
    apkg = Path(apkg)
    if not apkg.is_file():
        raise FileNotFoundError(apkg)
    if options is None:
        options = desktop_import_options(col)
    response: ImportLogWithChanges = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg.resolve()), options=options)
    )
    log = response.log
    return ImportLog(
        new=_ids(log.new),
        updated=_ids(log.updated),
        duplicate=_ids(log.duplicate),
        conflicting=_ids(log.conflicting),
        first_field_match=_ids(log.first_field_match),
        missing_notetype=_ids(log.missing_notetype),
        missing_deck=_ids(log.missing_deck),
        empty_first_field=_ids(log.empty_first_field),
        found_notes=log.found_notes,
        raw=log,
    )


# Inspecting the collection
##########################################################################


@dataclass(frozen=True)
class NoteView:
    """One note as stored in the collection. Cards are ordered by template ordinal."""

    id: int
    guid: str
    notetype: str
    field_names: tuple[str, ...]
    fields: Mapping[str, str]
    tags: tuple[str, ...]
    mod: int
    card_ids: tuple[int, ...]
    deck_names: tuple[str, ...]
    """The deck of each card in ``card_ids``, same order."""

    def __getitem__(self, field_name: str) -> str:
        return self.fields[field_name]


def notes(col: Collection) -> list[NoteView]:
    """Every note of the collection, sorted by note id."""
    views: list[NoteView] = []
    for nid in sorted(col.find_notes("")):
        note = col.get_note(nid)
        notetype = note.note_type()
        if notetype is None:  # pragma: no cover - the backend guarantees a notetype
            raise AssertionError(f"note {nid} has no notetype")
        cards = sorted((col.get_card(cid) for cid in note.card_ids()), key=lambda c: (c.ord, c.id))
        views.append(
            NoteView(
                id=int(note.id),
                guid=note.guid,
                notetype=str(notetype["name"]),
                field_names=tuple(note.keys()),
                fields=dict(note.items()),
                tags=tuple(note.tags),
                mod=int(note.mod),
                card_ids=tuple(int(card.id) for card in cards),
                deck_names=tuple(col.decks.name(card.did) for card in cards),
            )
        )
    return views


def notetype_names(col: Collection) -> list[str]:
    """All note type names, sorted (a fresh collection has Anki's stock ones)."""
    return sorted(entry.name for entry in col.models.all_names_and_ids())


def deck_names(col: Collection) -> list[str]:
    """All deck names (``Parent::Child`` form), sorted; includes ``Default``."""
    return sorted(entry.name for entry in col.decks.all_names_and_ids())


def media_files(col: Collection) -> dict[str, bytes]:
    """Name → content of every file in the collection's media folder."""
    media_dir = Path(col.media.dir())
    return {path.name: path.read_bytes() for path in sorted(media_dir.iterdir()) if path.is_file()}


def render_card(col: Collection, card_id: int) -> tuple[str, str]:
    """The card's question and answer HTML as the reviewer shows them.

    This is ``card.question()`` / ``card.answer()``: the rendered template prefixed by
    ``<style>`` with the notetype CSS. The answer side includes ``{{FrontSide}}``.
    """
    card = col.get_card(CardId(card_id))
    output = card.render_output(reload=True)
    return output.question_and_style(), output.answer_and_style()


# Scheduling
##########################################################################


RevlogRow = tuple[int, int, int, int, int, int, int, int, int]
"""A revlog row: id, cid, usn, ease, ivl, lastIvl, factor, time, type."""


@dataclass(frozen=True)
class CardState:
    """A card's scheduling state and review history (compare with ``==``)."""

    card_id: int
    note_id: int
    deck_id: int
    ord: int
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    mod: int
    revlog: tuple[RevlogRow, ...]


def _revlog(col: Collection, card_id: int) -> tuple[RevlogRow, ...]:
    assert col.db is not None
    rows = col.db.all(
        "select id, cid, usn, ease, ivl, lastIvl, factor, time, type "
        "from revlog where cid = ? order by id",
        card_id,
    )
    result: list[RevlogRow] = []
    for row in rows:
        values = tuple(row)
        if len(values) != 9 or not all(isinstance(v, int) for v in values):
            raise AssertionError(f"unexpected revlog row {values!r}")
        result.append(cast(RevlogRow, values))
    return tuple(result)


def card_state(col: Collection, card_id: int) -> CardState:
    card = col.get_card(CardId(card_id))
    return CardState(
        card_id=int(card.id),
        note_id=int(card.nid),
        deck_id=int(card.did),
        ord=card.ord,
        type=int(card.type),
        queue=int(card.queue),
        due=card.due,
        ivl=card.ivl,
        factor=card.factor,
        reps=card.reps,
        lapses=card.lapses,
        left=card.left,
        mod=card.mod,
        revlog=_revlog(col, card_id),
    )


def _scheduler(col: Collection) -> V3Scheduler:
    sched = col.sched
    if not isinstance(sched, V3Scheduler):  # pragma: no cover
        raise RuntimeError("collection does not use the v3 scheduler")
    return sched


def _answer(
    col: Collection, card: Card, states: SchedulingStates, ease: Ease, taken_ms: int | None
) -> None:
    sched = _scheduler(col)
    card.start_timer()
    answer = sched.build_answer(card=card, states=states, rating=_RATINGS[ease])
    if taken_ms is not None:
        answer.milliseconds_taken = taken_ms
    sched.answer_card(answer)


def answer_card(
    col: Collection, card_id: int, ease: Ease = 3, *, taken_ms: int | None = 1000
) -> CardState:
    """Answer one card now with button ``ease`` through the v3 scheduler.

    Works whether or not the card is in today's queue (like ``sched.answerCard``).
    ``taken_ms`` is the answer time written to the revlog (None: the real elapsed time).
    Returns the card's new state.
    """
    if ease not in _RATINGS:
        raise ValueError(f"ease must be 1..4, not {ease!r}")
    card = col.get_card(CardId(card_id))
    states = col._backend.get_scheduling_states(card.id)
    _answer(col, card, states, ease, taken_ms)
    return card_state(col, card_id)


def _top_level_decks(col: Collection) -> list[DeckId]:
    return [
        DeckId(entry.id)
        for entry in sorted(col.decks.all_names_and_ids(), key=lambda e: e.name)
        if "::" not in entry.name
    ]


def study_all_new(
    col: Collection, ease: Ease = 3, *, deck: str | None = None, taken_ms: int | None = 1000
) -> list[int]:
    """Study like a user: answer every card the scheduler queues today, once each.

    Goes through ``deck`` (with its subdecks), or every top-level deck in name order,
    selecting it as the current deck and answering the queued cards (new, learning,
    review; daily limits of the deck presets apply, 20 new cards/day by default).
    A card that comes back in learning after its answer is not answered again.
    The selected deck is restored afterwards. Returns the answered card ids, in order.
    """
    if ease not in _RATINGS:
        raise ValueError(f"ease must be 1..4, not {ease!r}")
    sched = _scheduler(col)
    if deck is None:
        deck_ids = _top_level_decks(col)
    else:
        did = col.decks.id_for_name(deck)
        if did is None:
            raise KeyError(f"no deck named {deck!r}")
        deck_ids = [did]
    previous = col.decks.get_current_id()
    answered: list[int] = []
    seen: set[int] = set()
    try:
        for did in deck_ids:
            col.decks.select(did)
            while True:
                queued: QueuedCards = sched.get_queued_cards(fetch_limit=_QUEUE_FETCH_LIMIT)
                pending = [qc for qc in queued.cards if qc.card.id not in seen]
                if not pending:
                    break
                entry = pending[0]
                card = Card(col, backend_card=entry.card)
                _answer(col, card, entry.states, ease, taken_ms)
                seen.add(card.id)
                answered.append(int(card.id))
    finally:
        col.decks.select(previous)
    return answered
