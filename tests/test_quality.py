"""The project's own gates: ruff and mypy --strict, as configured in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ankigen.cli.commands import main
from tests.conftest import REPO

README = REPO / "README.md"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_ruff_is_clean() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = README.read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2, commands
    build_command, test_command = commands
    assert "python -m ankigen" in build_command
    assert "pytest" in test_command
    assert test_command in ci.splitlines()


def test_build_backend_is_not_setuptools() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'build-backend = "hatchling.build"' in text
    assert "setuptools" not in text


def test_repo_source_is_committed_lockfile_consistent(tmp_path: Path) -> None:
    """Building the repository's own source/ reproduces the committed lockfile."""
    lock = REPO / "ankigen.lock"
    before = lock.read_bytes()
    work = tmp_path / "repo"
    (work / ".git").mkdir(parents=True)
    (work / "source").mkdir()
    for page in (REPO / "source").glob("*.md"):
        (work / "source" / page.name).write_bytes(page.read_bytes())
    (work / "pyproject.toml").write_bytes((REPO / "pyproject.toml").read_bytes())
    (work / "ankigen.lock").write_bytes(before)
    assert main(["build", str(work / "source"), "-o", str(work / "out.apkg")], env={}) == 0
    assert (work / "ankigen.lock").read_bytes() == before
