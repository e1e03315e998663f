"""What a build adds, changes, rewords, moves and removes, for people (text) and tools (JSON)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

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


@dataclass(frozen=True, slots=True)
class ReportEntry:
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
        ReportEntry(
            status=n.status,
            page=n.page,
            line=n.line,
            question=n.question_text,
            guid=n.guid,
            was_page=n.was[0] if n.was else "",
            was_question=n.was[1] if n.was else "",
            deck=n.deck,
            was_deck=n.was_deck,
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
    }

    return json_lines_chunks(head, "notes", report.entries, report_line, memo="report")


def report_line(e: ReportEntry) -> str:
    """A note's row of the JSON report: status, page, line, question and guid, then
    was_page, was_question, deck and was_deck when not empty. Written as the JSON encoder
    would write the dict, without making it."""
    text = (
        f'{{"status": {json_string(e.status)}, "page": {json_string(e.page)}, '
        f'"line": {int(e.line)!r}, "question": {json_string(e.question)}, '
        f'"guid": {json_string(e.guid)}'
    )
    if e.was_page != "":
        text += f', "was_page": {json_string(e.was_page)}'
    if e.was_question != "":
        text += f', "was_question": {json_string(e.was_question)}'
    if e.deck != "":
        text += f', "deck": {json_string(e.deck)}'
    if e.was_deck != "":
        text += f', "was_deck": {json_string(e.was_deck)}'
    return text + "}"


def report_text(report: Report) -> str:
    return "".join(report_text_chunks(report))


def report_text_chunks(report: Report) -> Iterator[str]:
    """The text report line by line: a first build of 100,000 notes lists each as new."""
    yield f"deck {report.deck!r} -> {report.output}\n"
    yield ", ".join(f"{report.count(s)} {s}" for s in STATUSES if s != "gone") + "\n"
    for line in _note_lines(report):
        yield line + "\n"
    for line in _advice(report):
        yield line + "\n"


def _note_lines(report: Report) -> Iterator[str]:
    for status in ("new", "changed", "reworded", "moved", "removed"):
        for e in (e for e in report.entries if e.status == status):
            where = f"{e.page}:{e.line}" if e.line else e.page
            line = f"  {status:8} {where}: {e.question}"
            if status == "reworded":
                line += f" (was: {e.was_question})"
            elif status == "moved":
                line += f" (was: {e.was_page}: {e.was_question})"
            yield line


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
    moves = report.deck_moves
    if moves:
        old = sorted({e.was_deck for e in moves})
        lines.append(
            f"{len(moves)} card(s) now belong to another deck, but Anki never moves existing "
            "cards on import. In Anki: Browse, search "
            + " or ".join(f'"deck:{d}"' for d in old)
            + f", select the cards, then Cards > Change Deck to {report.deck!r}."
        )
    return lines
