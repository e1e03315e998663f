"""What a build adds, changes, rewords, moves and removes, for people (text) and tools (JSON)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from ankigen.identity.lockfile import LockEntry
from ankigen.identity.notes import REMOVED_TAG
from ankigen.jsonrows import json_lines_chunks, json_string
from ankigen.records import Note, RenderedCard

__all__ = [
    "STATUSES",
    "Report",
    "ReportEntry",
    "make_report",
    "report_details",
    "report_json_chunks",
    "report_text",
    "report_text_chunks",
]

STATUSES = ("new", "changed", "reworded", "moved", "unchanged", "removed", "gone")
LIVE = ("new", "changed", "reworded", "moved", "unchanged")


class ReportEntry(NamedTuple):
    """One note's line of the report. A named tuple, not a dataclass: made ~3x faster (a
    report of 10,000 notes makes 10,000 at every build)."""

    status: str
    page: str
    line: int  # 0 for questions no longer in the source
    question: str
    guid: str
    was_page: str = ""
    was_question: str = ""
    deck: str = ""
    was_deck: str = ""


@dataclass(frozen=True)
class ProposedMatch:
    page: str
    line: int
    question: str
    was_page: str
    was_question: str
    similarity: float


@dataclass(frozen=True)
class Report:
    deck: str
    output: str
    entries: tuple[ReportEntry, ...]
    proposals: tuple[ProposedMatch, ...] = ()

    @cached_property
    def counts(self) -> dict[str, int]:
        """Notes per status, counted once (reports of 10,000 notes ask many times)."""
        counts = dict.fromkeys(STATUSES, 0)
        for entry in self.entries:
            counts[entry.status] += 1
        return counts

    def count(self, status: str) -> int:
        return self.counts[status]

    @property
    def live(self) -> int:
        return sum(self.counts[status] for status in LIVE)

    @property
    def deck_moves(self) -> tuple[ReportEntry, ...]:
        return tuple(e for e in self.entries if e.was_deck and e.status in LIVE)


def make_report(
    deck: str,
    output: str,
    notes: Sequence[Note],
    proposals: Sequence[tuple[RenderedCard, LockEntry, float]] = (),
) -> Report:
    entries = tuple(
        ReportEntry(n.status, n.page, n.line, n.question_text, n.guid, "", "", n.deck, n.was_deck)
        if not n.was
        else ReportEntry(
            n.status, n.page, n.line, n.question_text, n.guid, *n.was, n.deck, n.was_deck
        )
        for n in notes
    )
    offered = tuple(
        ProposedMatch(card.page, card.line, card.question_text, entry.page, entry.question, sim)
        for card, entry, sim in proposals
    )
    return Report(deck, output, entries, offered)


def report_json_chunks(report: Report) -> Iterator[str]:
    head: dict[str, object] = {
        "deck": report.deck,
        "output": report.output,
        "counts": dict(report.counts),
        "proposed_matches": [
            {
                "page": p.page,
                "line": p.line,
                "question": p.question,
                "was_page": p.was_page,
                "was_question": p.was_question,
                "similarity": p.similarity,
                "accept": f"--accept {p.page}:{p.line}",
            }
            for p in report.proposals
        ],
        "deck_moves": [
            {"deck": deck, "cards": count, "search": search}
            for deck, count, search in move_groups(report.deck_moves)
        ],
    }

    return json_lines_chunks(head, "notes", report.entries, report_line, memo="report")


def report_line(e: ReportEntry, js: Callable[[str], str] = json_string) -> str:
    """A note's row of the JSON report: status, page, line, question and guid, then
    was_page, was_question, deck and was_deck when not empty. Written as the JSON encoder
    would write the dict, without making it; the tuple unpacked and ``js`` a local name."""
    status, page, line, question, guid, was_page, was_question, deck, was_deck = e
    text = (
        f'{{"status": {js(status)}, "page": {js(page)}, "line": {int(line)!r}, '
        f'"question": {js(question)}, "guid": {js(guid)}'
    )
    if was_page != "":
        text += f', "was_page": {js(was_page)}'
    if was_question != "":
        text += f', "was_question": {js(was_question)}'
    if deck != "":
        text += f', "deck": {js(deck)}'
    if was_deck != "":
        text += f', "was_deck": {js(was_deck)}'
    return text + "}"


def report_text(report: Report, details: Mapping[str, Sequence[str]] | None = None) -> str:
    """The text report; ``details``: lines shown under a note's line, by GUID (``diff``
    shows what changed in its fields there)."""
    return "".join(report_text_chunks(report, details))


def report_text_chunks(
    report: Report, details: Mapping[str, Sequence[str]] | None = None
) -> Iterator[str]:
    """The text report line by line: a first build of 100,000 notes lists each as new."""
    yield f"deck {report.deck!r} -> {report.output}\n"
    yield ", ".join(f"{report.count(s)} {s}" for s in STATUSES if s != "gone") + "\n"
    for line in _note_lines(report, details or {}):
        yield line + "\n"
    for line in _advice(report):
        yield line + "\n"


def _note_lines(
    report: Report, details: Mapping[str, Sequence[str]] | None = None
) -> Iterator[str]:
    for status in ("new", "changed", "reworded", "moved", "removed"):
        for e in (e for e in report.entries if e.status == status):
            where = f"{e.page}:{e.line}" if e.line else e.page
            line = f"  {status:8} {where}: {e.question}"
            if status == "reworded":
                line += f" (was: {e.was_question})"
            elif status == "moved":
                line += f" (was: {e.was_page}: {e.was_question})"
            yield line
            if details:
                yield from details.get(e.guid, ())


def report_details(
    report: Report, limit: int | None = None, *, removed_advice: bool = True
) -> list[str]:
    """One line per added, changed, reworded, moved or removed note, then import advice.

    With ``limit``, at most that many note lines (the advice is always kept). Without
    ``removed_advice``, no advice on removed notes (``sync`` says what became of them).
    """
    lines = list(_note_lines(report))
    if limit is not None and len(lines) > limit:
        hidden = len(lines) - limit
        lines = [*lines[:limit], f"  … and {hidden} more: see the report beside the deck"]
    return lines + _advice(report, removed_advice=removed_advice)


def _advice(report: Report, *, removed_advice: bool = True) -> list[str]:
    """Proposed matches and what to do in Anki after importing."""
    lines: list[str] = []
    for p in report.proposals:
        lines.append(
            f"  maybe    {p.page}:{p.line}: {p.question!r} could be the earlier "
            f"{p.was_page}: {p.was_question!r} (similarity {p.similarity:.2f}); "
            f"to keep its review history, build with --accept {p.page}:{p.line}"
        )
    if removed_advice and report.count("removed"):
        lines.append(
            f"Anki cannot delete notes on import: after importing, search tag:{REMOVED_TAG} "
            "to see removed questions, or use Tools > Empty Cards to delete their cards."
        )
    lines.extend(_move_advice(report.deck_moves))
    return lines


def _move_advice(moves: Sequence[ReportEntry]) -> list[str]:
    """For each deck that cards now belong to: an Anki search that finds exactly those cards,
    wherever they are in the collection, and the deck to move them to.

    Anki leaves existing cards where they are on import, so the cards are in the deck they
    were first imported into, or wherever their owner moved them: not necessarily the deck of
    the last build (after two nav changes, that deck never held them). The search does not
    name the old deck: it finds the cards by their page (the Source field) and takes those
    not already in the target deck itself, removed questions left out.
    """
    if not moves:
        return []
    lines = [
        f"{len(moves)} card(s) now belong to another deck, but Anki never moves existing cards "
        "on import. After importing, for each line below: Browse, paste the search (it finds "
        "those cards wherever they are, except in the deck they belong to), select all the "
        "cards it finds, then Cards > Change Deck to the deck named."
    ]
    for deck, count, search in move_groups(moves):
        lines.append(f"  {count} card(s) to {deck!r}: search {search}")
    return lines


def move_groups(moves: Sequence[ReportEntry]) -> list[tuple[str, int, str]]:
    """(target deck, cards that moved to it, the Anki search for them), by deck name."""
    groups: dict[str, list[ReportEntry]] = {}
    for entry in moves:
        groups.setdefault(entry.deck, []).append(entry)
    return [
        (deck, len(entries), move_search(deck, sorted({e.page for e in entries})))
        for deck, entries in sorted(groups.items())
    ]


def _search_text(text: str) -> str:
    """``text`` inside a quoted Anki search term: backslash, quote and the wildcards ``*``
    and ``_`` escaped so they match themselves."""
    for char in ("\\", '"', "*", "_"):
        text = text.replace(char, "\\" + char)
    return text


def move_search(deck: str, pages: Sequence[str]) -> str:
    """The Anki search for the cards of ``pages`` that are not in ``deck`` itself (cards in
    its subdecks count as elsewhere), leaving out removed questions."""
    from html import escape  # noqa: PLC0415

    in_page = " OR ".join(
        f'"Source:*<span class=\\"ankigen-page\\">{_search_text(escape(page))}</span>*"'
        for page in pages
    )
    target = _search_text(deck)
    return f'({in_page}) -tag:{REMOVED_TAG} -("deck:{target}" -"deck:{target}::*")'
