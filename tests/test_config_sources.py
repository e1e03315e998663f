"""Stage: config and sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankigen.config.project import DEFAULT_TYPES, find_config, load_config
from ankigen.errors import AnkigenError
from ankigen.read.sources import discover, read_source


def test_defaults_without_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "my_notes"
    folder.mkdir()
    config = load_config(folder)
    assert config.deck == "My notes"
    assert config.types == DEFAULT_TYPES
    assert config.lock_path == folder.resolve() / "ankigen.lock"


def test_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ankigen]\ndeck = "ML"\ntypes = ["Question", "example"]\n'
    )
    (tmp_path / "source").mkdir()
    config = load_config(tmp_path / "source")
    assert (config.deck, config.types) == ("ML", ("question", "example"))
    assert config.lock_path == tmp_path.resolve() / "ankigen.lock"
    assert find_config(tmp_path / "source") == (tmp_path / "pyproject.toml").resolve()


def test_pyproject_without_table_is_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(tmp_path) is None


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    (tmp_path / "ankigen.toml").write_text('dekc = "x"\n')
    with pytest.raises(AnkigenError) as info:
        load_config(tmp_path)
    (diag,) = info.value.diagnostics
    assert "unknown config key 'dekc'" in diag.message and diag.hint == "did you mean 'deck'?"


def test_invalid_toml_points_at_the_line(tmp_path: Path) -> None:
    (tmp_path / "ankigen.toml").write_text('deck = "x"\ntypes = [,]\n')
    with pytest.raises(AnkigenError) as info:
        load_config(tmp_path)
    assert (info.value.diagnostics[0].line, info.value.diagnostics[0].col) == (2, 10)
    (tmp_path / "ankigen.toml").write_text('deck = "x"\ntypes = [\n')
    with pytest.raises(AnkigenError) as info:
        load_config(tmp_path)
    assert info.value.diagnostics[0].line == 2


@pytest.mark.parametrize("types", ['"question"', "[]", '["two words"]', "[1]"])
def test_bad_types(tmp_path: Path, types: str) -> None:
    (tmp_path / "ankigen.toml").write_text(f"types = {types}\n")
    if types == '"question"':
        assert load_config(tmp_path).types == ("question",)
        return
    with pytest.raises(AnkigenError):
        load_config(tmp_path)


def test_discover_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    for rel in ("b.md", "a/z.md", "a/b.markdown", ".hidden/x.md", "notes.txt", "A.MD"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    root, pages = discover(tmp_path)
    assert root == tmp_path
    assert [p.relative_to(tmp_path).as_posix() for p in pages] == [
        "A.MD",
        "a/b.markdown",
        "a/z.md",
        "b.md",
    ]


def test_read_source_normalises_newlines_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"\xef\xbb\xbfone\r\ntwo\rthree\n")
    page = read_source(path, tmp_path, "p.md")
    assert page.text == "one\ntwo\nthree\n" and page.rel == "p.md"
