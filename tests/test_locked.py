"""``--locked``: CI's question "is the committed lockfile the one this build would write?".

Exit 1 with a clear message when a note is new, changed, reworded, moved or removed and its
lockfile entry was not committed (nothing written, by ``build`` or ``check``); exit 0
otherwise, ``check`` writing nothing and ``build`` writing the deck and reports but leaving
the lockfile as it is.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import yaml

from ankigen.cli.commands import _parser, main
from tests.conftest import REPO, MakeProject, Project

T0 = 1_800_000_000
STRIDE = ("What is stride?", "The step between two kernel positions.")
PADDING = ("What is padding?", "Extra border values so the output keeps its size.")
POOLING = ("What does pooling do?", "It summarises each window of a feature map.")


def page(cards: list[tuple[str, str]]) -> str:
    return "".join(f'??? question "{q}"\n    {a}\n\n' for q, a in cards)


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the project: its bytes and modification time."""
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(project: Project, command: str, *extra: str, now: int = T0 + 60) -> int:
    args = [command, str(project.source), *extra]
    if command == "build":
        args += ["-o", str(project.apkg)]
    return main([*args, "--locked"], env={"SOURCE_DATE_EPOCH": str(now)})


@pytest.fixture
def committed(make_project: MakeProject) -> Project:
    """A project built once: its lockfile is what a commit would hold."""
    project = make_project({"a.md": page([STRIDE, PADDING])})
    assert project.build(now=T0) == 0
    return project


@pytest.mark.parametrize("cached", [True, False], ids=["cache", "no-cache"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_unchanged_project_passes(
    committed: Project, command: str, cached: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = committed.lock.read_bytes()
    before = snapshot(committed.root)
    capsys.readouterr()
    assert run(committed, command, *(() if cached else ("--no-cache",))) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("ankigen: 2 notes from 1 page(s)")
    after = snapshot(committed.root)
    # The lockfile is never rewritten, not even with the same bytes.
    assert after["ankigen.lock"] == before["ankigen.lock"]
    assert committed.lock.read_bytes() == lock
    if command == "check" or cached:  # check writes nothing; an up-to-date build neither
        assert after == before
    else:
        assert set(after) == set(before)


def test_a_locked_build_writes_the_deck_a_plain_build_writes(committed: Project) -> None:
    committed.edit("a.md", "Extra border", "Added border")
    assert committed.build(now=T0 + 60) == 0  # the author builds and commits
    plain = snapshot(committed.root)
    committed.apkg.unlink()  # CI starts from the commit: no deck yet
    assert run(committed, "build", "--no-cache", now=T0 + 60) == 0
    locked = snapshot(committed.root)
    assert locked["ankigen.lock"] == plain["ankigen.lock"]  # untouched
    assert locked["build/deck.apkg"][0] == plain["build/deck.apkg"][0]
    # The report compares with the committed lockfile: the edit is in it already.
    report = json.loads(locked["build/deck.report.json"][0])
    assert report["counts"]["changed"] == 0 and report["counts"]["unchanged"] == 2


def _no_lockfile(project: Project) -> None:
    project.lock.unlink()


def _new(project: Project) -> None:
    project.page("b.md").write_text(page([POOLING]), encoding="utf-8")


def _changed(project: Project) -> None:
    project.edit("a.md", "Extra border", "Added border")


def _reworded(project: Project) -> None:
    project.edit("a.md", "What is stride?", "What does the stride of a kernel mean?")


def _moved(project: Project) -> None:
    project.page("a.md").write_text(page([PADDING]), encoding="utf-8")
    project.page("b.md").write_text(page([STRIDE]), encoding="utf-8")


def _removed(project: Project) -> None:
    project.page("a.md").write_text(page([STRIDE]), encoding="utf-8")


CHANGES = {
    "no lockfile": (_no_lockfile, "error: no lockfile yet (--locked wants one)", ""),
    "new": (_new, "1 new", "  new      b.md:1: What does pooling do?"),
    "changed": (_changed, "1 changed", "  changed  a.md:4: What is padding?"),
    "reworded": (
        _reworded,
        "1 reworded",
        "  reworded a.md:1: What does the stride of a kernel mean? (was: What is stride?)",
    ),
    "moved": (_moved, "1 moved", "  moved    b.md:1: What is stride? (was: a.md: What is stride?)"),
    "removed": (_removed, "1 removed", "  removed  a.md: What is padding?"),
}


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_an_uncommitted_change_fails_and_writes_nothing(
    committed: Project, change: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, message, detail = CHANGES[change]
    edit(committed)
    before = snapshot(committed.root)
    capsys.readouterr()
    assert run(committed, command) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    expected = (
        message
        if change == "no lockfile"
        else f"error: the build would change the lockfile (--locked): {message}"
    )
    at = next(i for i, line in enumerate(lines) if ": error: " in line)
    assert lines[at] == f"{committed.lock}: {expected}"
    assert lines[at + 1] == (
        f"  hint: build without --locked and commit {committed.lock} with the pages"
    )
    if detail:
        assert detail in lines
    assert lines[-1] == "ankigen: the lockfile is not up to date; nothing written"
    assert snapshot(committed.root) == before

    # The author builds and commits the lockfile: CI passes again.
    assert committed.build(now=T0 + 60) == 0
    assert run(committed, command, now=T0 + 120) == 0


def test_the_note_type_changing_is_named(
    committed: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    text = committed.lock.read_text(encoding="utf-8")
    data = json.loads(text)
    old = data["notetype"]["hash"]
    # as if built by an ankigen whose templates or CSS were other
    committed.lock.write_text(text.replace(old, "0" * len(old)), encoding="utf-8")
    capsys.readouterr()
    assert run(committed, "check") == 1
    assert "(--locked): the note type's templates or CSS\n" in capsys.readouterr().err


def test_json_report_says_why(committed: Project, capsys: pytest.CaptureFixture[str]) -> None:
    _new(committed)
    capsys.readouterr()
    assert run(committed, "check", "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["counts"]["new"] == 1
    (diag,) = report["diagnostics"]
    assert diag["path"] == str(committed.lock)
    assert diag["message"] == "the build would change the lockfile (--locked): 1 new"


def test_strict_warnings_come_first(committed: Project, capsys: pytest.CaptureFixture[str]) -> None:
    committed.page("b.md").write_text('??? question "No answer?"\n\n', encoding="utf-8")
    capsys.readouterr()
    assert run(committed, "check", "--strict") == 1
    err = capsys.readouterr().err
    assert "warnings are errors under --strict" in err
    assert "--locked" not in err


def test_the_workflow_runs_commands_that_exist() -> None:
    """The GitHub Actions workflow in the repository (not run here) calls ankigen with
    commands and flags the CLI has, and checks with --locked."""
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "deck.yml").read_text("utf-8"))
    runs = [
        line.strip()
        for job in workflow["jobs"].values()
        for step in job["steps"]
        for line in str(step.get("run", "")).splitlines()
        if line.strip().startswith("ankigen ")
    ]
    assert runs == ["ankigen check source --locked", "ankigen build source -o build/ --locked"]
    for command in runs:
        args = _parser().parse_args(shlex.split(command)[1:])
        assert args.locked and args.source == "source"
