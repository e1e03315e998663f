"""What a build adds, changes and removes, for people (text) and tools (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ankigen.ids import REMOVED_TAG
from ankigen.model import Note

__all__ = ["STATUSES", "Report", "ReportEntry", "make_report", "report_json", "report_text"]

STATUSES = ("new", "changed", "unchanged", "removed", "gone")


@dataclass(frozen=True)
class ReportEntry:
    status: str
    page: str
    line: int  # 0 for questions no longer in the source
    question: str
    guid: str


@dataclass(frozen=True)
class Report:
    deck: str
    output: str
    entries: tuple[ReportEntry, ...]

    def count(self, status: str) -> int:
        return sum(entry.status == status for entry in self.entries)

    @property
    def live(self) -> int:
        return sum(entry.status in ("new", "changed", "unchanged") for entry in self.entries)


def make_report(deck: str, output: str, notes: Sequence[Note]) -> Report:
    entries = tuple(ReportEntry(n.status, n.page, n.line, n.question_text, n.guid) for n in notes)
    return Report(deck, output, entries)


def report_json(report: Report) -> str:
    data = {
        "deck": report.deck,
        "output": report.output,
        "counts": {status: report.count(status) for status in STATUSES},
        "notes": [
            {
                "status": e.status,
                "page": e.page,
                "line": e.line,
                "question": e.question,
                "guid": e.guid,
            }
            for e in report.entries
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def report_text(report: Report) -> str:
    lines = [f"deck {report.deck!r} -> {report.output}"]
    lines.append(", ".join(f"{report.count(s)} {s}" for s in STATUSES if s != "gone"))
    for status in ("new", "changed", "removed"):
        for e in (e for e in report.entries if e.status == status):
            where = f"{e.page}:{e.line}" if e.line else e.page
            lines.append(f"  {status:8} {where}: {e.question}")
    if report.count("removed"):
        lines.append(
            f"Anki cannot delete notes on import: after importing, search tag:{REMOVED_TAG} "
            "to see removed questions, or use Tools > Empty Cards to delete their cards."
        )
    return "\n".join(lines) + "\n"
