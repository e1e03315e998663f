"""Page tags: front matter ``tags`` and folder ``.meta.yml`` files become Anki tags; a tag change
updates that page's notes only (issue 12, section 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ankigen.cli.commands import main
from ankigen.read.tags import MetaFile, TagOptions, normalize_tag, page_tags
from tests.anki_harness import card_state, fresh_collection, import_apkg, notes, study_all_new
from tests.conftest import copy_site, package_rows

SITE = Path(__file__).parent / "fixtures" / "sites" / "tagged"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(SITE, tmp_path)


def package_tags(apkg: Path) -> dict[str, str]:
    """First words of each question -> the tags column as written in the package."""
    rows = package_rows(apkg, "SELECT flds, tags FROM notes")
    return {flds.split("\x1f")[0][:20]: tags for flds, tags in rows}


@pytest.mark.parametrize(
    ("raw", "prefix", "expected"),
    [
        ("Machine Learning", "", "machine_learning"),
        ("  Deep \t Nets ", "", "deep_nets"),
        ("Lang::Python 3", "", "lang::python_3"),
        ("::a::::b::", "", "a::b"),
        ("vision", "Course A", "course_a::vision"),
        ("vision", "dl::", "dl::vision"),
        ("x\u3000y", "", "x_y"),  # the ideographic space separates tags in Anki too
        ("  ", "", ""),
        ("::", "p", ""),
    ],
)
def test_normalize_tag(raw: str, prefix: str, expected: str) -> None:
    assert normalize_tag(raw, prefix) == expected


def meta(rel: str, tags: object) -> MetaFile:
    return MetaFile(rel, f"docs/{rel}", {"tags": tags}, {"tags": 2})


def test_folder_metadata_merges_parents_first_then_the_page() -> None:
    files = [meta(".meta.yml", ["Site"]), meta("a/.meta.yml", ["A"]), meta("b/.meta.yml", ["B"])]
    got, problems = page_tags("a/x/p.md", {"tags": ["Own"]}, {}, "p.md", files, TagOptions())
    assert got == ("a", "own", "site") and problems == []
    # the meta plugin tests a plain string prefix: "a/.meta.yml" also reaches "ab/q.md"
    assert page_tags("ab/q.md", {}, {}, "q.md", files, TagOptions())[0] == ("a", "site")
    assert page_tags("c.md", {}, {}, "c.md", files, TagOptions())[0] == ("site",)


def test_hierarchy_name_and_prefix_follow_the_settings() -> None:
    raw = {"topics": ["exam/paper 2", 3, True], "tags": ["ignored"]}
    plain = TagOptions(name="topics")
    assert page_tags("p.md", raw, {}, "p.md", [], plain)[0] == ("3", "exam/paper_2", "true")
    nested = TagOptions(name="topics", hierarchy=True, prefix="Phys")
    assert page_tags("p.md", raw, {}, "p.md", [], nested)[0] == (
        "phys::3",
        "phys::exam::paper_2",
        "phys::true",
    )


def test_values_the_site_refuses_are_warnings_at_their_line() -> None:
    got, problems = page_tags(
        "p.md",
        {"tags": "vision"},
        {"tags": 3},
        "docs/p.md",
        [meta(".meta.yml", ["ok", {"nested": 1}])],
        TagOptions(),
    )
    assert got == ("ok",)
    assert [(d.path, d.line, d.severity) for d in problems] == [
        ("docs/.meta.yml", 2, "warning"),
        ("docs/p.md", 3, "warning"),
    ]
    assert "a tag must be a word or number" in problems[0].message
    assert "`tags` must be a list" in problems[1].message
    assert "tags: [vision]" in problems[1].hint


def test_site_pages_get_front_matter_and_folder_tags(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    assert main(["build", str(site), "-o", str(out), "--no-cache"], env={}) == 0
    assert package_tags(out) == {
        "Where does a converg": " exam::paper_2 geometric_optics optics physics_year_1 ",
        "What sign does a div": " exam::paper_2 geometric_optics optics physics_year_1 ",
        "Why is the screen mo": " optics physics_year_1 ",
        "What does Hooke's la": " physics_year_1 ",
    }


def test_meta_files_apply_only_where_the_site_enables_the_meta_plugin(
    site: Path, tmp_path: Path
) -> None:
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - material/meta\n", ""))
    out = tmp_path / "deck.apkg"
    assert main(["build", str(site), "-o", str(out), "--no-cache"], env={}) == 0
    assert package_tags(out)["Why is the screen mo"] == "  "
    assert package_tags(out)["Where does a converg"] == " exam::paper_2 geometric_optics optics "


def test_tag_prefix_from_ankigen_toml(site: Path, tmp_path: Path) -> None:
    (site / "ankigen.toml").write_text('tag_prefix = "Physics 101"\n')
    out = tmp_path / "deck.apkg"
    assert main(["build", str(site), "-o", str(out), "--no-cache"], env={}) == 0
    assert package_tags(out)["What does Hooke's la"] == " physics_101::physics_year_1 "


def test_bad_folder_metadata_is_an_error_at_its_line(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (site / "docs" / "mechanics" / ".meta.yml").write_text("tags: [springs\n")
    assert main(["build", str(site), "-o", str(tmp_path / "d.apkg")], env={}) == 1
    err = capsys.readouterr().err
    assert "docs/mechanics/.meta.yml:2:1: error: invalid YAML in folder metadata" in err
    assert not (tmp_path / "d.apkg").exists()


def test_a_tag_edit_is_a_new_build_not_an_up_to_date_one(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANKIGEN_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "deck.apkg"
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    meta_file = site / "docs" / "optics" / ".meta.yml"
    meta_file.write_text("tags: [light]\n")
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    assert package_tags(out)["Why is the screen mo"] == " light physics_year_1 "


@pytest.mark.e2e
def test_tags_reach_anki_and_a_tag_change_updates_that_page_only(
    site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "deck.apkg"
    t0 = 1_800_000_000

    def build(now: int) -> None:
        env = {"SOURCE_DATE_EPOCH": str(now)}
        assert main(["build", str(site), "-o", str(out), "--no-cache"], env=env) == 0

    build(t0)
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, out)
        first = {n.fields["Question"][:20]: n for n in notes(col)}
        assert first["What does Hooke's la"].tags == ("physics_year_1",)
        assert first["Where does a converg"].tags == (
            "exam::paper_2",
            "geometric_optics",
            "optics",
            "physics_year_1",
        )
        reviewed = study_all_new(col)
        states = {cid: card_state(col, cid) for cid in reviewed}
        mods = {n.id: n.mod for n in first.values()}

        page = site / "docs" / "optics" / "lenses.md"
        page.write_text(page.read_text().replace("  - exam/paper 2\n", "  - Exam/Paper 3\n"))
        build(t0 + 60)
        log = import_apkg(col, out)
        assert log.nonzero_counts() == {"updated": 2, "duplicate": 2}
        after = {n.fields["Question"][:20]: n for n in notes(col)}
        assert {k: n.id for k, n in after.items()} == {k: n.id for k, n in first.items()}
        assert after["Where does a converg"].tags == (
            "exam::paper_3",
            "geometric_optics",
            "optics",
            "physics_year_1",
        )
        changed = {after["Where does a converg"].id, after["What sign does a div"].id}
        assert {n.id: n.mod for n in after.values()} == {
            note_id: (t0 + 60 if note_id in changed else mod) for note_id, mod in mods.items()
        }
        assert {cid: card_state(col, cid) for cid in states} == states


def test_a_zensical_site_takes_its_plugins_from_toml_tables(site: Path, tmp_path: Path) -> None:
    (site / "mkdocs.yml").unlink()
    (site / "zensical.toml").write_text(
        '[project]\nsite_name = "Physics Drills"\n'
        "[project.plugins.meta]\n"
        "[project.plugins.tags]\ntags_hierarchy = true\n"
    )
    out = tmp_path / "deck.apkg"
    assert main(["build", str(site), "-o", str(out), "--no-cache"], env={}) == 0
    tags = package_tags(out)
    assert tags["Where does a converg"] == " exam::paper_2 geometric_optics optics physics_year_1 "
    assert tags["Why is the screen mo"] == " optics physics_year_1 "


def test_a_plain_folder_of_pages_reads_front_matter_tags(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    (root / ".git").mkdir(parents=True)
    (root / "ankigen.toml").write_text('deck = "N"\ntag_prefix = "Notes"\n')
    (root / "p.md").write_text('---\ntags: [Week 1]\n---\n??? question "Q?"\n    A.\n')
    (root / "q.md").write_text('??? question "R?"\n    B.\n')
    out = tmp_path / "deck.apkg"
    assert main(["build", str(root), "-o", str(out), "--no-cache"], env={}) == 0
    assert package_tags(out) == {"Q?": " notes::week_1 ", "R?": "  "}
