"""Whole mkdocs sites: decks follow the nav, pages outside it go by folder, site order is due
order, front matter is dropped and the Source field links to the published page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ankigen.cli import main
from ankigen.frontmatter import split_front_matter
from ankigen.layout import page_url, slugify
from ankigen.site import load_site
from tests.anki_harness import fresh_collection, import_apkg, notes

SITE = Path(__file__).parent / "fixtures" / "sites" / "two-sections"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(SITE, copy)
    (copy / ".git").mkdir()
    return copy


def test_front_matter_is_blanked_keeping_line_numbers() -> None:
    text = "---\ntitle: T\ntags: [a]\n---\n# H\n"
    body, meta = split_front_matter(text)
    assert body == "\n\n\n\n# H\n" and meta == {"title": "T", "tags": ["a"]}
    assert split_front_matter("---\nnot: [closed\n")[1] == {}
    assert split_front_matter("# no front matter\n---\n")[0] == "# no front matter\n---\n"


def test_page_urls_follow_mkdocs_rules() -> None:
    site = load_site(SITE)
    assert page_url("vision/pooling.md", site) == "https://cards.example.org/dl/vision/pooling/"
    assert page_url("index.md", site) == "https://cards.example.org/dl/"
    assert page_url("vision/index.md", site) == "https://cards.example.org/dl/vision/"
    assert slugify("What's new in v2.0?") == "whats-new-in-v20"


@pytest.mark.e2e
def test_site_builds_one_deck_tree_following_the_nav(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.apkg"
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, out)
        decks = {n.fields["Question"][:24]: n.deck_names[0] for n in notes(col)}
        root = "Deep Learning Cards"
        assert decks == {
            "What does a 3x3 kernel s": f"{root}::Vision::Convolutions",
            "How many weights does a ": f"{root}::Vision::Convolutions",
            "What does max pooling ke": f"{root}::Vision::Pooling layers",
            "What does momentum add t": f"{root}::Training::Optimisers",
            "Is this page in the nav?": f"{root}::Training::Extra notes",
        }
        order = sorted((col.get_card(c) for c in col.find_cards("")), key=lambda c: c.due)
        assert [c.note()["Question"].split()[2] for c in order] == [
            "a",
            "weights",
            "max",
            "momentum",
            "page",
        ]
        first = next(n for n in notes(col) if n.fields["Question"].startswith("What does a 3x3"))
        assert (
            'href="https://cards.example.org/dl/vision/convolutions/#kernels"'
            in first.fields["Source"]
        )
        assert "title:" not in first.fields["Answer"]
        math = next(n for n in notes(col) if n.fields["Question"].startswith("How many"))
        assert "\\(3 \\times 3 \\times 16 = 144\\)" in math.fields["Answer"]


def test_site_name_is_the_default_deck_and_the_apkg_name(
    site: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(site)
    assert main(["build", "mkdocs.yml"], env={}) == 0
    assert "5 notes from 5 page(s)" in capsys.readouterr().out
    assert (site / "build" / "deep-learning-cards.apkg").is_file()
    assert (site / "ankigen.lock").is_file()


def test_page_titles_and_subdecks_setting(site: Path, tmp_path: Path) -> None:
    (site / "ankigen.toml").write_text('subdecks = "sections"\n', encoding="utf-8")
    assert main(["build", str(site), "-o", str(tmp_path / "o.apkg")], env={}) == 0
    lock = (site / "ankigen.lock").read_text(encoding="utf-8")
    assert '"deck": "Deep Learning Cards::Vision"' in lock
    assert '"deck": "Deep Learning Cards::Training"' in lock
    (site / "ankigen.toml").write_text('subdecks = "folders"\n', encoding="utf-8")
    assert main(["build", str(site), "-o", str(tmp_path / "o.apkg")], env={}) == 1
