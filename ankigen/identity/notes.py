"""Identity: GUIDs from namespace + page + question, and mods that only move when content does."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from ankigen.digest import content_hash
from ankigen.errors import Diagnostic, Severity
from ankigen.identity.lockfile import Lock, LockEntry
from ankigen.identity.match import CardKey, Proposal, normalize_question, resolve
from ankigen.records import Note, NoteType, RenderedCard

REMOVED_TAG = "ankigen::removed"

__all__ = [
    "REMOVED_TAG",
    "Identified",
    "KeptNotes",
    "TombstoneSource",
    "base91",
    "check_notetype",
    "content_hash",
    "identify",
    "in_scope",
    "make_guid",
    "normalize_question",
]

# Anki's own GUID alphabet (base91, as in anki/utils.py `base91`).
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


# Two base91 digits at a time: half the divisions of a digit-by-digit loop.
_BASE91_PAIRS = [a + b for a in _BASE91 for b in _BASE91]
_PAIR = len(_BASE91) ** 2


def base91(number: int) -> str:
    """``number`` in Anki's base91 digits, most significant first, no leading zeros."""
    pairs: list[str] = []
    while number >= _PAIR:
        number, pair = divmod(number, _PAIR)
        pairs.append(_BASE91_PAIRS[pair])
    head = _BASE91_PAIRS[number] if number >= len(_BASE91) else _BASE91[number]
    return head + "".join(reversed(pairs))


def make_guid(namespace: str, page: str, question: str) -> str:
    return _guid(namespace, page, normalize_question(question))


def _guid(namespace: str, page: str, normalized: str) -> str:
    """``make_guid`` of a question already through ``normalize_question``."""
    key = "\x1f".join(("ankigen/1", namespace, page, normalized))
    return base91(int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big"))


def in_scope(page: str, only: str | None) -> bool:
    """Whether ``page`` lies in a build of ``only`` (a docs-relative page or folder)."""
    return only is None or page == only or page.startswith(only + "/")


def next_mod(previous: int | None, now: int) -> int:
    """A mod strictly newer than ``previous``, even if the clock went back or did not move."""
    return now if previous is None else max(now, previous + 1)


@dataclass(frozen=True)
class Identified:
    notes: tuple[Note, ...]
    notetype_mod: int
    lock: Lock
    diagnostics: tuple[Diagnostic, ...]
    proposals: tuple[tuple[RenderedCard, LockEntry, float], ...] = ()


# (page, question) of a removed note -> its Source field (HTML; the cards stage makes it).
TombstoneSource = Callable[[str, str], str]


def _tombstones(
    previous: dict[str, LockEntry],
    live: Iterable[str],
    first_due: int,
    now: int,
    tombstone_source: TombstoneSource,
) -> list[Note]:
    """Notes for questions that left the source.

    An .apkg cannot delete a note. Instead the note is re-sent with an empty Question, so no
    card exists for it in a fresh import, an existing card shows up in Tools > Empty Cards, and
    the tag finds it with one search. Its question text survives in the Source field.
    """
    live_set = set(live)
    gone = [e for e in previous.values() if e.guid not in live_set]
    out: list[Note] = []
    for entry in sorted(gone, key=lambda e: (e.page, e.question, e.guid)):
        fields = ("", "", "", tombstone_source(entry.page, entry.question))
        tags = (REMOVED_TAG,)
        digest = content_hash(fields, tags)
        if entry.removed and entry.hash == digest:
            mod, status = entry.mod, "gone"
        else:
            mod, status = next_mod(entry.mod, now), "removed"
        out.append(
            Note(
                guid=entry.guid,
                fields=fields,
                content_hash=digest,
                mod=mod,
                due=first_due + len(out),
                page=entry.page,
                line=0,
                question_text=entry.question,
                status=status,
                tags=tags,
                body_hash=entry.body,
                explicit_id=entry.id,
                deck=entry.deck,
                anchor=entry.anchor,
            )
        )
    return out


def check_notetype(lock: Lock | None, notetype: NoteType, lock_path: str) -> list[Diagnostic]:
    """Refuse a schema change of a published note type (same id, other fields or templates).

    Anki would import it as a new `Name+` note type and never update the existing notes.
    A deliberate new version has a new id and name, and is allowed.
    """
    if lock is None or lock.notetype_schema is None:
        return []
    old_id, old_name, old_fields, old_templates = lock.notetype_schema
    new_id, _new_name, new_fields, new_templates = notetype.schema
    if old_id != new_id or (old_fields, old_templates) == (new_fields, new_templates):
        return []
    return [
        Diagnostic(
            lock_path,
            f"note type {old_name!r} (id {old_id}) changed its fields or templates: "
            f"fields {list(old_fields)} -> {list(new_fields)}, "
            f"templates {list(old_templates)} -> {list(new_templates)}",
            hint="Anki would import it as a new note type named "
            f"{old_name + '+'!r} and stop updating every existing note. Keep the fields and "
            "template names, or publish a new version with a new note type id and name and "
            "tell users to move their notes with Change Note Type in Anki",
        )
    ]


def _default_guid(namespace: str, card: RenderedCard, question: str, taken: Container[str]) -> str:
    """namespace + page + question (or the explicit id); never one already in use. The second
    and later cards of a repeated question add their anchor, so a rebuild without the
    lockfile gives them their GUIDs again. ``question``: the card's, normalized."""
    if card.explicit_id is not None:
        base = make_guid(namespace, "#id", card.explicit_id)
    else:
        base = _guid(namespace, card.page, question)
    if base in taken and card.anchor:
        base = _guid(namespace, card.page, f"{question}\x1f{card.anchor}")
    guid, n = base, 1
    while guid in taken:  # an earlier note kept this GUID through a rewording: step aside
        n += 1
        guid = make_guid(namespace, card.page, f"{card.question_text}\x1f{n}")
    return guid


PIN_HINT = (
    "both are notes, told apart by the heading they sit under and their order there; to keep "
    "a card's note through any edit, write `<!-- ankigen-id: NAME -->` on a line of its body"
)


def _repeats(cards: Sequence[RenderedCard], questions: Sequence[str]) -> list[Diagnostic]:
    """A warning for each card repeating the question (on its page) or the explicit id of an
    earlier one. ``questions``: the cards' questions, normalized."""
    first_at: dict[tuple[str, str], RenderedCard] = {}
    problems: list[Diagnostic] = []
    for i, card in enumerate(cards):
        key = (
            ("#id", card.explicit_id) if card.explicit_id is not None else (card.page, questions[i])
        )
        first = first_at.setdefault(key, card)
        if first is card:
            continue
        what = f"id {card.explicit_id!r}" if card.explicit_id else "question"
        problems.append(
            Diagnostic(
                card.page,
                f"{what} repeats the one at {first.page}:{first.line}: {card.question_text[:60]!r}",
                hint=PIN_HINT,
                line=card.line,
                col=card.col,
                severity=Severity.WARNING,
            )
        )
    return problems


def _lock_entry(note: Note, before: LockEntry | None) -> LockEntry:
    """The note's lockfile entry; the earlier one itself when nothing in it changed (a
    rebuild after a one-card edit keeps ~all of them, and making 10,000 anew costs ~50 ms)."""
    removed = note.is_tombstone
    if (
        before is not None
        and before.mod == note.mod
        and before.hash == note.content_hash
        and before.page == note.page
        and before.question == note.question_text
        and before.removed == removed
        and before.body == note.body_hash
        and before.id == note.explicit_id
        and before.deck == note.deck
        and before.maybe == note.maybe
        and before.anchor == note.anchor
    ):
        return before
    return LockEntry(
        guid=note.guid,
        page=note.page,
        question=note.question_text,
        hash=note.content_hash,
        mod=note.mod,
        removed=removed,
        body=note.body_hash,
        id=note.explicit_id,
        deck=note.deck,
        maybe=note.maybe,
        anchor=note.anchor,
    )


def _status(
    entry: LockEntry | None, how: str, card: RenderedCard, question: str, digest: str
) -> str:
    if entry is None or (entry.removed and how != "accepted"):
        return "new"
    if entry.page != card.page:
        return "moved"
    if entry.question != card.question_text and normalize_question(entry.question) != question:
        return "reworded"
    return "unchanged" if entry.hash == digest else "changed"


def _exact_matches(
    cards: Sequence[RenderedCard], questions: Sequence[str], lock: Lock | None
) -> list[LockEntry | None]:
    """Per card, the earlier note it continues when that is plain without ``resolve``: the
    card has no explicit id, no other card shares its page and question, and exactly one
    live note without an explicit id has them, with the same question text, anchor and
    answer. ``resolve`` would give that card that note ("same"), and the other cards what
    it gives them without these cards and notes; at 10,000 cards this skips ~all of its work.
    Without ``--accept`` only (an accepted proposal can move a card to another note)."""
    exact: list[LockEntry | None] = [None] * len(cards)
    if lock is None:
        return exact
    cards_by_key: dict[tuple[str, str], int] = {}
    for i, card in enumerate(cards):
        key = (card.page, questions[i])
        cards_by_key[key] = -1 if key in cards_by_key else i
    live: dict[tuple[str, str], LockEntry | None] = {}
    for entry in lock.notes.values():
        if not entry.removed:
            key = (entry.page, normalize_question(entry.question))
            live[key] = None if key in live else entry
    for key, i in cards_by_key.items():
        found = live.get(key)
        if i < 0 or found is None:
            continue
        card = cards[i]
        if (
            card.explicit_id is None
            and found.id is None
            and found.question == card.question_text
            and found.anchor == card.anchor
            and found.body == card.body_digest
        ):
            exact[i] = found
    return exact


def _matches(
    cards: Sequence[RenderedCard],
    questions: Sequence[str],
    lock: Lock | None,
    accept: Collection[tuple[str, int]],
) -> tuple[list[LockEntry | None], list[str], list[Proposal], list[bool]]:
    """``resolve`` of the cards (the earlier note and how each was found, the proposals),
    with the plain ones matched by ``_exact_matches``; and which those are."""
    exact = _exact_matches(cards, questions, lock) if not accept else [None] * len(cards)
    entries = list(exact)
    hows = ["same"] * len(cards)
    rest = [i for i, entry in enumerate(exact) if entry is None]
    if len(rest) < len(cards) and lock is not None:
        taken = {e.guid for e in exact if e is not None}
        lock = replace(lock, notes={g: e for g, e in lock.notes.items() if g not in taken})
    keys = [
        CardKey(c.page, c.line, questions[i], c.body_digest, c.explicit_id, c.anchor)
        for i, c in ((i, cards[i]) for i in rest)
    ]
    found, proposals = resolve(keys, lock, accept)
    for i, match in zip(rest, found, strict=True):
        entries[i], hows[i] = match.entry, match.how
    moved = [Proposal(rest[p.card], p.entry, p.similarity) for p in proposals]
    return entries, hows, moved, [e is not None for e in exact]


# One card's note, as ``identify`` made it: (card, its earlier entry, (due, deck, tags,
# proposal), the note, its new lockfile entry).
_Made = tuple[
    RenderedCard, LockEntry, tuple[int, str, tuple[str, ...], str | None], Note, LockEntry
]


def _lock_of(
    lock: Lock | None, notetype: NoteType, now: int, namespace: str, entries: dict[str, LockEntry]
) -> Lock:
    """The new lockfile: the note type's mod kept while its content is unchanged."""
    if lock is not None and lock.notetype_hash == notetype.content_hash:
        notetype_mod = lock.notetype_mod
    else:
        notetype_mod = next_mod(lock.notetype_mod if lock else None, now)
    return Lock(
        namespace=namespace,
        notetype_hash=notetype.content_hash,
        notetype_mod=notetype_mod,
        notetype_schema=notetype.schema,
        notes=entries,
    )


def _kept(
    last: Mapping[int, _Made], card: RenderedCard, entry: LockEntry | None, same: object
) -> _Made | None:
    """What ``identify`` made last of ``card`` when it would make the same now: the same
    card object, exactly matched (``entry``) to the same entry object, at the same place."""
    known = last.get(id(card))
    if known is None or entry is None or known[0] is not card or known[1] is not entry:
        return None
    return known if known[2] == same else None


class KeptNotes:
    """The notes ``identify`` made last in this process, by card (see ``identify``)."""

    def __init__(self) -> None:
        self.notes: dict[int, _Made] = {}


def identify(
    cards: Sequence[RenderedCard],
    lock: Lock | None,
    namespace: str,
    notetype: NoteType,
    now: int,
    *,
    deck: str = "",
    decks: Mapping[str, str] | None = None,
    tags: Mapping[str, tuple[str, ...]] | None = None,
    accept: Collection[tuple[str, int]] = (),
    tombstone_source: TombstoneSource,
    only: str | None = None,
    kept: KeptNotes | None = None,
) -> Identified:
    """Give each card its GUID and mod; pure, so two runs on equal input agree.

    ``tags``: each page's Anki tags. A note's content hash covers its tags when it has any
    (a note without tags hashes as before tags existed), so a page whose tags change sends
    its notes with a newer mod, and the others keep theirs.

    ``only``: the build covers that page or folder of a site alone. Earlier notes of other
    pages are neither matched nor removed: they stay in the lockfile as they were, and their
    GUIDs stay taken.

    ``kept``: what the last identify in this process made of each card that matched its
    earlier note exactly and stayed unchanged, replaced by this one's (a process that builds
    again and again: watch mode, a build server). A card that is the same object, matched to
    the same entry object, at the same place with the same deck, tags and proposal, makes
    the same note: it is given back instead of made again (~0.05 s at 10,000 cards).
    """
    namespace = lock.namespace if lock is not None else namespace
    everything = lock.notes if lock is not None else {}
    previous = everything
    if only is not None and lock is not None:
        previous = {g: e for g, e in everything.items() if in_scope(e.page, only)}
        lock = replace(lock, notes=previous)
    # Each card's question is normalized once per build, here.
    questions = [normalize_question(c.question_text) for c in cards]
    problems = _repeats(cards, questions)
    matched, hows, proposals, exact = _matches(cards, questions, lock, accept)
    # the best proposal wins
    maybe = {p.card: p.entry.guid for p in sorted(proposals, key=lambda p: p.similarity)}
    taken = set(everything)
    notes: list[Note] = []
    # The new lockfile's entries: an exact match that stays unchanged keeps its entry.
    entries: dict[str, LockEntry] = {g: e for g, e in everything.items() if g not in previous}
    last = kept.notes if kept is not None else {}
    made: dict[int, _Made] = {}
    for due, card in enumerate(cards):
        entry = matched[due]
        note_tags = tags.get(card.page, ()) if tags is not None else ()
        card_deck = decks.get(card.page, deck) if decks is not None else deck
        same = (due, card_deck, note_tags, maybe.get(due))
        known = _kept(last, card, entry if exact[due] else None, same)
        if known is not None:
            made[id(card)], (_, _, _, note, entries[known[3].guid]) = known, known
            taken.add(note.guid)
            notes.append(note)
            continue
        question = questions[due]
        guid = entry.guid if entry is not None else _default_guid(namespace, card, question, taken)
        taken.add(guid)
        fields = card.fields
        digest = content_hash(fields, note_tags) if note_tags else card.fields_digest
        status = _status(entry, hows[due], card, question, digest)
        mod = (
            entry.mod
            if status == "unchanged" and entry is not None
            else (next_mod(entry.mod if entry is not None else None, now))
        )
        moved = entry is not None and status in ("moved", "reworded")
        was = (entry.page, entry.question) if moved and entry is not None else None
        note = Note(
            guid=guid,
            fields=fields,
            content_hash=digest,
            mod=mod,
            due=due,
            page=card.page,
            line=card.line,
            question_text=card.question_text,
            status=status,
            tags=note_tags,
            body_hash=card.body_digest,
            explicit_id=card.explicit_id,
            was=was,
            deck=card_deck,
            was_deck=entry.deck if entry is not None and entry.deck != card_deck else "",
            maybe=maybe.get(due),
            media=card.media,
            anchor=card.anchor,
        )
        notes.append(note)
        if exact[due] and entry is not None and status == "unchanged" and entry.deck == card_deck:
            # What _lock_entry finds: the same page, question, answer, anchor, hash and mod,
            # no explicit id (exact matches have none), no proposal (only other cards get one).
            entries[guid] = entry if entry.maybe is None else _lock_entry(note, entry)
            made[id(card)] = (card, entry, same, note, entries[guid])
        else:
            entries[guid] = _lock_entry(note, previous.get(guid))
    tombstones = _tombstones(previous, (n.guid for n in notes), len(notes), now, tombstone_source)
    for note in tombstones:
        entries[note.guid] = _lock_entry(note, previous.get(note.guid))
    notes.extend(tombstones)
    new_lock = _lock_of(lock, notetype, now, namespace, entries)
    if kept is not None:
        kept.notes = made
    offered = tuple((cards[p.card], p.entry, p.similarity) for p in proposals)
    return Identified(tuple(notes), new_lock.notetype_mod, new_lock, tuple(problems), offered)
