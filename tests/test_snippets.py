"""pymdownx.snippets: our expansion against the reference's, on a fixture site."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankigen.build import plan_build
from ankigen.config import load_config
from ankigen.errors import Severity
from ankigen.snippets import SnippetOptions, expand_snippets
from tests.conftest import as_ref_cards, copy_site
from tests.reference import reference_cards

SITE = Path(__file__).parent / "fixtures" / "sites" / "snippets"
EXTENSIONS = ["admonition", "pymdownx.details", "pymdownx.superfences", "pymdownx.snippets"]


def test_site_cards_match_the_reference(tmp_path: Path) -> None:
    site = copy_site(SITE, tmp_path)
    config = load_config(site)
    plan = plan_build(site, config, now=1, output=tmp_path / "x.apkg")
    ours = as_ref_cards(plan.cards)
    bases = [str(SITE / "includes"), str(SITE / "docs")]
    expected = reference_cards(
        (SITE / "docs" / "index.md").read_text(encoding="utf-8"),
        extensions=EXTENSIONS,
        extension_configs={"pymdownx.snippets": {"base_path": bases}},
    )
    assert ours == expected
    (missing,) = plan.diagnostics
    assert missing.severity is Severity.WARNING and "'nowhere.md' not found" in missing.message
    assert missing.line == 15


def _expand(text: str, files: dict[str, str], root: Path) -> tuple[str, list[str]]:
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    options = SnippetOptions(base_paths=(root,), root=root)
    out, problems = expand_snippets(text, "p.md", options, lambda p: p.read_text("utf-8"))
    return out, [d.message for d in problems]


def test_indentation_ranges_blocks_and_loops(tmp_path: Path) -> None:
    files = {"a.md": "one\ntwo\nthree\n", "loop.md": '--8<-- "loop.md"\nbody\n'}
    text = '    --8<-- "a.md:2:3"\n--8<--\na.md:1:1\n;a.md\n--8<--\n--8<-- "loop.md"'
    out, problems = _expand(text, files, tmp_path)
    assert out == "    two\n    three\none\nbody"
    assert problems == []


def test_nothing_outside_the_site_is_read(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "secret.md").write_text("secret\n", encoding="utf-8")
    out, problems = _expand('--8<-- "../secret.md"\n--8<-- "https://x.example/a.md"', {}, site)
    assert "secret" not in out
    assert problems == [
        "snippet '../secret.md' lies outside the site: not read",
        "snippet 'https://x.example/a.md' is a URL; ankigen never downloads",
    ]


@pytest.mark.parametrize("check", [True, False])
def test_check_paths_makes_a_missing_snippet_an_error(tmp_path: Path, check: bool) -> None:
    options = SnippetOptions(base_paths=(tmp_path,), root=tmp_path, check_paths=check)
    _, problems = expand_snippets('--8<-- "gone.md"', "p.md", options, lambda p: None)
    assert problems[0].severity is (Severity.ERROR if check else Severity.WARNING)
