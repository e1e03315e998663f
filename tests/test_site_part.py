"""Building one page or one folder inside a site uses that site: its config, GUID namespace,
lockfile and deck names; or says why not (issue 12, section 5)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ankigen.cli.commands import main
from ankigen.config.project import load_config
from tests.anki_harness import card_state, fresh_collection, import_apkg, notes, study_all_new
from tests.conftest import copy_site

SITES = Path(__file__).parent / "fixtures" / "sites"
PAGE = "docs/vision/convolutions.md"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(SITES / "two-sections", tmp_path)


def lock_rows(site: Path) -> dict[str, dict[str, object]]:
    data = json.loads((site / "ankigen.lock").read_text(encoding="utf-8"))
    return {row["guid"]: row for row in data["notes"]}


def guids_of(site: Path, page: str) -> dict[str, str]:
    """question -> GUID for one docs-relative page, from the lockfile."""
    return {
        str(row["question"]): guid
        for guid, row in lock_rows(site).items()
        if row["page"] == page and not row.get("removed")
    }


def build(*args: str, now: int = 1_800_000_000) -> int:
    return main(["build", *args, "--no-cache"], env={"SOURCE_DATE_EPOCH": str(now)})


def test_a_page_or_folder_of_a_site_reads_the_site(site: Path) -> None:
    page = load_config(site / PAGE)
    assert page.site is not None and page.site.config_file == site / "mkdocs.yml"
    assert page.only == "vision/convolutions.md" and page.deck == "Deep Learning Cards"
    assert page.lock_path == site / "ankigen.lock"
    assert load_config(site / "docs" / "vision").only == "vision"
    whole = load_config(site / "docs")  # the docs folder is the whole site
    assert whole.site is not None and whole.only is None
    assert (whole.flavor, whole.lock_path) == (page.flavor, page.lock_path)


def test_one_page_alone_gives_the_notes_of_the_whole_site_build(site: Path, tmp_path: Path) -> None:
    alone = copy_site(SITES / "two-sections", tmp_path / "alone")
    assert build(str(alone / PAGE), "-o", str(tmp_path / "page.apkg")) == 0
    assert build(str(site), "-o", str(tmp_path / "site.apkg")) == 0
    page_guids = guids_of(alone, "vision/convolutions.md")
    assert len(page_guids) == 2
    assert page_guids == guids_of(site, "vision/convolutions.md")
    rows = lock_rows(alone)
    assert {str(r["deck"]) for r in rows.values()} == {"Deep Learning Cards::Vision::Convolutions"}


def test_a_page_build_after_a_site_build_keeps_the_other_notes(site: Path, tmp_path: Path) -> None:
    assert build(str(site), "-o", str(tmp_path / "site.apkg")) == 0
    before = lock_rows(site)
    page = site / PAGE
    page.write_text(page.read_text().replace("What does a 3x3", "What exactly does a 3x3"))
    assert build(str(page), "-o", str(tmp_path / "page.apkg"), now=1_800_000_100) == 0
    after = lock_rows(site)
    assert after.keys() == before.keys()  # the reworded card kept its note; nothing removed
    changed = {g for g in after if after[g] != before[g]}
    assert len(changed) == 1
    (guid,) = changed
    assert after[guid]["question"] == "What exactly does a 3x3 kernel see?"
    # the whole site now agrees with what the page build wrote: nothing left to change
    assert build(str(site), "-o", str(tmp_path / "site.apkg"), now=1_800_000_200) == 0
    assert lock_rows(site) == after


def test_a_folder_build_and_its_default_output_name(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(site)
    assert build("docs/vision") == 0
    assert "3 notes from 2 page(s)" in capsys.readouterr().out
    assert (site / "build" / "deep-learning-cards-vision.apkg").is_file()
    assert build(PAGE) == 0
    assert (site / "build" / "deep-learning-cards-vision-convolutions.apkg").is_file()
    assert not (site / "build" / "deep-learning-cards.apkg").exists()


def test_why_not(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "docs" / "notes.txt").write_text('??? question "Q?"\n    A.\n')
    assert build(str(site / "docs" / "notes.txt"), "-o", str(tmp_path / "a.apkg")) == 1
    assert "not a page the site builds" in capsys.readouterr().err

    outside = site / "drafts"
    outside.mkdir()
    (outside / "draft.md").write_text('??? question "Draft?"\n    Yes.\n')
    assert build(str(outside / "draft.md"), "-o", str(tmp_path / "b.apkg")) == 0
    err = capsys.readouterr().err
    assert "draft.md: warning: built on its own: it lies in the folder of" in err
    assert "outside its docs_dir" in err

    broken = copy_site(SITES / "two-sections", tmp_path / "broken")
    (broken / "mkdocs.yml").write_text("site_name: [unclosed\n")
    target = broken / PAGE
    assert build(str(target), "-o", str(tmp_path / "c.apkg")) == 0
    err = capsys.readouterr().err
    assert "convolutions.md: warning: built on its own: the site around it" in err
    assert "mkdocs.yml:2:1: invalid YAML" in err


def test_no_site_above_stays_a_plain_folder(tmp_path: Path) -> None:
    pages = tmp_path / "repo" / "notes"
    pages.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    (pages / "a.md").write_text('??? question "Q?"\n    A.\n')
    config = load_config(pages / "a.md")
    assert config.site is None and config.only is None and config.diagnostics == ()


@pytest.mark.e2e
def test_importing_a_page_build_updates_that_page_only(site: Path, tmp_path: Path) -> None:
    whole, part = tmp_path / "site.apkg", tmp_path / "page.apkg"
    assert build(str(site), "-o", str(whole)) == 0
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, whole)
        reviewed = study_all_new(col)
        states = {cid: card_state(col, cid) for cid in reviewed}
        ids = {n.guid: n.id for n in notes(col)}
        page = site / PAGE
        page.write_text(page.read_text().replace("at every position", "at each position"))
        assert build(str(page), "-o", str(part), now=1_800_000_100) == 0
        log = import_apkg(col, part)
        assert log.nonzero_counts() == {"updated": 1, "duplicate": 1}
        assert {n.guid: n.id for n in notes(col)} == ids  # no note added or lost
        assert not [n for n in notes(col) if "ankigen::removed" in n.tags]
        assert {cid: card_state(col, cid) for cid in states} == states
        # the next whole-site build sends nothing new for that page
        assert build(str(site), "-o", str(whole), now=1_800_000_200) == 0
        assert import_apkg(col, whole).nonzero_counts() == {"duplicate": 5}


def test_copying_a_page_out_of_the_site_builds_it_alone(site: Path, tmp_path: Path) -> None:
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / ".git").mkdir()
    shutil.copy(site / PAGE, lone / "convolutions.md")
    config = load_config(lone / "convolutions.md")
    assert config.site is None and config.deck == "Convolutions"
