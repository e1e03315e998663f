"""Whole mkdocs sites: decks follow the nav, pages outside it go by folder, site order is due
order, front matter is dropped and the Source field links to the published page."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from ankigen.build import plan_build
from ankigen.cli.commands import main
from ankigen.config.mkdocs import load_site
from ankigen.config.project import load_config
from ankigen.config.site import PyApply, PyName
from ankigen.read.frontmatter import split_front_matter
from ankigen.read.layout import page_url, slugify
from tests.anki_harness import fresh_collection, import_apkg, notes
from tests.conftest import as_ref_cards, copy_site
from tests.reference import reference_cards

# Every test here runs with the speed wing on and off: the cards must not differ.
pytestmark = pytest.mark.usefixtures("speedups_both_ways")

SITE = Path(__file__).parent / "fixtures" / "sites" / "two-sections"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(SITE, tmp_path)


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


def _plain(value: object) -> object:
    if isinstance(value, PyName | PyApply):
        raise ValueError("needs the real Python object")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


SITES = [p.parent for p in sorted((SITE.parent).glob("*/mkdocs.yml"))]


@pytest.mark.parametrize(
    "site_dir", [s for s in SITES if s.name in ("two-sections", "snippets")], ids=lambda p: p.name
)
def test_every_page_of_a_fixture_site_matches_the_reference(
    site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_site(site_dir, tmp_path)
    monkeypatch.chdir(copy)  # mkdocs builds from the config's folder
    config = load_config(copy)
    assert config.site is not None
    extensions = ["toc", "tables", "fenced_code"]
    configs: dict[str, Mapping[str, object]] = {}
    for name, options in config.site.markdown_extensions:
        extensions.append(name)
        try:
            plain = _plain(options)
        except ValueError:
            continue
        assert isinstance(plain, dict)
        configs[name] = plain
    plan = plan_build(copy, config, now=1, output=tmp_path / "x.apkg")
    for page in sorted(config.site.docs_dir.rglob("*.md")):
        rel = page.relative_to(config.site.docs_dir).as_posix()
        text, _meta = split_front_matter(page.read_text(encoding="utf-8"))
        expected = reference_cards(text, extensions=extensions, extension_configs=configs)
        ours = as_ref_cards(c for c in plan.cards if c.page == rel)
        assert ours == expected, rel
