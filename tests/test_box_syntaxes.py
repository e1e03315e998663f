"""Every syntax that draws a question box: classes in any place, pymdown-extensions Blocks,
and the site extensions and plugins ankigen does not apply (named once per build)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ankigen.cards.page import render_page
from ankigen.cli.commands import main
from ankigen.config.flavor import APPLIED_EXTENSIONS, Flavor, plugin_names, unapplied
from ankigen.errors import Severity
from ankigen.syntax.markdown import EXTENSION_PLUGINS
from tests.anki_harness import fresh_collection, import_apkg, notes
from tests.conftest import as_ref_cards, copy_site
from tests.reference import html_text, reference_cards

# Every test here runs with the speed wing on and off: the cards must not differ.
pytestmark = pytest.mark.usefixtures("speedups_both_ways")

SITE = Path(__file__).parent / "fixtures" / "sites" / "blocks"
# The site's extensions the reference can load (the unknown one cannot be imported).
SITE_EXTENSIONS = [
    "admonition",
    "pymdownx.details",
    "pymdownx.superfences",
    "wikilinks",
    "pymdownx.blocks.details",
    "pymdownx.blocks.admonition",
    "pymdownx.quotes",
]
SITE_CONFIGS: dict[str, dict[str, object]] = {
    "pymdownx.blocks.details": {"types": [{"name": "quiz", "class": "question"}]},
    "pymdownx.quotes": {"callouts": True},
}
BLOCKS = Flavor.of(
    (name, SITE_CONFIGS.get(name, {})) for name in SITE_EXTENSIONS if name != "wikilinks"
)


def test_every_extension_ankigen_has_a_plugin_for_counts_as_applied() -> None:
    assert {n.removeprefix("markdown.extensions.") for n in EXTENSION_PLUGINS} - {
        "ankigen.strikethrough"
    } <= APPLIED_EXTENSIONS


def test_unapplied_names_keep_the_site_order_and_skip_what_ankigen_gives() -> None:
    assert unapplied(
        ["admonition", "wikilinks", "markdown.extensions.footnotes", "sane_lists"],
        ["search", "macros", "tags", "i18n"],
    ) == (("wikilinks", "sane_lists"), ("macros", "i18n"))


def test_plugin_names_read_every_form_mkdocs_takes() -> None:
    assert plugin_names(("search", {"material/social": {}}, {"macros": {"enabled": False}})) == (
        "search",
        "social",
    )
    assert plugin_names({"search": None, "awesome-pages": {}}) == ("search", "awesome-pages")
    assert plugin_names(None) == ()


def test_a_site_names_each_unapplied_extension_and_plugin_once_per_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = copy_site(SITE, tmp_path)
    assert main(["build", str(site), "-o", str(tmp_path / "out.apkg")], env={}) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert [w.split("mkdocs.yml:", 1)[1] for w in warnings] == [
        "15: warning: Markdown extension 'wikilinks' is not applied by ankigen: pages that use "
        "its syntax may make cards that differ from the site",
        "16: warning: Markdown extension 'example_unknown_ext' is not applied by ankigen: "
        "pages that use its syntax may make cards that differ from the site",
        "9: warning: plugin 'macros' is not run by ankigen: cards are made from the pages as "
        "written, not as the plugin changes them",
    ]


@pytest.mark.parametrize("page", sorted((SITE / "docs").glob("*.md")), ids=lambda p: p.name)
def test_the_fixture_site_pages_match_the_reference(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    expected = reference_cards(text, extensions=SITE_EXTENSIONS, extension_configs=SITE_CONFIGS)
    assert as_ref_cards(render_page(text, flavor=BLOCKS).cards) == expected
    assert len(expected) == {"physics.md": 2}.get(page.name, 3)


@pytest.mark.e2e
def test_a_site_written_with_blocks_imports_through_anki(tmp_path: Path) -> None:
    site = copy_site(SITE, tmp_path)
    out = tmp_path / "out.apkg"
    assert main(["build", str(site), "-o", str(out)], env={}) == 0
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, out)
        found = {
            html_text(n.fields["Question"]): (html_text(n.fields["Answer"]), n.deck_names[0])
            for n in notes(col)
        }
    root = "Slash Block Cards"
    assert found == {
        "How many degrees are in a right angle?": ("Ninety degrees.", f"{root}::Geometry"),
        "What do the angles of a triangle add up to?": (
            "One hundred eighty degrees. Why? Draw a line through one corner parallel to the "
            "opposite side.",
            f"{root}::Geometry",
        ),
        "What is the ratio of the circumference of a circle to its diameter?": (
            "The number pi, a little more than three.",
            f"{root}::Geometry",
        ),
        "What is the chemical symbol of sodium?": (
            "Na, from its Latin name.",
            f"{root}::Chemistry",
        ),
        "Which gas do plants take in for photosynthesis?": (
            "Carbon dioxide.",
            f"{root}::Chemistry",
        ),
        "Which particle has no electric charge?": ("The neutron.", f"{root}::Chemistry"),
        "What is the unit of electric resistance?": ("The ohm.", f"{root}::Physics"),
        "Which force keeps the planets in orbit?": ("Gravity.", f"{root}::Physics"),
    }


def _warnings(text: str, flavor: Flavor = BLOCKS) -> list[tuple[int, int, str]]:
    found = render_page(text, flavor=flavor).diagnostics
    assert all(d.severity is Severity.WARNING for d in found)
    return [(d.line or 0, d.col or 0, d.message) for d in found]


def test_a_block_whose_options_the_site_refuses_is_named_at_its_line() -> None:
    text = "Intro.\n\n/// details | Misspelled?\n    tpye: question\n\nBody.\n///\n"
    assert not render_page(text, flavor=BLOCKS).cards
    assert _warnings(text) == [
        (
            3,
            1,
            "'/// details' is shown as text on the site: unknown option 'tpye' "
            "(it takes attrs, open, type)",
        )
    ]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ("    type: [question]", "option 'type' must be one CSS class name, not ['question']"),
        ("    open: maybe", "option 'open' must be true or false"),
        ("    type: question\n    type question", "its options are not YAML"),
        ("    attrs: question", "option 'attrs' must be a mapping such as {class: question}"),
    ],
)
def test_every_refused_option_says_why(options: str, reason: str) -> None:
    text = f"/// details | Q?\n{options}\n\nA.\n///\n"
    assert not render_page(text, flavor=BLOCKS).cards
    assert _warnings(text) == [(1, 1, f"'/// details' is shown as text on the site: {reason}")]


def test_blocks_the_site_does_not_enable_are_named_once_per_page() -> None:
    text = "/// details | One?\n    type: question\n\nA.\n///\n\n/// details | Two?\n\nB.\n///\n"
    assert not render_page(text).cards
    assert _warnings(text, Flavor.of([])) == [
        (
            1,
            1,
            "'/// details' is shown as text: the site does not enable pymdownx.blocks.details "
            "(2 such lines on this page)",
        )
    ]


def test_an_unclosed_block_is_a_card_holding_the_rest_and_a_warning() -> None:
    text = "/// details | Open ended?\n    type: question\n\nYes.\n\n## Later\n\nMore.\n"
    (card,) = render_page(text, flavor=BLOCKS).cards
    assert html_text(card.answer_html) == "Yes. Later More."
    assert _warnings(text) == [
        (
            1,
            1,
            "block is never closed: the site shows everything after it, to the end of its "
            "container, inside it",
        )
    ]


def test_well_formed_blocks_and_slashes_in_code_say_nothing() -> None:
    text = (
        "/// admonition | Fine?\n    type: question\n\nYes.\n///\n\n"
        "```\n/// details | In code\n    tpye: x\n```\n"
    )
    assert len(render_page(text, flavor=BLOCKS).cards) == 1
    assert _warnings(text) == []


def test_a_question_box_drawn_with_html_blocks_is_named() -> None:
    flavor = Flavor.of([("pymdownx.blocks.html", {})])
    text = "/// html | details.question\n\n/// html | summary\nQ?\n///\n\nA.\n///\n"
    assert not render_page(text, flavor=flavor).cards
    assert _warnings(text, flavor) == [
        (1, 1, "a question box drawn with '/// html | details' makes no card")
    ]


@pytest.mark.parametrize(
    "name", ["blocks-details-admonition", "blocks-named-types", "blocks-other", "callouts"]
)
def test_the_slash_block_fixtures_warn_only_where_the_site_shows_text(name: str) -> None:
    page = Path(__file__).parent / "fixtures" / "differential" / "ext" / f"{name}.md"
    spec = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    configs = spec.get("extension_configs", {})
    flavor = Flavor.of((n, configs.get(n, {})) for n in spec["extensions"])
    found = {
        (d.line, d.message.split(":")[0])
        for d in render_page(page.read_text(), flavor=flavor).diagnostics
    }
    expected = {
        "blocks-details-admonition": {
            (122, "'/// details' is shown as text on the site"),
            (128, "block is never closed"),
        },
        "blocks-named-types": {(28, "'/// question' is shown as text on the site")},
    }
    assert found == expected.get(name, set())


# Known differences from the site, each listed in the README: strict, so a fix shows up.
KNOWN_DIFFERENCES = [
    pytest.param(
        "/// details | Q?\n    type: question\n\n| a |\n|---|\n| 1 |\n\n"
        "/// table-caption\nCap\n///\n///\n",
        ["pymdownx.blocks.details", "pymdownx.blocks.caption", "tables"],
        {},
        id="numbered caption: the site prefixes 'Table 1.', ours shows the caption alone",
    ),
    pytest.param(
        "> [!question] Lazy list?\n- the site keeps this item in the box\n",
        ["pymdownx.quotes"],
        {"pymdownx.quotes": {"callouts": True}},
        id="a list line without '>' after a callout: the site keeps it in the box, ours ends it",
    ),
]


@pytest.mark.parametrize(("text", "extensions", "configs"), KNOWN_DIFFERENCES)
@pytest.mark.xfail(strict=True, reason="known difference from the site, see the id")
def test_known_differences_from_the_site(
    text: str, extensions: list[str], configs: dict[str, dict[str, object]]
) -> None:
    names = ["admonition", "pymdownx.details", "pymdownx.superfences", *extensions]
    flavor = Flavor.of((n, configs.get(n, {})) for n in names)
    expected = reference_cards(text, extensions=names, extension_configs=configs)
    assert as_ref_cards(render_page(text, flavor=flavor).cards) == expected


def test_question_callouts_on_a_site_without_callouts_are_named_once_per_page() -> None:
    text = "> [!question] One?\n> A.\n\n> [!faq]- Two?\n> B.\n\n> [!note] Not a question\n"
    assert not render_page(text).cards
    assert _warnings(text, Flavor.of([("pymdownx.quotes", {})])) == [
        (
            1,
            1,
            "question callout shown as a plain quote: the site does not enable "
            "pymdownx.quotes with callouts: true (2 such quotes on this page)",
        )
    ]


def test_callouts_ankigen_reads_and_quotes_that_only_look_like_one_say_nothing() -> None:
    flavor = Flavor.of([("pymdownx.quotes", {"callouts": True})])
    text = "> [!question] Read?\n> Yes.\n\n> A quote\n> [!question] on its second line\n"
    assert len(render_page(text, flavor=flavor).cards) == 1
    assert _warnings(text, flavor) == []


def test_a_raw_details_box_is_a_card_by_any_of_its_classes() -> None:
    text = '<details class="note question">\n<summary>Raw?</summary>\n\nYes.\n\n</details>\n'
    flavor = Flavor.of([("md_in_html", {})])
    (card,) = render_page(text, flavor=flavor).cards
    assert (card.kind, html_text(card.question_html), html_text(card.answer_html)) == (
        "question",
        "Raw?",
        "Yes.",
    )
