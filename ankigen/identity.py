"""Which earlier note is each card? The rule that keeps review history through everyday edits.

A card keeps the GUID of an earlier note (recorded in the lockfile) when, in this order:

1. it carries the same explicit id (``<!-- ankigen-id: NAME -->`` in its body);
2. it has the same page and question (after normalisation) as that note;
3. that note is no longer claimed by any card, and either
   a. its answer and links are unchanged (the question was reworded, or the card moved page), or
   b. its question is similar: difflib ratio >= 0.75 on the same page, >= 0.90 on another page
      (a typo fix, possibly with an answer edit);
   each orphan goes to its best-scoring card (ties: source order), at most once;
4. the author accepted a proposed match with ``--accept PAGE:LINE`` (a weaker similarity:
   >= 0.5 on the same page, >= 0.75 elsewhere; such candidates are listed in the report).
   This works before the build that first sees the edit, and after it too: the lockfile
   remembers the proposal, the card returns to the earlier note, and the note made in the
   meantime becomes a removed one.

Anything else is a new note with the default GUID (namespace + page + question). Pure: the
same cards and lock always give the same answer.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ankigen.lockfile import Lock, LockEntry

__all__ = ["CardKey", "Match", "Proposal", "normalize_question", "resolve"]

SAME_PAGE_AUTO = 0.75
OTHER_PAGE_AUTO = 0.90
SAME_PAGE_PROPOSE = 0.5
OTHER_PAGE_PROPOSE = 0.75


@dataclass(frozen=True)
class CardKey:
    """What identity matching needs to know about a card."""

    page: str
    line: int
    question: str  # normalised
    body: str  # hash of answer + links ("" when both are empty)
    explicit_id: str | None


@dataclass(frozen=True)
class Match:
    entry: LockEntry | None  # the earlier note this card continues; None for a new note
    how: str  # "explicit", "same", "body", "similar", "accepted" or "new"


@dataclass(frozen=True)
class Proposal:
    card: int  # index into the cards
    entry: LockEntry
    similarity: float


def normalize_question(text: str) -> str:
    """NFC, whitespace collapsed, case folded: cosmetic edits keep the same identity."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def resolve(
    cards: Sequence[CardKey],
    lock: Lock | None,
    accept: Collection[tuple[str, int]] = (),
) -> tuple[list[Match], list[Proposal]]:
    """One ``Match`` per card, plus the weaker candidates an author may accept."""
    entries = sorted(lock.notes.values(), key=lambda e: e.guid) if lock is not None else []
    by_id = {e.id: e for e in entries if e.id is not None}
    by_guid = {e.guid: e for e in entries}
    by_key: dict[tuple[str, str], LockEntry] = {}
    for entry in sorted(entries, key=lambda e: e.removed):  # live entries win over tombstones
        by_key.setdefault((entry.page, normalize_question(entry.question)), entry)

    matches: list[Match | None] = [None] * len(cards)
    claimed: set[str] = set()
    for i, card in enumerate(cards):
        found = by_id.get(card.explicit_id) if card.explicit_id is not None else None
        how = "explicit"
        if found is None or found.guid in claimed:
            found, how = by_key.get((card.page, card.question)), "same"
        if found is not None and found.maybe in by_guid and (card.page, card.line) in accept:
            earlier = by_guid[found.maybe]
            if earlier.guid not in claimed:
                found, how = earlier, "accepted"
        if found is not None and found.guid not in claimed:
            matches[i] = Match(found, how)
            claimed.add(found.guid)

    orphans = [e for e in entries if e.guid not in claimed and not e.removed]
    scored: list[tuple[float, int, str, LockEntry, str]] = []
    proposals: list[Proposal] = []
    for i, card in enumerate(cards):
        if matches[i] is not None:
            continue
        for entry in orphans:
            same_page = entry.page == card.page
            sim = _similarity(card.question, normalize_question(entry.question))
            if card.body and entry.body == card.body:
                scored.append((2.0 + sim, i, entry.guid, entry, "body"))
            elif sim >= (SAME_PAGE_AUTO if same_page else OTHER_PAGE_AUTO):
                scored.append((sim, i, entry.guid, entry, "similar"))
            elif sim >= (SAME_PAGE_PROPOSE if same_page else OTHER_PAGE_PROPOSE):
                if (card.page, card.line) in accept:
                    scored.append((sim, i, entry.guid, entry, "accepted"))
                else:
                    proposals.append(Proposal(i, entry, round(sim, 3)))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    for _score, i, guid, entry, how in scored:
        if matches[i] is None and guid not in claimed:
            matches[i] = Match(entry, how)
            claimed.add(guid)
    final = [m if m is not None else Match(None, "new") for m in matches]
    open_proposals = [
        p for p in proposals if final[p.card].entry is None and p.entry.guid not in claimed
    ]
    return final, open_proposals
