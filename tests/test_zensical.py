"""``zensical.toml`` is read like ``mkdocs.yml``: site name, URL, docs folder, nav, extensions,
and Zensical's default extensions where the file lists none (issue 12, section 5)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from ankigen.build import plan_build
from ankigen.cli.commands import main
from ankigen.config.project import load_config
from ankigen.config.site import NavItem, PyName, find_site_config
from ankigen.config.zensical import DEFAULT_EXTENSIONS, load_zensical
from ankigen.errors import AnkigenError
from ankigen.read.frontmatter import split_front_matter
from tests.anki_harness import fresh_collection, import_apkg, notes
from tests.conftest import as_ref_cards, copy_site
from tests.reference import reference_cards

SITES = Path(__file__).parent / "fixtures" / "sites"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(SITES / "zensical", tmp_path)


def write(root: Path, toml: str, *, docs: bool = True) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if docs:
        (root / "docs").mkdir(exist_ok=True)
    path = root / "zensical.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def error_of(path: Path) -> tuple[str, int | None, str, str]:
    with pytest.raises(AnkigenError) as caught:
        load_zensical(path)
    (diag,) = caught.value.diagnostics
    return Path(diag.path).name, diag.line, diag.message, diag.hint


def names(config_flavor: tuple[tuple[str, str], ...]) -> list[str]:
    return [name for name, _ in config_flavor]


def test_project_table_settings(site: Path) -> None:
    config = load_config(site)
    zsite = config.site
    assert zsite is not None and zsite.config_file == site / "zensical.toml"
    assert config.deck == "Electronics Flashcards"
    assert zsite.site_url == "https://notes.example.com/electronics/"
    assert zsite.docs_dir == site / "pages"
    assert zsite.use_directory_urls is False
    assert zsite.nav == (
        NavItem("Start", "index.md"),
        NavItem(
            "Circuits",
            None,
            (NavItem("Ohm's law", "circuits/ohm.md"), NavItem(None, "circuits/capacitors.md")),
        ),
        NavItem("Waves", None, (NavItem(None, "waves/phase.md"),)),
    )
    # toc and tables always, the listed ones (dotted TOML tables lifted back to their
    # names), then superfences, which Zensical adds when the list does not name it
    assert names(config.flavor.extensions) == [
        "toc",
        "tables",
        "admonition",
        "pymdownx.details",
        "pymdownx.arithmatex",
        "pymdownx.tabbed",
        "pymdownx.superfences",
    ]
    assert dict(config.flavor.extensions)["pymdownx.tabbed"] == '{"alternate_style": true}'
    assert dict(zsite.extra)["theme"] == {"variant": "classic"}


def test_defaults_when_the_file_lists_no_extensions(tmp_path: Path) -> None:
    config = load_config(copy_site(SITES / "zensical-defaults", tmp_path))
    assert config.site is not None
    assert config.site.docs_dir.name == "docs" and config.site.site_url is None
    assert config.site.use_directory_urls is True and config.site.nav is None
    # toc is among the defaults (with its permalink), so only tables comes before them
    assert names(config.flavor.extensions) == ["tables", *(n for n, _ in DEFAULT_EXTENSIONS)]
    emoji = dict(config.site.markdown_extensions)["pymdownx.emoji"]
    assert emoji["emoji_index"] == PyName("zensical.extensions.emoji.twemoji")


def test_an_empty_extension_table_means_none(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nsite_name = "S"\nmarkdown_extensions = []\n')
    config = load_config(path)
    assert names(config.flavor.extensions) == ["toc", "tables", "pymdownx.superfences"]


def test_top_level_settings_without_a_project_table_and_list_extensions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'site_name = "Flat"\ndocs_dir = "."\n'
        'markdown_extensions = ["admonition", { "toc" = { "permalink" = true } },'
        ' "pymdownx.superfences"]\n',
        docs=False,
    )
    site = load_zensical(path)
    assert site.site_name == "Flat" and site.docs_dir == tmp_path  # Zensical allows "."
    assert [n for n, _ in site.markdown_extensions] == [
        "admonition",
        "toc",
        "pymdownx.superfences",
    ]
    assert site.builtin_extensions == ("tables",)


def test_blocks_tables_are_lifted_to_their_dotted_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[project]\nsite_name = "B"\n'
        "[project.markdown_extensions.pymdownx.blocks.admonition]\n"
        'types = ["question"]\n'
        "[project.markdown_extensions.pymdownx.blocks.details]\n",
    )
    site = load_zensical(path)
    assert [n for n, _ in site.markdown_extensions] == [
        "pymdownx.blocks.admonition",
        "pymdownx.blocks.details",
        "pymdownx.superfences",
    ]
    assert dict(site.markdown_extensions)["pymdownx.blocks.admonition"] == {"types": ("question",)}


@pytest.mark.parametrize(
    ("toml", "line", "message", "hint"),
    [
        ('[project]\nsite_name = "A\n', 2, "invalid TOML", "quoting"),
        ('[project]\nsite_url = "https://x.org/"\n', None, "site_name is missing", "[project]"),
        ('[project]\nsite_name = "A"\n\nnav = "index.md"\n', 4, "nav must be a list", ""),
        (
            '[project]\nsite_name = "A"\ndocs_dir = "missing"\n',
            3,
            "docs_dir 'missing' is not an existing folder",
            "zensical.toml",
        ),
        (
            '[project]\nsite_name = "A"\n[project.markdown_extensions.admonition]\n'
            "x = 1\n[project.markdown_extensions]\nbad = 3\n",
            3,
            "the config of Markdown extension 'bad' must be a mapping",
            "",
        ),
    ],
)
def test_problems_name_the_file_and_line(
    tmp_path: Path, toml: str, line: int | None, message: str, hint: str
) -> None:
    path = write(tmp_path, toml)
    name, at, got_message, got_hint = error_of(path)
    assert name == "zensical.toml"
    assert (at, message in got_message, hint in got_hint) == (line, True, True), got_message


def test_mkdocs_yml_wins_when_a_folder_holds_both(tmp_path: Path) -> None:
    write(tmp_path, '[project]\nsite_name = "From TOML"\n')
    assert find_site_config(tmp_path) == tmp_path / "zensical.toml"
    (tmp_path / "mkdocs.yml").write_text("site_name: From YAML\n", encoding="utf-8")
    assert find_site_config(tmp_path) == tmp_path / "mkdocs.yml"
    assert load_config(tmp_path).deck == "From YAML"
    assert load_config(tmp_path / "zensical.toml").deck == "From TOML"


def _plain(value: object) -> object:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("name", ["zensical", "zensical-defaults"])
def test_every_page_matches_the_reference(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = copy_site(SITES / name, tmp_path)
    monkeypatch.chdir(copy)
    config = load_config(copy)
    assert config.site is not None
    extensions: list[str] = []
    configs: dict[str, Mapping[str, object]] = {}
    for ext, options in config.flavor.extensions:
        if ext in extensions:
            continue
        extensions.append(ext)
        loaded = json.loads(options)
        # the emoji functions are Zensical's own: the reference keeps pymdownx's
        configs[ext] = {k: v for k, v in loaded.items() if not str(v).startswith("PyName(")}
    plan = plan_build(copy, config, now=1, output=tmp_path / "x.apkg")
    checked = 0
    for page in sorted(config.site.docs_dir.rglob("*.md")):
        rel = page.relative_to(config.site.docs_dir).as_posix()
        text, _meta = split_front_matter(page.read_text(encoding="utf-8"))
        expected = reference_cards(text, extensions=extensions, extension_configs=configs)
        ours = as_ref_cards(c for c in plan.cards if c.page == rel)
        assert ours == expected, rel
        checked += len(ours)
    assert checked == (5 if name == "zensical" else 1)


@pytest.mark.e2e
def test_a_zensical_site_imports_with_its_decks_and_links(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.apkg"
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, out)
        found = {n.fields["Question"][:22]: n for n in notes(col)}
        root = "Electronics Flashcards"
        assert {q: n.deck_names[0] for q, n in found.items()} == {
            "What current flows thr": f"{root}::Circuits::Ohm's law",
            "What is the total of t": f"{root}::Circuits::Ohm's law",
            "Is the total of two re": f"{root}::Circuits::Ohm's law",
            "What does a capacitor ": f"{root}::Circuits::Capacitors",
            "How far apart in phase": f"{root}::Waves::Phase",
        }
        source = found["What does a capacitor "].fields["Source"]
        assert 'href="https://notes.example.com/electronics/circuits/capacitors.html' in source
        assert "\\(\\pi\\)" in found["How far apart in phase"].fields["Answer"]
