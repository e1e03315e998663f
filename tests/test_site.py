"""ankigen.config.mkdocs: reading mkdocs.yml as mkdocs does, without running anything."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ankigen.config.mkdocs import load_site
from ankigen.config.site import (
    NavItem,
    PyApply,
    PyName,
    Relative,
    Site,
    find_site_config,
    nav_pages,
)
from ankigen.errors import AnkigenError, Diagnostic

SITES = Path(__file__).resolve().parent / "fixtures" / "sites"
MATERIAL = SITES / "material"


def write_site(root: Path, config: str, *, docs: bool = True, name: str = "mkdocs.yml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if docs:
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / "index.md").write_text("# Index\n", encoding="utf-8")
    path = root / name
    path.write_text(config, encoding="utf-8")
    return path


def dig(value: object, *keys: str | int) -> object:
    """``value[k1][k2]…`` through the read-only mappings and tuples of a Site."""
    for key in keys:
        if isinstance(key, int):
            assert isinstance(value, tuple)
            value = value[key]
        else:
            assert isinstance(value, Mapping)
            value = value[key]
    return value


def errors_of(path: Path, env: dict[str, str] | None = None) -> tuple[Diagnostic, ...]:
    with pytest.raises(AnkigenError) as caught:
        load_site(path, env={} if env is None else env)
    return caught.value.diagnostics


def one_error(path: Path, env: dict[str, str] | None = None) -> Diagnostic:
    found = errors_of(path, env)
    assert len(found) == 1, [d.format() for d in found]
    return found[0]


# ---------------------------------------------------------------------------- a material site


def test_material_site_settings() -> None:
    site = load_site(MATERIAL, env={})
    assert site.config_file == MATERIAL / "mkdocs.yml"
    assert site.config_file.is_absolute()
    assert site.site_name == "Neural Network Flashcards"
    # !ENV default, and mkdocs' URL(is_dir=True) adds the trailing slash
    assert site.site_url == "https://cards.example.net/nn/"
    assert site.docs_dir == MATERIAL / "docs"  # mkdocs' default docs_dir
    assert site.use_directory_urls is True


def test_unknown_top_level_keys_are_kept_uninterpreted() -> None:
    site = load_site(MATERIAL, env={})
    assert dig(site.extra, "theme", "name") == "material"
    assert dig(site.extra, "theme", "features") == (
        "content.code.copy",
        "navigation.sections",
        "navigation.top",
        "search.highlight",
    )
    assert dig(site.extra, "theme", "palette", 1, "scheme") == "slate"
    assert site.extra["plugins"] == ("search",)
    assert site.extra["repo_url"] == "https://git.example.net/someone/nn-cards"
    assert "site_name" not in site.extra
    assert "nav" not in site.extra
    assert "markdown_extensions" not in site.extra


def test_site_is_frozen_and_read_only() -> None:
    site = load_site(MATERIAL, env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        site.site_name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        site.extra["theme"] = {}  # type: ignore[index]
    config = dict(site.markdown_extensions)["toc"]
    with pytest.raises(TypeError):
        config["permalink"] = False  # type: ignore[index]


# ---------------------------------------------------------------------------- !ENV


def test_env_defaults_when_nothing_is_set() -> None:
    site = load_site(MATERIAL, env={})
    assert dig(site.extra, "extra", "analytics", "property") is None  # missing: None
    assert dig(site.extra, "extra", "build_label") == "local"  # the last item is the default


def test_env_set_variables_win_in_order() -> None:
    env = {
        "NOTES_SITE_URL": "https://decks.example.org/nn",
        "NOTES_ANALYTICS_ID": "G-12345",
        "NOTES_BUILD": "nightly",
        "CI_COMMIT": "3f2a9c1",
    }
    site = load_site(MATERIAL, env=env)
    assert site.site_url == "https://decks.example.org/nn/"
    assert dig(site.extra, "extra", "analytics", "property") == "G-12345"
    assert dig(site.extra, "extra", "build_label") == "nightly"  # the first defined variable
    del env["NOTES_BUILD"]
    later = load_site(MATERIAL, env=env)
    assert dig(later.extra, "extra", "build_label") == "3f2a9c1"  # then the next one


def test_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTES_SITE_URL", "https://from-environ.example.org")
    assert load_site(MATERIAL).site_url == "https://from-environ.example.org/"


@pytest.mark.parametrize(
    ("tag", "env", "expected"),
    [
        ("!ENV NUM", {"NUM": "42"}, 42),  # values get YAML's implicit types
        ("!ENV FLAG", {"FLAG": "false"}, False),
        ("!ENV TEXT", {"TEXT": "a b"}, "a b"),
        ("!ENV LIST", {"LIST": "[a, b]"}, "[a, b]"),  # only scalars are resolved
        ("!ENV NOPE", {}, None),
        ("!ENV [NOPE]", {}, None),  # one item: a name, no default
        ("!ENV [NOPE, 3]", {}, 3),  # the default keeps its YAML type
        ("!ENV [NOPE, [x, y]]", {}, ("x", "y")),
        ("!ENV [A, B, fallback]", {"B": "two"}, "two"),
        # with two or more items the last is always the default, never looked up:
        ("!ENV [A, B]", {"B": "two"}, "B"),
        ("!ENV [NOPE, null]", {}, None),
    ],
)
def test_env_tag_semantics(tmp_path: Path, tag: str, env: dict[str, str], expected: object) -> None:
    path = write_site(tmp_path, f"site_name: t\nextra:\n  value: {tag}\n")
    site = load_site(path, env=env)
    assert dig(site.extra, "extra", "value") == expected


def test_env_in_site_name_and_bad_env_node(tmp_path: Path) -> None:
    path = write_site(tmp_path, "site_name: !ENV [DECK_TITLE, Fallback Title]\n")
    assert load_site(path, env={"DECK_TITLE": "From Env"}).site_name == "From Env"
    bad = write_site(tmp_path / "bad", "site_name: t\nextra:\n  x: !ENV {A: b}\n")
    diag = one_error(bad)
    assert (diag.line, diag.col) == (3, 6)
    assert "scalar or sequence" in diag.message


# ---------------------------------------------------------------------------- python tags


def test_python_tags_become_data() -> None:
    extensions = dict(load_site(MATERIAL, env={}).markdown_extensions)
    assert extensions["toc"] == {
        "permalink": True,
        "slugify": PyApply("pymdownx.slugs.slugify", (), {"case": "lower"}),
    }
    assert extensions["pymdownx.emoji"] == {
        "emoji_index": PyName("material.extensions.emoji.twemoji"),
        "emoji_generator": PyName("material.extensions.emoji.to_svg"),
    }
    assert extensions["pymdownx.snippets"] == {"base_path": Relative("$config_dir/snippets")}


def test_python_tags_are_never_imported_or_called(tmp_path: Path) -> None:
    target = tmp_path / "created-by-yaml"
    path = write_site(
        tmp_path / "site",
        "site_name: t\n"
        "extra:\n"
        f"  made: !!python/object/apply:os.mkdir [{str(target)!r}]\n"
        "  mod: !!python/name:ankigen_no_such_module.anything\n"
        "  call: !!python/object/apply:ankigen_no_such_module.f {args: [1, 2], kwds: {k: v}}\n",
    )
    extra = load_site(path, env={}).extra
    assert not target.exists()
    assert dig(extra, "extra", "made") == PyApply("os.mkdir", (str(target),), {})
    assert dig(extra, "extra", "mod") == PyName("ankigen_no_such_module.anything")
    assert dig(extra, "extra", "call") == PyApply("ankigen_no_such_module.f", (1, 2), {"k": "v"})


def test_loader_does_not_change_pyyaml_globals() -> None:
    load_site(MATERIAL, env={})
    assert "!ENV" not in yaml.SafeLoader.yaml_constructors
    assert "!ENV" not in yaml.Loader.yaml_constructors
    assert yaml.safe_load("a: 1") == {"a": 1}


def test_unknown_tags_give_their_plain_value(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        "site_name: !custom Tagged Name\n"
        "extra:\n"
        "  number: !thing 42\n"
        "  quoted: !thing '42'\n"
        "  items: !list-ish [1, two]\n"
        "  table: !map-ish {a: 1}\n"
        "  tuple: !!python/tuple [1, 2]\n",
    )
    site = load_site(path, env={})
    assert site.site_name == "Tagged Name"
    assert site.extra["extra"] == {
        "number": 42,
        "quoted": "42",
        "items": (1, "two"),
        "table": {"a": 1},
        "tuple": (1, 2),
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!relative something", "does not expect any value"),
        ("!relative $site_dir/x", "unknown prefix"),
        ("!!python/name:pkg.mod.fn extra", "expected the empty value"),
        ("!!python/object/apply:pkg.fn {args: 1}", "args must be a list"),
    ],
)
def test_bad_tag_values_point_at_their_line(tmp_path: Path, value: str, message: str) -> None:
    path = write_site(tmp_path, f"site_name: t\nmarkdown_extensions:\n  - x:\n      y: {value}\n")
    diag = one_error(path)
    assert message in diag.message
    assert diag.line == 4


def test_relative_tag_forms(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        "site_name: t\n"
        "markdown_extensions:\n"
        "  - pymdownx.snippets:\n"
        "      base_path: [!relative , !relative $docs_dir, !relative $config_dir/parts]\n",
    )
    config = dict(load_site(path, env={}).markdown_extensions)["pymdownx.snippets"]
    assert config["base_path"] == (
        Relative(""),
        Relative("$docs_dir"),
        Relative("$config_dir/parts"),
    )


# ---------------------------------------------------------------------------- markdown_extensions


def test_markdown_extensions_list_of_names_and_dicts() -> None:
    site = load_site(MATERIAL, env={})
    names = [name for name, _ in site.markdown_extensions]
    assert names == [
        "abbr",
        "admonition",
        "attr_list",
        "footnotes",
        "md_in_html",
        "toc",
        "pymdownx.arithmatex",
        "pymdownx.details",
        "pymdownx.emoji",
        "pymdownx.highlight",
        "pymdownx.superfences",
        "pymdownx.tabbed",
        "pymdownx.snippets",
    ]
    configs = dict(site.markdown_extensions)
    assert configs["admonition"] == {}
    assert configs["pymdownx.tabbed"] == {"alternate_style": True}


def test_markdown_extensions_plain_names_deduplicated() -> None:
    site = load_site(SITES / "plain", env={})
    assert site.markdown_extensions == (("admonition", {}), ("pymdownx.details", {}))


def test_markdown_extensions_dict_form(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        "site_name: t\n"
        "markdown_extensions:\n"
        "  toc: {permalink: true}\n"
        "  admonition:\n"
        "  tables: {}\n",
    )
    assert load_site(path, env={}).markdown_extensions == (
        ("toc", {"permalink": True}),
        ("admonition", {}),
        ("tables", {}),
    )


def test_markdown_extensions_repeated_name_keeps_first_place_and_last_config(
    tmp_path: Path,
) -> None:
    path = write_site(
        tmp_path,
        "site_name: t\n"
        "markdown_extensions:\n"
        "  - toc: {permalink: true}\n"
        "  - admonition\n"
        "  - toc\n"  # no config: does not clear the earlier one
        "  - toc: {baselevel: 2}\n",
    )
    assert load_site(path, env={}).markdown_extensions == (
        ("toc", {"baselevel": 2}),
        ("admonition", {}),
    )


@pytest.mark.parametrize(
    ("block", "line", "message"),
    [
        ("markdown_extensions: 5\n", 2, "must be a list or a mapping"),
        ("markdown_extensions:\n  - toc: [1, 2]\n", 3, "must be a mapping"),
        ("markdown_extensions:\n  - admonition\n  - {a: 1, b: 2}\n", 4, "a name or"),
        ("markdown_extensions:\n  - 12\n", 3, "a name or"),
        ("markdown_extensions:\n  7: {}\n", 3, "not a Markdown extension name"),
    ],
)
def test_markdown_extensions_errors(tmp_path: Path, block: str, line: int, message: str) -> None:
    diag = one_error(write_site(tmp_path, "site_name: t\n" + block))
    assert message in diag.message
    assert diag.line == line


# ---------------------------------------------------------------------------- nav


def test_nested_nav_with_sections_and_links() -> None:
    nav = load_site(MATERIAL, env={}).nav
    assert nav == (
        NavItem("Home", "index.md"),
        NavItem(
            "Basics",
            None,
            (
                NavItem(None, "basics/perceptron.md"),
                NavItem("Activation functions", "basics/activations.md"),
            ),
        ),
        NavItem(
            "Vision",
            None,
            (
                NavItem("Convolutions", "vision/convolutions.md"),
                NavItem("Receptive fields", "vision/receptive-fields.md"),
                NavItem("Further reading", None, url="https://example.org/vision-reading"),
            ),
        ),
        NavItem(
            "Training",
            None,
            (
                NavItem("Losses", "training/losses.md"),
                NavItem(
                    "Optimisers",
                    None,
                    (
                        NavItem("SGD and momentum", "training/optim/sgd.md"),
                        NavItem(None, "training/optim/adam.md"),
                    ),
                ),
            ),
        ),
        NavItem("Glossary", "glossary.md"),  # "./glossary.md", as mkdocs looks it up
        NavItem("Source code", None, url="https://git.example.net/someone/nn-cards"),
    )


def test_nav_pages_in_order_with_titles_path() -> None:
    assert nav_pages(load_site(MATERIAL, env={})) == [
        (("Home",), "index.md"),
        (("Basics",), "basics/perceptron.md"),
        (("Basics", "Activation functions"), "basics/activations.md"),
        (("Vision", "Convolutions"), "vision/convolutions.md"),
        (("Vision", "Receptive fields"), "vision/receptive-fields.md"),
        (("Training", "Losses"), "training/losses.md"),
        (("Training", "Optimisers", "SGD and momentum"), "training/optim/sgd.md"),
        (("Training", "Optimisers"), "training/optim/adam.md"),
        (("Glossary",), "glossary.md"),
    ]


def test_nav_link_kinds_and_repeated_pages(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        "site_name: t\n"
        "nav:\n"
        "  - index.md\n"
        "  - Absolute: /elsewhere/page.md\n"
        "  - Mail: mailto:someone@example.org\n"
        "  - Not Markdown: files/table.csv\n"
        "  - Part:\n"
        "      - Again: index.md\n"
        "      - https://example.org/bare\n"
        "      - Empty: []\n",
    )
    site = load_site(path, env={})
    assert site.nav == (
        NavItem(None, "index.md"),
        NavItem("Absolute", None, url="/elsewhere/page.md"),
        NavItem("Mail", None, url="mailto:someone@example.org"),
        NavItem("Not Markdown", None, url="files/table.csv"),
        NavItem(
            "Part",
            None,
            (
                NavItem("Again", "index.md"),
                NavItem(None, None, url="https://example.org/bare"),
                NavItem("Empty", None, ()),
            ),
        ),
    )
    assert nav_pages(site) == [((), "index.md")]  # a repeated page counts at its first place


def test_nav_absolute_links_relative_to_docs(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        "site_name: t\n"
        "validation:\n"
        "  nav:\n"
        "    absolute_links: relative_to_docs\n"
        "nav:\n"
        "  - Home: /index.md\n",
    )
    assert load_site(path, env={}).nav == (NavItem("Home", "index.md"),)


@pytest.mark.parametrize("block", ["", "nav:\n", "nav: []\n"])
def test_no_nav_is_none(tmp_path: Path, block: str) -> None:
    site = load_site(write_site(tmp_path, "site_name: t\n" + block), env={})
    assert site.nav is None
    assert nav_pages(site) == []


@pytest.mark.parametrize(
    ("block", "line", "col", "message"),
    [
        ("nav: index.md\n", 2, 1, "nav must be a list"),
        ("nav:\n  - 5\n", 3, 5, "got a int: 5"),
        ("nav:\n  - A: index.md\n    B: index.md\n", 3, 5, "exactly one title"),
        ("nav:\n  - Part:\n      - Inner:\n", 4, 9, "got None"),
    ],
)
def test_nav_errors(tmp_path: Path, block: str, line: int, col: int, message: str) -> None:
    diag = one_error(write_site(tmp_path, "site_name: t\n" + block))
    assert message in diag.message
    assert (diag.line, diag.col) == (line, col)


# ---------------------------------------------------------------------------- INHERIT


def test_inherit_deep_merges_parents_child_wins() -> None:
    site = load_site(SITES / "inherit" / "site", env={})
    assert site.site_name == "Inherited Notes"  # the child wins over common.yml
    assert site.use_directory_urls is False  # from common.yml, two levels up
    assert site.docs_dir == SITES / "inherit" / "site" / "docs"  # relative to the primary file
    assert site.extra["theme"] == {
        "name": "material",
        "palette": {"primary": "indigo", "accent": "amber"},
        "features": ("navigation.tabs",),
    }
    # mappings merge key by key (parent order first); a null child value replaces
    assert site.markdown_extensions == (
        ("admonition", {}),
        ("toc", {"permalink": None, "toc_depth": 3, "separator": "_"}),
        ("pymdownx.details", {}),
        ("def_list", {}),
    )
    # lists are replaced, never merged; a mapping-valued section is accepted as mkdocs does
    assert site.nav == (
        NavItem("Welcome", "index.md"),
        NavItem(
            "Topics",
            None,
            (NavItem("topic-a.md", "topics/a.md"), NavItem("topic-b.md", "topics/b.md")),
        ),
    )
    assert "INHERIT" not in site.extra


def test_inherit_missing_parent(tmp_path: Path) -> None:
    path = write_site(tmp_path, "site_name: t\nINHERIT: ../base/common.yml\n")
    diag = one_error(path)
    assert "does not exist" in diag.message
    assert "common.yml" in diag.message
    assert (diag.path, diag.line) == (str(path), 2)


def test_inherit_loop(tmp_path: Path) -> None:
    write_site(tmp_path, "INHERIT: other.yml\nsite_name: a\n", name="base.yml")
    write_site(tmp_path, "INHERIT: base.yml\n", name="other.yml")
    diag = one_error(tmp_path / "base.yml")
    assert "loop" in diag.message


def test_inherit_errors_in_the_parent_name_the_parent(tmp_path: Path) -> None:
    write_site(tmp_path, "theme:\n  name: [unclosed\n", name="base.yml", docs=False)
    path = write_site(tmp_path / "site", "INHERIT: ../base.yml\nsite_name: t\n")
    diag = one_error(path)
    assert diag.path == str(tmp_path / "base.yml")
    assert diag.line == 3


# ---------------------------------------------------------------------------- errors


def test_invalid_yaml_points_at_the_line() -> None:
    path = SITES / "broken" / "mkdocs.yml"
    diag = one_error(path)
    assert (diag.line, diag.col) == (4, 12)
    assert diag.format().startswith(f"{path}:4:12: error: invalid YAML: mapping values")
    assert diag.hint


def test_invalid_yaml_unclosed_quote(tmp_path: Path) -> None:
    path = write_site(tmp_path, 'site_name: t\nsite_url: "https://x.example\nnav: []\n')
    diag = one_error(path)
    assert diag.message.startswith("invalid YAML: while scanning a quoted scalar")
    assert diag.line == 4  # where PyYAML found the problem: the end of the file


def test_missing_site_name() -> None:
    path = SITES / "no-site-name" / "mkdocs.yml"
    diag = one_error(path)
    assert diag.path == str(path)
    assert "site_name" in diag.message
    assert "site_name:" in diag.hint


def test_missing_docs_dir() -> None:
    path = SITES / "no-docs-dir" / "mkdocs.yml"
    diag = one_error(path)
    assert "docs_dir 'notes'" in diag.message
    assert (diag.line, diag.col) == (2, 1)


def test_default_docs_dir_missing(tmp_path: Path) -> None:
    diag = one_error(write_site(tmp_path, "site_name: t\n", docs=False))
    assert "docs_dir 'docs'" in diag.message


def test_docs_dir_must_not_be_the_config_folder(tmp_path: Path) -> None:
    diag = one_error(write_site(tmp_path, "site_name: t\ndocs_dir: .\n"))
    assert "must not be the folder" in diag.message


def test_docs_dir_outside_and_absolute(tmp_path: Path) -> None:
    shared = tmp_path / "shared-pages"
    shared.mkdir()
    path = write_site(tmp_path / "site", "site_name: t\ndocs_dir: ../shared-pages\n", docs=False)
    assert load_site(path, env={}).docs_dir == shared
    path.write_text(f"site_name: t\ndocs_dir: {shared}\n", encoding="utf-8")
    assert load_site(path, env={}).docs_dir == shared


def test_all_setting_problems_are_reported_together(tmp_path: Path) -> None:
    path = write_site(
        tmp_path,
        "site_url: cards.example.net\nuse_directory_urls: maybe\nnav: {a: b}\npages: []\n",
        docs=False,
    )
    messages = [d.message for d in errors_of(path)]
    assert len(messages) == 6, messages
    joined = "\n".join(messages)
    for part in ("site_name", "site_url", "use_directory_urls", "nav must be a list", "pages"):
        assert part in joined
    assert "docs_dir" in joined


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://x.example", "https://x.example/"),
        ("https://x.example/a/b?q=1", "https://x.example/a/b/?q=1"),
        ("''", None),
    ],
)
def test_site_url_forms(tmp_path: Path, value: str, expected: str | None) -> None:
    path = write_site(tmp_path, f"site_name: t\nsite_url: {value}\n")
    assert load_site(path, env={}).site_url == expected


# ---------------------------------------------------------------------------- finding the file


def test_find_site_config(tmp_path: Path) -> None:
    assert find_site_config(tmp_path) is None
    assert find_site_config(SITES / "plain") == SITES / "plain" / "mkdocs.yaml"
    (tmp_path / "mkdocs.yaml").write_text("site_name: yaml\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: yml\n", encoding="utf-8")
    assert find_site_config(tmp_path) == tmp_path / "mkdocs.yml"  # mkdocs tries .yml first


def test_load_site_from_folder_file_or_other_name(tmp_path: Path) -> None:
    plain = load_site(SITES / "plain", env={})
    assert plain.config_file == SITES / "plain" / "mkdocs.yaml"
    assert plain.docs_dir == SITES / "plain" / "pages"
    assert plain.use_directory_urls is False
    other = write_site(tmp_path, "site_name: Other\n", name="site-config.yml")
    assert load_site(other, env={}).site_name == "Other"


def test_missing_config(tmp_path: Path) -> None:
    diag = one_error(tmp_path)
    assert "no mkdocs.yml" in diag.message
    missing = tmp_path / "mkdocs.yml"
    assert "does not exist" in one_error(missing).message


@pytest.mark.parametrize(
    "text",
    [
        b"- a\n- b\n",
        b"just a string\n",
        b"site_name: caf\xe9\n",
        b"site_name: t\nextra: &a {self: *a}\n",
        b"site_name: t\nnav: &n [*n]\n",
        b"site_name: t\nextra: {when: 2024-13-45}\n",
        b"site_name: t\nINHERIT: 5\n",
        b"site_name: t\nINHERIT: ''\n",
        b"site_name: t\nextra: {a: 1, [x]: 2}\n",
        b"site_name: t\nextra: !ENV [[A], x]\n",
        b"site_name: t\n" + b"x: " + b"[" * 2000 + b"]" * 2000 + b"\n",
    ],
)
def test_hostile_input_is_a_diagnostic(tmp_path: Path, text: bytes) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_bytes(text)
    assert errors_of(tmp_path / "mkdocs.yml")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}!&*#'\"\n ")), max_size=80))
def test_any_text_loads_or_gives_diagnostics(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "docs").mkdir()
        (root / "mkdocs.yml").write_text("site_name: fuzz\n" + text, encoding="utf-8")
        try:
            site = load_site(root, env={})
        except AnkigenError as exc:
            assert exc.diagnostics
        else:
            assert isinstance(site, Site)
