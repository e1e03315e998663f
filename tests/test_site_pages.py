"""Which pages of a site make cards: mkdocs' exclude_docs and draft_docs leave pages out of the
published site (pathspec's GitIgnoreSpec rules, checked against pathspec itself), and a nav
entry naming no page is a warning at its line of mkdocs.yml."""

from __future__ import annotations

import itertools
from pathlib import Path

import pathspec
import pytest

from ankigen.cli.commands import main
from ankigen.config.exclude import Exclusion
from ankigen.config.mkdocs import load_site
from tests.conftest import copy_site, package_rows

SITE = Path(__file__).parent / "fixtures" / "sites" / "excluded"

PATTERNS = [
    "drafts/", "*.tmp.md", "/secret.md", "a/**/b.md", "**/notes/*.md", "!keep.md", "old*",
    "x/y/", "/top/", "foo", "a?c.md", "[ab]*.md", "docs/**", "**/z", "!drafts/keep.md",
    "!drafts/", "!*.md", "q/", "# a comment", "", "private/*.md", "!/q/secret.md",
]  # fmt: skip
PATHS = [
    "drafts/a.md", "x/drafts/b.md", "keep.md", "old.md", "p/old-1.md", "secret.md",
    "q/secret.md", "a/b.md", "a/c/d/b.md", "notes/n.md", "m/notes/n.md", "x/y/z.md",
    "top/t.md", "q/top/t.md", "foo", "foo/bar.md", "q/foo/x.md", "abc.md", "adc.md", "b1.md",
    "docs/a/b.md", "z", "q/z", "z/q.md", "drafts/keep.md", ".hidden.md", "d/.h/x.md",
    "templates/t.md", "q/templates/t.md", "w.tmp.md", "docs", "a/q/b.md", "private/p.md",
    "private/deep/p.md",
]  # fmt: skip


@pytest.mark.parametrize("count", [1, 2])
def test_exclusion_matches_what_mkdocs_reads_with_pathspec(count: int) -> None:
    for combo in itertools.permutations(PATTERNS, count):
        spec = pathspec.GitIgnoreSpec.from_lines([".*", "/templates/", *combo])
        ours = Exclusion.of("\n".join(combo))
        for path in PATHS:
            assert ours.excludes(path) == spec.match_file(path), (combo, path)


def test_exclusion_of_three_patterns_in_a_row_matches_pathspec() -> None:
    for combo in itertools.combinations(PATTERNS, 3):
        for order in (combo, combo[::-1]):
            spec = pathspec.GitIgnoreSpec.from_lines([".*", "/templates/", *order])
            ours = Exclusion.of("\n".join(order))
            assert [ours.excludes(p) for p in PATHS] == [spec.match_file(p) for p in PATHS]


def _questions(apkg: Path) -> set[str]:
    return {str(r[0]).split("\x1f")[0] for r in package_rows(apkg, "SELECT flds FROM notes")}


def test_excluded_and_draft_pages_make_no_cards_and_bad_nav_entries_warn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = copy_site(SITE, tmp_path)
    out = tmp_path / "deck.apkg"
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    assert _questions(out) == {
        "Which page is published?",
        "Is a finished note a card?",
        "Is a re-included page a card?",
    }
    err = capsys.readouterr().err
    config = site / "mkdocs.yml"
    assert f"{config}:13: warning: nav entry 'notes/missing.md' is not in the docs folder" in err
    assert f"{config}:14: warning: nav entry 'notes/unfinished.md' is excluded" in err
    assert f"{config}:15: warning: nav entry 'drafts/idea.md' is excluded" in err
    assert err.count("warning") == 3
    assert main(["build", str(site), "-o", str(out), "--strict"], env={}) == 1


def test_exclude_docs_must_be_a_string(tmp_path: Path) -> None:
    site = copy_site(SITE, tmp_path)
    config = site / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "exclude_docs: |\n  drafts/\n  *.wip.md\n  !keep.wip.md\n",
            "exclude_docs:\n  - drafts/\n",
        ),
        encoding="utf-8",
    )
    with pytest.raises(Exception, match="exclude_docs must be a string") as caught:
        load_site(config)
    assert "mkdocs.yml:3" in str(caught.value.diagnostics[0].location)  # type: ignore[attr-defined]
