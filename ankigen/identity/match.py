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

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from ankigen.digest import normalize_question
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
    anchor: str = ""  # heading path + ordinal, for a question repeated on its page


@dataclass(frozen=True, slots=True)
class Match:
    entry: LockEntry | None  # the earlier note this card continues; None for a new note
    how: str  # "explicit", "same", "body", "similar", "accepted" or "new"


@dataclass(frozen=True, slots=True)
class Proposal:
    card: int  # index into the cards
    entry: LockEntry
    similarity: float


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


# Rule 1 and 2 among the earlier notes sharing a card's explicit id, or its page and question:
# the one with the same anchor and body, then the same body, then the same anchor, then any
# (among notes sharing an id, those with the card's page and question first). Each is a pass
# over all cards, so an edited answer cannot take the note of an unedited twin.
_PASSES: tuple[Callable[[CardKey, LockEntry], bool], ...] = (
    lambda c, e: c.anchor == e.anchor and c.body == e.body,
    lambda c, e: c.body == e.body,
    lambda c, e: c.anchor == e.anchor,
    lambda c, e: True,
)


def _claim_groups(  # noqa: PLR0917 - one private helper called twice
    cards: Sequence[CardKey],
    keys: Sequence[object | None],
    groups: Mapping[object, Sequence[LockEntry]],
    matches: list[Match | None],
    claimed: set[str],
    how: str,
) -> None:
    """Give each unmatched card with a key an earlier note of that key's group, pass by pass;
    live notes before removed ones."""
    wanted = Counter(k for i, k in enumerate(keys) if k is not None and matches[i] is None)
    slow: list[int] = []
    for i, key in enumerate(keys):
        if key is None or matches[i] is not None:
            continue
        group = groups.get(key, ())
        if wanted[key] == 1 and len(group) >= 1 and (len(group) == 1 or group[1].removed):
            # The common case: one card, one live note (every pass would choose it).
            if group[0].guid not in claimed:
                matches[i] = Match(group[0], how)
                claimed.add(group[0].guid)
            continue
        slow.append(i)
    if not slow:
        return
    for removed in (False, True):
        for same_question in (True, False):
            for test in _PASSES:
                for i in slow:
                    if matches[i] is not None:
                        continue
                    card = cards[i]
                    for entry in groups.get(keys[i], ()):
                        if (
                            entry.removed == removed
                            and entry.guid not in claimed
                            and (not same_question or _same_question(card, entry))
                            and test(card, entry)
                        ):
                            matches[i] = Match(entry, how)
                            claimed.add(entry.guid)
                            break


def _same_question(card: CardKey, entry: LockEntry) -> bool:
    return card.page == entry.page and card.question == normalize_question(entry.question)


def resolve(
    cards: Sequence[CardKey],
    lock: Lock | None,
    accept: Collection[tuple[str, int]] = (),
) -> tuple[list[Match], list[Proposal]]:
    """One ``Match`` per card, plus the weaker candidates an author may accept."""
    entries = sorted(lock.notes.values(), key=lambda e: e.guid) if lock is not None else []
    by_guid = {e.guid: e for e in entries}
    by_id: dict[object, list[LockEntry]] = {}
    by_key: dict[object, list[LockEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.removed):  # live entries first
        if entry.id is not None:
            by_id.setdefault(entry.id, []).append(entry)
        by_key.setdefault((entry.page, normalize_question(entry.question)), []).append(entry)

    matches: list[Match | None] = [None] * len(cards)
    claimed: set[str] = set()
    _claim_groups(cards, [c.explicit_id for c in cards], by_id, matches, claimed, "explicit")
    _claim_groups(cards, [(c.page, c.question) for c in cards], by_key, matches, claimed, "same")
    for i, card in enumerate(cards):
        match = matches[i]
        if match is None or (card.page, card.line) not in accept:
            continue
        found = match.entry
        if found is not None and found.maybe in by_guid:
            earlier = by_guid[found.maybe]
            if earlier.guid not in claimed:
                claimed.discard(found.guid)
                matches[i] = Match(earlier, "accepted")
                claimed.add(earlier.guid)

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
