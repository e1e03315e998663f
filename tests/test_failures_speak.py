"""Every failure speaks: usage errors exit 2 with a hint, a failed build or check ends with one
summary line, and a bug (in any command, watch included) is one line naming the file that
holds its traceback."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ankigen.cli import run
from ankigen.cli.commands import main
from tests.conftest import MakeProject, Project

# ---------------------------------------------------------------- usage errors: exit 2


def test_a_source_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("build", "check", "diff", "watch"):
        assert main([command, str(tmp_path / "nowhere")], env={}) == 2
        err = capsys.readouterr().err
        assert f"{tmp_path / 'nowhere'}: error: source path does not exist" in err
        assert "hint:" in err and "Traceback" not in err


@pytest.mark.parametrize("types", ["", " , ", ","])
def test_empty_types_is_a_usage_error_with_the_command_line_form(
    project: Project, capsys: pytest.CaptureFixture[str], types: str
) -> None:
    assert main(["build", str(project.source), "--types", types], env={}) == 2
    err = capsys.readouterr().err
    assert "argument --types: no admonition type given" in err
    assert "e.g. --types question,faq" in err  # the command-line form, not the config's
    assert not project.lock.exists()


def test_a_types_value_that_is_not_a_word_is_a_usage_error(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(project.source), "--types", "question,two words"], env={}) == 2
    assert "'two words' is not an admonition type" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("typed", "meant"), [("biuld", "build"), ("chek", "check"), ("dif", "diff"), ("wacth", "watch")]
)
def test_an_unknown_command_gets_a_did_you_mean(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    typed: str,
    meant: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([typed], env={}) == 2
    err = capsys.readouterr().err
    assert f"unknown command {typed!r}; did you mean {meant!r}?" in err
    assert "hint: commands are build, check, diff, watch" in err


def test_a_missing_path_that_looks_like_a_command_is_a_missing_source(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["bild.md"], env={}) == 2
    err = capsys.readouterr().err
    assert "bild.md: error: source path does not exist" in err and "did you mean" not in err


def test_a_folder_named_like_a_command_is_still_a_source(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project({"a.md": '??? question "Q?"\n    A.\n'})
    (project.root / "chek").mkdir()
    (project.root / "chek" / "b.md").write_text('??? question "R?"\n    B.\n', encoding="utf-8")
    monkeypatch.chdir(project.root)
    assert main(["chek", "-o", str(project.apkg)], env={}) == 0  # = build chek


# ---------------------------------------------------------------- one summary line at the end


def _many_errors(count: int) -> dict[str, str]:
    return {f"p{i:03}.md": "??? question\n" for i in range(count)}  # untitled and empty: errors


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_failed_build_ends_with_one_summary_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    project = make_project({"ok.md": '??? question "Q?"\n\n??? question "R?"\n    R.\n'})
    for rel, text in _many_errors(135).items():
        (project.source / rel).write_text(text, encoding="utf-8")
    out = ["-o", str(project.apkg)] if command == "build" else []
    assert main([command, str(project.source), *out], env={}) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert sum(": error:" in line for line in lines) == 135
    assert lines[-1] == f"ankigen: {command} failed: 135 errors, 1 warning, nothing written"
    assert not project.apkg.exists()


def test_strict_ends_with_the_same_summary_line(
    make_project: MakeProject, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project({"a.md": '??? question "Q"\n    a\n\n??? question "Empty?"\n'})
    assert project.build("--strict") == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-1] == (
        "ankigen: build failed (warnings are errors under --strict): "
        "0 errors, 1 warning, nothing written"
    )


# ---------------------------------------------------------------- a bug: one line, a file

_BOOM = (
    "import sys, ankigen.build as b\n"
    "def boom(*a, **k):\n"
    "    raise KeyError('an internal slip')\n"
    "b.plan_build = boom\n"
    "from ankigen.cli import console\n"
    "sys.argv = ['ankigen', *sys.argv[1:]]\n"
    "console()\n"
)


@pytest.mark.parametrize("command", ["build", "check", "diff"])
def test_a_bug_in_any_command_is_one_line_and_a_traceback_file(
    project: Project, tmp_path: Path, command: str
) -> None:
    bugs = tmp_path / "bugs"
    bugs.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _BOOM, command, str(project.source), "--no-cache"],
        capture_output=True,
        text=True,
        env={"TMPDIR": str(bugs), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("ankigen: internal error (a bug in ankigen, not in your pages): ")
    (written,) = bugs.glob("ankigen-bug-*.txt")
    assert str(written) in line
    trace = written.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in trace and "an internal slip" in trace


def test_a_bug_in_a_watched_rebuild_is_one_line_and_watching_goes_on(
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    import tempfile  # noqa: PLC0415

    def boom(*args: object, **kwargs: object) -> tuple[int, str | None]:
        raise KeyError("an internal slip")

    monkeypatch.setattr(run, "_run", boom)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    tempfile.tempdir = None
    stop = threading.Event()
    stop.set()  # one build, then the watcher returns at once
    try:
        assert main(["watch", str(project.source), "-o", str(project.apkg)], env={}, stop=stop) == 0
    finally:
        tempfile.tempdir = None
    out = capsys.readouterr().out.splitlines()
    assert "built: ankigen: internal error (a bug in ankigen" in out[0]
    assert out[0].endswith(" s)") and "the last good deck is kept" in out[0]
    (written,) = tmp_path.glob("ankigen-bug-*.txt")
    assert str(written) in out[0]
