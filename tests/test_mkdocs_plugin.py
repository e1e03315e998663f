"""``plugins: [ankigen]``: a real ``mkdocs build`` (mkdocs and mkdocs-material from PyPI, run
as a subprocess, the plugin found through its ``mkdocs.plugins`` entry point) of the fixture
site, and the deck it leaves in the built site imported with Anki's own importer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ankigen.cli.commands import main
from tests import anki_harness as harness
from tests.conftest import copy_site

pytest.importorskip("mkdocs", reason="mkdocs is a test extra: pip install -e '.[test]'")
pytest.importorskip("material", reason="mkdocs-material is a test extra")

SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "plugin"
APKG = "preview-garden.apkg"
DECK = "Preview Garden"
NO_ANSWER = '\n??? question "What is left to say about schedules?"\n\nText after the box.\n'


def _site(tmp_path: Path, plugins: str = "plugins:\n  - ankigen\n", extra: str = "") -> Path:
    site = copy_site(SITE, tmp_path / "work")
    config = site / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + plugins, encoding="utf-8")
    if extra:
        page = site / "docs" / "training" / "schedules.md"
        page.write_text(page.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return site


def _mkdocs(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", *args],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_mkdocs_build_writes_the_deck_anki_imports(tmp_path: Path) -> None:
    site = _site(tmp_path)
    done = _mkdocs(site, "--strict")
    assert done.returncode == 0, done.stderr
    assert "ankigen: 5 notes from 3 page(s) (5 new, 0 changed, 0 unchanged)" in done.stderr
    apkg = site / "site" / APKG
    assert apkg.is_file()
    assert (site / "ankigen.lock").is_file()  # identities kept as `ankigen build` keeps them
    with harness.fresh_collection(tmp_path) as col:
        log = harness.import_apkg(col, apkg)
        assert len(log.new) == 5
        views = harness.notes(col)
        media = harness.media_files(col)
        decks = harness.deck_names(col)
    assert {d for v in views for d in v.deck_names} == {
        f"{DECK}::Home",
        f"{DECK}::Vision::Pooling",
        f"{DECK}::Training::Schedules",
    }
    assert "Default" in decks
    assert sorted(v["Question"] for v in views)[0].startswith("How big is the output")
    (image,) = media.values()
    assert image == (SITE / "docs" / "vision" / "img" / "pool-grid.png").read_bytes()
    # The same deck as `ankigen build` of the same site makes (same notes, same fields).
    other = tmp_path / "cli" / APKG
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert main(["build", str(site), "-o", str(other)], env=epoch) == 0
    with harness.fresh_collection(tmp_path, "cli.anki2") as col:
        harness.import_apkg(col, other)
        cli_views = harness.notes(col)
    assert [(v.guid, dict(v.fields)) for v in cli_views] == [
        (v.guid, dict(v.fields)) for v in views
    ]


def test_the_plugin_leaves_every_page_as_mkdocs_makes_it(tmp_path: Path) -> None:
    """Built with and without the plugin, the site's files are the same, byte for byte;
    the plugin adds the deck and its two report files, nothing else."""
    without = _site(tmp_path / "a", plugins="plugins: []\n")
    with_plugin = _site(tmp_path / "b")
    for site in (without, with_plugin):
        done = _mkdocs(site)
        assert done.returncode == 0, done.stderr

    def files(site: Path) -> dict[str, bytes]:
        root = site / "site"
        found = (p for p in root.rglob("*") if p.is_file())
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in found}

    before, after = files(without), files(with_plugin)
    added = sorted(set(after) - set(before))
    assert added == [APKG, "preview-garden.report.json", "preview-garden.report.txt"]
    assert set(before) <= set(after)
    assert [name for name in before if before[name] != after[name]] == []
    assert any(name.endswith(".html") for name in before)


def test_strict_fails_on_an_ankigen_warning_and_writes_no_deck(tmp_path: Path) -> None:
    site = _site(tmp_path, extra=NO_ANSWER)
    done = _mkdocs(site, "--strict")
    assert done.returncode == 1
    assert (
        "WARNING -  ankigen: docs/training/schedules.md:16:1: warning: card has no answer"
        in done.stderr
    )
    assert "Aborted with 1 warnings in strict mode!" in done.stdout + done.stderr
    assert not (site / "site" / APKG).exists()
    # without --strict the warning is shown and the deck is written
    done = _mkdocs(site)
    assert done.returncode == 0, done.stderr
    assert "warning: card has no answer" in done.stderr
    assert (site / "site" / APKG).is_file()


def test_an_ankigen_error_stops_the_build(tmp_path: Path) -> None:
    site = _site(tmp_path, extra='\n??? question ""\n')
    done = _mkdocs(site)
    assert done.returncode == 1
    assert "ERROR   -  ankigen: docs/training/schedules.md:16:1: error:" in done.stderr
    assert "ankigen: build failed with 1 error(s), no deck written" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (site / "site" / APKG).exists()


def test_options_path_and_enabled(tmp_path: Path) -> None:
    site = _site(tmp_path, plugins="plugins:\n  - ankigen:\n      path: downloads/cards.apkg\n")
    assert _mkdocs(site).returncode == 0
    assert (site / "site" / "downloads" / "cards.apkg").is_file()
    assert not (site / "site" / APKG).exists()

    off = _site(tmp_path / "off", plugins="plugins:\n  - ankigen:\n      enabled: false\n")
    assert _mkdocs(off).returncode == 0
    assert not (off / "site" / APKG).exists() and not (off / "ankigen.lock").exists()

    bad = _site(tmp_path / "bad", plugins="plugins:\n  - ankigen:\n      path: ../up.apkg\n")
    done = _mkdocs(bad)
    assert done.returncode == 1
    assert "must be a relative path ending in .apkg inside the built site" in done.stderr
