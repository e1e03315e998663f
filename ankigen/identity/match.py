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

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ankigen.identity.lockfile import Lock, LockEntry

__all__ = ["CardKey", "Match", "Proposal", "normalize_question", "resolve"]

SAME_PAGE_AUTO = 0.75
OTHER_PAGE_AUTO = 0.90
SAME_PAGE_PROPOSE = 0.5
OTHER_PAGE_PROPOSE = 0.75


@dataclass(frozen=True, slots=True)
class CardKey:
    """What identity matching needs to know about a card."""

    page: str
    line: int
    question: str  # normalised
    body: str  # hash of answer + links ("" when both are empty)
    explicit_id: str | None


@dataclass(frozen=True, slots=True)
class Match:
    entry: LockEntry | None  # the earlier note this card continues; None for a new note
    how: str  # "explicit", "same", "body", "similar", "accepted" or "new"


@dataclass(frozen=True, slots=True)
class Proposal:
    card: int  # index into the cards
    entry: LockEntry
    similarity: float


# A build normalizes each card's question once, and the lockfile's questions (mostly the same
# text) once or twice more; a watching process asks again at every rebuild. 16,384 covers
# that for sites up to that many cards. A larger site would cycle through any smaller LRU
# without a hit, so the bound is where it stops paying (~4 MB held at most).
@lru_cache(maxsize=1 << 14)
def normalize_question(text: str) -> str:
    """NFC, whitespace collapsed, case folded: cosmetic edits keep the same identity."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


# Beyond this many card x note pairs, questions are compared within their page only (answer
# matches still work across pages), so a mass edit of a huge site cannot go quadratic.
CROSS_PAGE_PAIRS = 20_000

Scored = tuple[float, int, str, LockEntry, str]


def _candidates(
    cards: Sequence[CardKey],
    open_cards: Sequence[int],
    orphans: Sequence[LockEntry],
    accept: Collection[tuple[str, int]],
) -> tuple[list[Scored], list[Proposal]]:
    """Score unclaimed earlier notes against unmatched cards (rule 3 and 4)."""
    scored: list[Scored] = []
    proposals: list[Proposal] = []
    by_body: dict[str, list[LockEntry]] = {}
    by_page: dict[str, list[LockEntry]] = {}
    for entry in orphans:
        if entry.body:
            by_body.setdefault(entry.body, []).append(entry)
        by_page.setdefault(entry.page, []).append(entry)
    if not orphans:
        return scored, proposals
    cross_page = len(open_cards) * len(orphans) <= CROSS_PAGE_PAIRS
    questions = {e.guid: normalize_question(e.question) for e in orphans}
    import difflib  # noqa: PLC0415 - only when an earlier note lost its card

    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for i in open_cards:
        card = cards[i]
        same_body = {e.guid for e in by_body.get(card.body, ())} if card.body else set()
        pool = orphans if cross_page else [*by_page.get(card.page, ()), *by_body.get(card.body, ())]
        matcher.set_seq2(card.question)
        for entry in dict.fromkeys(pool):  # each once, in a stable order
            same_page = entry.page == card.page
            body = entry.guid in same_body
            floor = 0.0 if body else SAME_PAGE_PROPOSE if same_page else OTHER_PAGE_PROPOSE
            matcher.set_seq1(questions[entry.guid])
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue
            sim = matcher.ratio()
            if body:
                scored.append((2.0 + sim, i, entry.guid, entry, "body"))
            elif sim >= (SAME_PAGE_AUTO if same_page else OTHER_PAGE_AUTO):
                scored.append((sim, i, entry.guid, entry, "similar"))
            elif sim >= floor:
                if (card.page, card.line) in accept:
                    scored.append((sim, i, entry.guid, entry, "accepted"))
                else:
                    proposals.append(Proposal(i, entry, round(sim, 3)))
    return scored, proposals


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
    open_cards = [i for i, m in enumerate(matches) if m is None]
    scored, proposals = _candidates(cards, open_cards, orphans, accept)
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    for _score, i, guid, entry, how in scored:
        if matches[i] is None and guid not in claimed:
            matches[i] = Match(entry, how)
            claimed.add(guid)
    final = [m if m is not None else Match(None, "new") for m in matches]
    best: dict[int, Proposal] = {}
    for p in proposals:  # the most similar unclaimed earlier note, per card still new
        still_open = final[p.card].entry is None and p.entry.guid not in claimed
        if still_open and (p.card not in best or p.similarity > best[p.card].similarity):
            best[p.card] = p
    return final, [best[i] for i in sorted(best)]
