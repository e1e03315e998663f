"""The command line, called in process: exit codes, messages, nothing written on error."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import IO, cast

import pytest

from ankigen.cli import commands
from ankigen.cli.commands import main
from ankigen.files import _locked, project_lock
from ankigen.output import apkg as package
from tests.conftest import MakeProject, Project


def test_no_arguments_builds_source_into_build(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project.root)
    assert main([], env={}) == 0
    out = capsys.readouterr().out
    assert out.strip() == (
        "ankigen: 2 notes from 1 page(s) (2 new, 0 changed, 0 unchanged) "
        "-> build/deep-learning-questions.apkg"
    )
    assert (project.root / "build" / "deep-learning-questions.apkg").is_file()
    assert project.lock.is_file()


def test_help_explains_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--help"]) == 0
    text = capsys.readouterr().out
    for flag in ("SOURCE", "--output", "--types", "--strict"):
        assert flag in text


def test_unknown_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--frobnicate"]) == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_missing_source_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    assert main(["build", str(missing)]) == 2  # a usage error
    err = capsys.readouterr().err
    assert f"{missing}: error: source path does not exist" in err
    assert "hint:" in err and "Traceback" not in err


def test_source_without_cards(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"a.md": "# Title\n\n!!! note\n    not a card\n"})
    assert project.build() == 1
    err = capsys.readouterr().err
    assert "error: no cards found in 1 Markdown page(s)" in err
    assert "hint: cards are admonitions of type question, help, faq" in err
    assert not project.apkg.exists() and not project.lock.exists()


def test_types_flag_makes_other_boxes_cards(make_project: MakeProject) -> None:
    project = make_project({"a.md": '!!! example "What is 2+2?"\n    4\n'})
    assert project.build("--types", "example") == 0
    assert project.apkg.is_file()


def test_non_utf8_page_names_line_and_column_and_keeps_the_old_deck(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project.build() == 0
    before, lock = project.apkg.read_bytes(), project.lock.read_bytes()
    bad = project.source / "bad.md"
    bad.write_bytes(b'??? question "ok"\n    caf\xe9\n')
    assert project.build() == 1
    err = capsys.readouterr().err
    assert f"{bad}:2:8: error: file is not valid UTF-8 (byte 0xe9)" in err
    assert "hint: re-save the page as UTF-8" in err
    assert project.apkg.read_bytes() == before
    assert project.lock.read_bytes() == lock


def test_every_error_of_a_run_is_reported(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"a.md": '??? question "Q"\n    a\n'})
    (project.source / "b.md").write_bytes(b"\xff\n")
    (project.source / "c.md").write_bytes(b"ok\n\xfe\n")
    (project.source / "d.md").write_text("??? question\n\ntext outside\n", encoding="utf-8")
    assert project.build() == 1
    err = capsys.readouterr().err
    assert "b.md:1:1: error" in err and "c.md:2:1: error" in err
    assert "d.md:1:1: error: 'question' box has no question" in err


def test_warning_fails_only_under_strict(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"a.md": '??? question "Q"\n    a\n\n??? question "Empty?"\n'})
    assert project.build("--strict") == 1
    assert "a.md:4:1: warning: card has no answer" in capsys.readouterr().err
    assert not project.apkg.exists()
    assert project.build() == 0
    assert project.apkg.exists()


def test_failed_write_leaves_previous_deck_and_no_temp_file(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert project.build() == 0
    before = project.apkg.read_bytes()
    project.edit("convolutional-neural-networks.md", "Spatial arrangement", "Spatial layout")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    # Fails while the collection is being deflated into the half-written temp file.
    monkeypatch.setattr(package, "_deflate_piece", broken)
    assert project.build() == 1
    assert project.apkg.read_bytes() == before
    assert not [p for p in project.apkg.parent.iterdir() if p.name.endswith(".tmp")]


def test_source_date_epoch_must_be_a_number(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["build", str(project.source), "-o", str(project.apkg)],
            env={"SOURCE_DATE_EPOCH": "yesterday"},
        )
        == 1
    )
    assert "SOURCE_DATE_EPOCH: error" in capsys.readouterr().err


def test_source_date_epoch_sets_new_note_mods(project: Project) -> None:
    assert project.build(now=1_234_567_890) == 0
    assert '"mod": 1234567890' in project.lock.read_text(encoding="utf-8")


def test_single_file_source(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "one.apkg"
    assert main(["build", str(project.page()), "-o", str(out)], env={}) == 0
    assert out.is_file()


def test_check_writes_nothing(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(project.source)], env={}) == 0
    assert "(nothing written)" in capsys.readouterr().out
    assert not project.lock.exists()
    assert not (project.root / "build").exists()


def test_zip_entries_have_fixed_times(project: Project) -> None:
    assert project.build() == 0
    with zipfile.ZipFile(project.apkg) as archive:
        assert [i.filename for i in archive.infolist()] == ["collection.anki2", "media"]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_deck_id_is_stable() -> None:
    assert package.deck_id("Deck") == package.deck_id("Deck") != package.deck_id("Deck 2")


def test_unreadable_page_is_an_error_not_a_traceback(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "convolutional-neural-networks.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    assert project.build() == 1
    err = capsys.readouterr().err
    assert f"{project.page()}: error: cannot read file: Permission denied" in err
    assert "hint: check that the file exists and is readable" in err
    assert not project.apkg.exists()


def test_diff_reports_changes_and_writes_nothing(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project.build() == 0
    lock = project.lock.read_bytes()
    project.edit("convolutional-neural-networks.md", "Spatial arrangement", "Spatial layout")
    capsys.readouterr()
    assert main(["diff", str(project.source)], env={}) == 0
    out = capsys.readouterr().out
    assert "1 new" not in out and "0 new, 1 changed, 1 unchanged" in out
    assert "  changed  " in out and "convolutional-neural-networks.md:1:" in out
    assert project.lock.read_bytes() == lock


def test_build_writes_json_and_text_reports(project: Project) -> None:
    assert project.build() == 0
    data = json.loads(project.apkg.with_name("deck.report.json").read_text(encoding="utf-8"))
    assert data["counts"]["new"] == 2
    assert [n["line"] for n in data["notes"]] == [1, 22]
    text = project.apkg.with_name("deck.report.txt").read_text(encoding="utf-8")
    assert "  new      convolutional-neural-networks.md:22: What are Receptive Fields" in text


def test_rebuild_prints_what_changed_and_proposals(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(
        {
            "a.md": '??? question "What is weight decay?"\n    Shrinks weights.\n\n'
            '??? question "What is a kernel?"\n    A small matrix.\n'
        }
    )
    assert project.build() == 0
    capsys.readouterr()
    project.edit("a.md", "What is a kernel?", "What is a convolution kernel?")
    project.edit(
        "a.md",
        'What is weight decay?"\n    Shrinks weights.',
        'Why use weight decay in training?"\n    Penalises large weights.',
    )
    assert project.build() == 0
    out = capsys.readouterr().out
    assert "  reworded a.md:4: What is a convolution kernel? (was: What is a kernel?)" in out
    assert "  maybe    a.md:1: 'Why use weight decay in training?' could be the earlier" in out
    assert "build with --accept a.md:1" in out
    assert "search tag:ankigen::removed" in out
    assert out.strip().endswith("-> " + str(project.apkg))
    assert main(["build", str(project.source), "-o", str(project.apkg), "--accept", "a.md"]) == 2


def test_deck_rename_keeps_notes_and_says_how_to_move_cards(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project.build() == 0
    guids = json.loads(project.lock.read_text(encoding="utf-8"))["notes"]
    (project.root / "ankigen.toml").write_text('deck = "CNN basics"\n', encoding="utf-8")
    capsys.readouterr()
    assert project.build() == 0
    out = capsys.readouterr().out
    assert "2 card(s) now belong to another deck" in out
    assert "  2 card(s) to 'CNN basics': search (\"Source:*<span class=" in out
    assert '-("deck:CNN basics" -"deck:CNN basics::*")' in out
    after = json.loads(project.lock.read_text(encoding="utf-8"))["notes"]
    assert [n["guid"] for n in after] == [n["guid"] for n in guids]


def test_emptying_a_built_source_marks_every_note_removed(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert project.build() == 0
    project.page().write_text("# Nothing left\n", encoding="utf-8")
    capsys.readouterr()
    assert project.build("--strict") == 1
    assert project.build() == 0
    err = capsys.readouterr().err
    assert "warning: no cards found in 1 Markdown page(s); all 2 notes of the last build" in err
    lock = json.loads(project.lock.read_text(encoding="utf-8"))
    assert [n.get("removed") for n in lock["notes"]] == [True, True]


def test_check_json_for_ci(make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"a.md": '??? question "Q"\n    a\n\n??? question "Empty?"\n'})
    assert main(["check", str(project.source), "--format", "json"], env={}) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["notes"] == 2 and data["counts"]["new"] == 2
    (diag,) = data["diagnostics"]
    assert (diag["line"], diag["severity"]) == (4, "warning")
    assert main(["check", str(project.source), "--format", "json", "--strict"], env={}) == 1
    assert json.loads(capsys.readouterr().out)["ok"] is False
    assert main(["check", str(project.root / "nope"), "--format", "json"], env={}) == 2
    assert "source path does not exist" in capsys.readouterr().err


def test_a_second_build_at_the_same_time_stops_with_a_clear_error(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    with project_lock(project.root / "ankigen.lock"):
        assert project.build() == 1
    assert "another ankigen build is writing this project right now" in capsys.readouterr().err
    assert not project.apkg.exists()
    assert project.build() == 0


def test_the_project_lock_leaves_no_file_behind(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = tmp_path / "tmp"  # not the shared temp folder, where other builds lock
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    monkeypatch.setenv("TMPDIR", str(private))
    with project_lock(project.root / "ankigen.lock"):
        assert len(list(private.glob("ankigen-*.busy"))) == 1
    assert project.build() == 0
    assert list(private.glob("ankigen-*.busy")) == []


def test_a_build_that_opened_a_removed_lock_file_locks_the_new_one(tmp_path: Path) -> None:
    """The build before it removed the file between this one's open and its lock."""
    path = tmp_path / "x.busy"
    removed = path.open("a")
    path.unlink()
    path.touch()  # and a third build made the file anew
    opened: list[int] = []

    class Racy:  # the path, whose first open gives the removed file
        def open(self, mode: str) -> IO[str]:
            opened.append(1)
            return removed if len(opened) == 1 else path.open(mode)

        def stat(self) -> os.stat_result:
            return path.stat()

    handle = _locked(cast(Path, Racy()), tmp_path / "ankigen.lock")
    try:
        assert len(opened) == 2
        assert removed.closed
        assert os.fstat(handle.fileno()).st_ino == path.stat().st_ino
    finally:
        handle.close()


def test_a_bug_is_one_line_and_a_traceback_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> int:
        raise ZeroDivisionError("an internal mistake")

    monkeypatch.setattr(commands, "main", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None  # read TMPDIR again
    try:
        assert commands.status() == 1
    finally:
        tempfile.tempdir = None
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "internal error (a bug in ankigen" in err and "ZeroDivisionError" in err
    (written,) = tmp_path.glob("ankigen-bug-*.txt")
    assert str(written) in err
    trace = written.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in trace and "an internal mistake" in trace
