"""Property: any sequence of everyday edits, rebuilt and re-imported each time, never leaves a
duplicate note in the collection, keeps every surviving card on its first note (so its review
history stays), and no package ever repeats a GUID or a note id."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ankigen.identity.match import normalize_question
from tests.anki_harness import fresh_collection, import_apkg, notes
from tests.conftest import Project, package_rows

pytestmark = pytest.mark.e2e

POOL = [
    "What is a convolution?",
    "Why use max pooling?",
    "How does dropout regularise?",
    "What does batch normalisation fix?",
    "When is a ReLU unit dead?",
    "What is a residual connection?",
    "Why do transformers need positions?",
    "What does the softmax temperature change?",
    "How is cross-entropy computed?",
    "What is an embedding table?",
]

OPS = st.tuples(
    st.sampled_from(["answer", "typo", "reword", "delete", "add", "move", "reorder"]),
    st.integers(min_value=0, max_value=50),
)


@dataclass
class Source:
    pages: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    counter: int = 0

    def cards(self) -> list[tuple[str, int, str, str, int]]:
        return [
            (page, i, q, a, ident)
            for page, items in self.pages.items()
            for i, (q, a, ident) in enumerate(items)
        ]

    def questions(self) -> list[str]:
        return [card[2] for card in self.cards()]

    def apply(self, op: str, n: int) -> None:
        self.counter += 1
        cards = self.cards()
        if op == "add" or not cards:
            if self.unused:
                q = self.unused.pop(n % len(self.unused))
                items = self.pages["a.md" if n % 2 else "b.md"]
                card = (q, f"Fresh answer {self.counter}.", 100 + self.counter)
                items.insert(n % (len(items) + 1), card)
            return
        page, i, q, a, ident = cards[n % len(cards)]
        items = self.pages[page]
        if op == "answer":
            items[i] = (q, f"{a} Edited {self.counter}.", ident)
        elif op == "typo":
            new = q.replace("a", "aa", 1) if "a" in q else q + " (typo)"
            if self._unique(new, q):
                items[i] = (new, a, ident)
        elif op == "reword":
            new = f"In other words {self.counter}: {q.lower()}"
            if self._unique(new, q):
                items[i] = (new, a, ident)
        elif op == "delete":
            del items[i]
        elif op == "move":
            del items[i]
            other = "b.md" if page == "a.md" else "a.md"
            self.pages[other].append((q, a, ident))
        elif op == "reorder":
            items.reverse()

    def _unique(self, new: str, old: str) -> bool:
        others = {normalize_question(x) for x in self.questions() if x != old}
        return normalize_question(new) not in others

    def write(self, root: Path) -> None:
        for page, items in self.pages.items():
            text = "".join(f'??? question "{q}"\n    {a}\n\n' for q, a, _ in items)
            (root / page).write_text(text or "No cards here.\n", encoding="utf-8")


def package_ids(apkg: Path) -> tuple[list[str], list[int]]:
    rows = package_rows(apkg, "SELECT guid, id FROM notes")
    return [r[0] for r in rows], [r[1] for r in rows]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=6))
def test_random_edit_sequences_never_duplicate_a_note(
    tmp_path_factory: pytest.TempPathFactory, ops: list[tuple[str, int]]
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    project = Project(tmp / "project", deck="Prop")
    project.source.mkdir(parents=True)
    (project.root / ".git").mkdir()
    (project.root / "ankigen.toml").write_text('deck = "Prop"\n', encoding="utf-8")
    source = Source(
        pages={
            "a.md": [(q, f"Answer to {q}", i) for i, q in enumerate(POOL[:3])],
            "b.md": [(q, f"Answer to {q}", 3 + i) for i, q in enumerate(POOL[3:5])],
        },
        unused=list(POOL[5:]),
    )
    source.write(project.source)
    first_note: dict[int, int] = {}  # card identity -> the note it was first imported as
    with fresh_collection(tmp / "col") as col:
        for step, (op, n) in enumerate([("noop", 0), *ops]):
            if op != "noop":
                source.apply(op, n)
                source.write(project.source)
            assert project.build(now=1_800_000_000 + step) == 0
            guids, ids = package_ids(project.apkg)
            assert len(set(guids)) == len(guids) and len(set(ids)) == len(ids)
            import_apkg(col, project.apkg)
            live = Counter(n.fields["Question"] for n in notes(col) if n.fields["Question"])
            assert live == Counter(source.questions()), (step, op, n)
            all_guids = [n.guid for n in notes(col)]
            assert len(set(all_guids)) == len(all_guids)
            note_of = {n.fields["Question"]: n.id for n in notes(col) if n.fields["Question"]}
            for _page, _i, q, _a, ident in source.cards():
                assert first_note.setdefault(ident, note_of[q]) == note_of[q], (step, op, q)
