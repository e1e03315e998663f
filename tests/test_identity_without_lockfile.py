"""Identity without a lockfile: renaming a site does not make a duplicate deck, decks built
with the older deck-name namespace keep their GUIDs when their package is beside the output,
and the lost-lockfile warning says how many notes will be new on this build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ankigen.cli.commands import main
from ankigen.identity.namespace import site_namespace
from tests.anki_harness import fresh_collection, import_apkg, notes
from tests.conftest import copy_site

SITE = Path(__file__).parent / "fixtures" / "sites" / "two-sections"
OLD_NAME = "Deep Learning Cards"


def _rename(site: Path, name: str) -> None:
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace(f"site_name: {OLD_NAME}", f"site_name: {name}"), "utf-8")


def _guids(lock: Path) -> set[str]:
    return {n["guid"] for n in json.loads(lock.read_text(encoding="utf-8"))["notes"]}


def _fresh_clone(site: Path, tmp_path: Path, name: str) -> Path:
    """The site as CI checks it out: no lockfile (never committed), no build folder."""
    clone = tmp_path / name
    shutil.copytree(site, clone, ignore=shutil.ignore_patterns("ankigen.lock", "build"))
    return clone


def test_site_namespace_ignores_what_does_not_name_another_site() -> None:
    same = {
        site_namespace(u)
        for u in (
            "https://cards.example.org/dl/",
            "http://Cards.Example.org/dl",
            "https://www.cards.example.org/dl/",
        )
    }
    assert same == {"site:cards.example.org/dl"}
    assert site_namespace("https://cards.example.org/other/") != same.pop()


@pytest.mark.e2e
def test_renaming_site_name_without_a_lockfile_keeps_every_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = copy_site(SITE, tmp_path)
    first = _fresh_clone(site, tmp_path, "ci-1")
    assert main(["build", str(first), "-o", str(first / "build")], env={}) == 0
    (first_deck,) = (first / "build").glob("*.apkg")
    _rename(site, "Neural Network Flashcards")
    second = _fresh_clone(site, tmp_path, "ci-2")
    capsys.readouterr()
    assert main(["build", str(second), "-o", str(second / "build")], env={}) == 0
    assert "warning: no lockfile" not in capsys.readouterr().err  # nothing was built here
    (second_deck,) = (second / "build").glob("*.apkg")
    assert second_deck.name == "neural-network-flashcards.apkg"
    assert _guids(second / "ankigen.lock") == _guids(first / "ankigen.lock")
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, first_deck)
        before = len(notes(col))
        log = import_apkg(col, second_deck)
        assert log.counts()["new"] == 0
        assert len(notes(col)) == before == 5  # no duplicate deck


def test_a_deck_built_with_the_deck_name_namespace_keeps_its_guids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decks built before site addresses became the default used the deck name: a build
    without a lockfile finds their package beside its output and keeps their GUIDs, even
    after the site was renamed (the old package has the old file name)."""
    site = copy_site(SITE, tmp_path)
    out = site / "build"
    (site / "ankigen.toml").write_text(f'namespace = "{OLD_NAME}"\n', encoding="utf-8")
    assert main(["build", str(site), "-o", str(out)], env={}) == 0  # as older versions did
    old = _guids(site / "ankigen.lock")
    (site / "ankigen.toml").unlink()
    (site / "ankigen.lock").unlink()
    _rename(site, "Neural Network Flashcards")
    capsys.readouterr()
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    assert _guids(site / "ankigen.lock") == old
    assert json.loads((site / "ankigen.lock").read_text(encoding="utf-8"))["namespace"] == OLD_NAME


def test_the_lost_lockfile_warning_counts_the_notes_that_will_be_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = copy_site(SITE, tmp_path)
    out = site / "build" / "deck.apkg"
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    (site / "ankigen.lock").unlink()
    page = site / "docs" / "vision" / "pooling.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(  # one question reworded (a new identity without the lockfile), one added
        text.replace("What does max pooling keep?", "What does a max-pooling layer keep?")
        + '\n??? question "Why pool at all?"\n    To shrink the feature map.\n',
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    err = capsys.readouterr().err
    assert (
        f"ankigen.lock: warning: no lockfile, but {out} was built before: "
        f"2 of 6 notes will be new on this build (no note with their identity in {out})"
    ) in err
    assert "Restore the lockfile from version control" in err


def test_a_source_without_a_site_keeps_the_deck_name_namespace(
    tmp_path: Path,
) -> None:
    root = tmp_path / "p"
    (root / "source").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "ankigen.toml").write_text('deck = "Plain"\n', encoding="utf-8")
    (root / "source" / "a.md").write_text('??? question "Q?"\n    A.\n', encoding="utf-8")
    assert main(["build", str(root / "source"), "-o", str(root / "out.apkg")], env={}) == 0
    assert json.loads((root / "ankigen.lock").read_text(encoding="utf-8"))["namespace"] == "Plain"
