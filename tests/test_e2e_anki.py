"""End to end: build the user's page, import it with the official anki package.

Imports use Anki desktop's default options (tests/anki_harness.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from ankigen import build as build_module
from ankigen import freshness
from ankigen.output.notetype import FIELDS, NOTETYPE_NAME, note_type
from tests.anki_harness import (
    card_state,
    fresh_collection,
    import_apkg,
    notes,
    notetype_names,
    render_card,
    study_all_new,
)
from tests.conftest import SEED_PAGE, SHARED_SEED, MakeProject, Project

pytestmark = pytest.mark.e2e

SEED_LINKS_1 = [
    "https://cs231n.github.io/convolutional-networks/",
    "https://towardsdatascience.com/understand-local-receptive-fields-in-convolutional-neural-networks-f26d700be16c",
    "https://towardsdatascience.com/understanding-parameter-sharing-or-weights-replication-within-convolutional-neural-networks-cc26db7b645a",
    "https://www.quora.com/What-are-the-advantages-of-a-convolutional-neural-network-CNN-compared-to-a-simple-neural-network-from-the-theoretical-and-practical-perspective",
    "https://msail.github.io/post/cnn_human_visual/",
]
SEED_LINKS_2 = [
    "https://distill.pub/2019/computing-receptive-fields/#overview",
    "https://blog.christianperone.com/2017/11/the-effective-receptive-field-on-cnns/",
    "https://theaisummer.com/receptive-field/",
]
STOCK_NOTETYPES = {
    "Basic",
    "Basic (and reversed card)",
    "Basic (optional reversed card)",
    "Basic (type in the answer)",
    "Cloze",
    "Image Occlusion",
}


def _hrefs(html: str) -> list[str]:
    return [str(a["href"]) for a in BeautifulSoup(html, "html.parser").find_all("a")]


def test_source_page_is_the_seed_byte_for_byte() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("../shared is not beside this checkout")
    assert SEED_PAGE.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_imports_as_two_notes_with_answer_and_links(project: Project, tmp_path: Path) -> None:
    assert project.build() == 0
    with fresh_collection(tmp_path / "anki") as col:
        log = import_apkg(col, project.apkg)
        assert log.nonzero_counts() == {"new": 2}
        got = notes(col)
        assert len(got) == 2
        assert col.card_count() == 2
        ours = [name for name in notetype_names(col) if name not in STOCK_NOTETYPES]
        assert ours == [NOTETYPE_NAME]
        assert all(n.notetype == NOTETYPE_NAME for n in got)
        assert all(n.field_names == FIELDS for n in got)
        assert all(n.deck_names == ("Deep Learning Questions",) for n in got)

        first, second = sorted(got, key=lambda n: n.fields["Question"], reverse=True)
        assert first.fields["Question"].startswith("Why do we use Convolutional Neural Networks")
        assert _hrefs(first.fields["Links"]) == SEED_LINKS_1
        answer = BeautifulSoup(first.fields["Answer"], "html.parser")
        items = answer.select("ol > li")
        assert len(items) == 3
        assert items[0].get_text().strip().startswith("Spatial arrangement")
        assert items[2].get_text().strip().startswith("Weight/Parameter Sharing")
        bold = [b.get_text() for b in answer.find_all("strong")]
        assert bold == ["Local Spatial Coherence", "Local Receptive Field"]
        assert "Read more" not in first.fields["Answer"]
        assert not any(url in first.fields["Answer"] for url in SEED_LINKS_1)

        assert second.fields["Question"] == "What are Receptive Fields in CNNs?"
        assert second.fields["Answer"] == ""
        assert _hrefs(second.fields["Links"]) == SEED_LINKS_2
        _question, back = render_card(col, second.card_ids[0])
        shown = BeautifulSoup(back, "html.parser")
        assert [str(a["href"]) for a in shown.find_all("a")] == SEED_LINKS_2
        assert "Read more" in shown.get_text()


def test_new_cards_are_due_in_source_order(make_project: MakeProject, tmp_path: Path) -> None:
    questions = [f"Question number {i} about topic {chr(65 + i)}?" for i in range(6)]
    page = "".join(f'??? question "{q}"\n    Answer {i}.\n\n' for i, q in enumerate(questions))
    project = make_project({"a.md": page})
    assert project.build() == 0
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, project.apkg)
        cards = sorted((col.get_card(cid) for cid in col.find_cards("")), key=lambda c: c.due)
        assert [c.note()["Question"] for c in cards] == questions


def test_answer_edit_updates_in_place_and_keeps_review_state(
    project: Project, tmp_path: Path
) -> None:
    assert project.build(now=1_800_000_000) == 0
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, project.apkg)
        before = {n.guid: n for n in notes(col)}
        reviewed = study_all_new(col)
        assert len(reviewed) == 2
        states = {cid: card_state(col, cid) for cid in reviewed}
        assert all(s.reps == 1 and s.revlog for s in states.values())

        project.edit(
            "convolutional-neural-networks.md",
            "CNNs preserve spatial structure in images.",
            "CNNs preserve the spatial structure of images.",
        )
        # Same second as the first build: the changed note must still get a newer mod.
        assert project.build(now=1_800_000_000) == 0
        log = import_apkg(col, project.apkg)
        assert log.nonzero_counts() == {"updated": 1, "duplicate": 1}

        after = {n.guid: n for n in notes(col)}
        assert after.keys() == before.keys()
        assert [n.id for n in after.values()] == [n.id for n in before.values()]
        changed = [g for g in after if after[g].fields != before[g].fields]
        assert len(changed) == 1
        assert "the spatial structure of images" in after[changed[0]].fields["Answer"]
        assert {cid: card_state(col, cid) for cid in reviewed} == states
        assert col.card_count() == 2
        ours = [name for name in notetype_names(col) if name not in STOCK_NOTETYPES]
        assert ours == [NOTETYPE_NAME]


def test_rebuild_without_changes_is_byte_identical(project: Project) -> None:
    assert project.build() == 0
    first = project.apkg.read_bytes()
    lock = project.lock.read_bytes()
    assert project.build() == 0
    assert project.apkg.read_bytes() == first
    assert project.lock.read_bytes() == lock


def test_same_input_same_epoch_gives_same_bytes_in_two_projects(
    project: Project, tmp_path: Path
) -> None:
    assert project.build(now=1_700_000_000) == 0
    twin = Project(tmp_path / "twin")
    (twin.source).mkdir(parents=True)
    (twin.root / ".git").mkdir()
    (twin.root / "ankigen.toml").write_text('deck = "Deep Learning Questions"\n')
    (twin.source / SEED_PAGE.name).write_bytes(SEED_PAGE.read_bytes())
    assert twin.build(now=1_700_000_000) == 0
    assert twin.apkg.read_bytes() == project.apkg.read_bytes()


def test_removed_question_is_findable_by_one_search_and_absent_from_a_fresh_import(
    project: Project, tmp_path: Path
) -> None:
    assert project.build(now=1_800_000_000) == 0
    page = project.page()
    text = page.read_text(encoding="utf-8")
    second_card = text.index('??? question "What are Receptive Fields')
    with fresh_collection(tmp_path / "user") as col:
        import_apkg(col, project.apkg)
        reviewed = study_all_new(col)
        states = {cid: card_state(col, cid) for cid in reviewed}

        page.write_text(text[:second_card], encoding="utf-8")
        assert project.build(now=1_800_000_100) == 0
        log = import_apkg(col, project.apkg)
        assert log.nonzero_counts() == {"updated": 1, "duplicate": 1}
        found = col.find_notes("tag:ankigen::removed")
        assert len(found) == 1
        gone = col.get_note(found[0])
        assert gone["Question"] == ""
        assert "What are Receptive Fields in CNNs?" in gone["Source"]
        # The card and its history stay until the user deletes it; Empty Cards lists it.
        assert {cid: card_state(col, cid) for cid in reviewed} == states
        report = col.get_empty_cards()
        assert [n.note_id for n in report.notes] == [found[0]]

    with fresh_collection(tmp_path / "newcomer") as col:
        import_apkg(col, project.apkg)
        assert col.card_count() == 1
        (card_id,) = col.find_cards("")
        assert col.get_card(card_id).note()["Question"].startswith("Why do we use")


def _as_if_ankigen_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The note type's templates and CSS are ankigen's own files (and Pygments' styles): a
    change to them is a new code fingerprint, so the next build is not "up to date"."""
    monkeypatch.setattr(freshness, "code_fingerprint", lambda *_: "a changed ankigen")


def test_css_change_updates_the_note_type_in_place(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert project.build(now=1_800_000_000) == 0
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, project.apkg)
        original = note_type()
        restyled = replace(original, css=original.css + "\n.ankigen-marker-test { color: red; }\n")
        monkeypatch.setattr(build_module, "note_type", lambda: restyled)
        _as_if_ankigen_changed(monkeypatch)
        assert project.build(now=1_800_000_000) == 0
        import_apkg(col, project.apkg)
        ours = [name for name in notetype_names(col) if name not in STOCK_NOTETYPES]
        assert ours == [NOTETYPE_NAME]
        model = col.models.by_name(NOTETYPE_NAME)
        assert model is not None and ".ankigen-marker-test" in model["css"]


def test_field_change_is_refused_with_a_clear_message(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project.build() == 0
    before = project.apkg.read_bytes()
    changed = replace(note_type(), fields=("Question", "Answer", "Source", "Links"))
    monkeypatch.setattr(build_module, "note_type", lambda: changed)
    _as_if_ankigen_changed(monkeypatch)
    assert project.build() == 1
    err = capsys.readouterr().err
    assert "ankigen.lock: error: note type 'ankigen Q&A v1'" in err
    assert "new note type id" in err
    assert project.apkg.read_bytes() == before
