"""Label titles (issue 12 §2): a box titled "Show Answer" asks what the reader read before it.

Fronts and backs of the fixture site ``tests/fixtures/sites/labels`` are checked card for card
against Python-Markdown + pymdown-extensions (``tests/reference.py``), then the whole site
is imported through Anki's own importer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import anki.collection  # noqa: F401 - anki loads its modules in this order
import pytest
from anki.notes import NoteId

from ankigen.build import plan_build
from ankigen.cards.labels import LEAD_BLOCKS, is_label, label_set
from ankigen.cards.page import render_page
from ankigen.config.flavor import Flavor
from ankigen.config.project import load_config
from ankigen.errors import AnkigenError, Severity
from ankigen.read.frontmatter import split_front_matter
from tests.anki_harness import fresh_collection, import_apkg, notes
from tests.conftest import as_ref_cards, copy_site
from tests.reference import LEAD_BLOCKS as REF_LEAD_BLOCKS
from tests.reference import RefCard, reference_label_cards

SITE = Path(__file__).parent / "fixtures" / "sites" / "labels"
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "pymdownx.details", "pymdownx.superfences"]
FLAVOR = Flavor.of([(name, {}) for name in EXTENSIONS])


@pytest.mark.parametrize(
    "title",
    [
        "Answer",
        "Show Answer",
        "show answer",
        "Solution",
        "Show solution",
        "Hint",
        "Answer 2",
        "Answer (3)",
        "Answer #4",
        "Solution:",
        "答案",
        "解答",
        "参考答案",
        "答案1",
        "Ответ",
        "Lösung",
        "Réponse",
        "Respuesta",
        "Resposta",
    ],
)
def test_generic_labels(title: str) -> None:
    assert is_label(title)


@pytest.mark.parametrize(
    "title", ["What is an answer?", "Answer the question", "Input", "Variables", "2", ""]
)
def test_questions_are_not_labels(title: str) -> None:
    assert not is_label(title)


def test_the_reference_keeps_as_many_lead_blocks_as_we_do() -> None:
    assert LEAD_BLOCKS == REF_LEAD_BLOCKS == 3


@pytest.mark.parametrize("page", sorted(p.name for p in (SITE / "docs").glob("*.md")))
def test_fixture_pages_match_the_reference(page: str) -> None:
    text, _meta = split_front_matter((SITE / "docs" / page).read_text(encoding="utf-8"))
    title = "Warm-up" if page == "warmup.md" else ""
    ours = as_ref_cards(render_page(text, rel=page, flavor=FLAVOR, title=title).cards)
    expected = reference_label_cards(
        text, is_label, extensions=["toc", "tables", *EXTENSIONS], page_title=title
    )
    assert ours == expected


def test_quiz_fronts_hold_the_heading_and_options() -> None:
    text = (SITE / "docs" / "quiz.md").read_text(encoding="utf-8")
    cards = render_page(text, rel="quiz.md", flavor=FLAVOR).cards
    first = cards[0]
    assert first.question_html == (
        '<div class="ankigen-context">1. Which operation turns two vectors into a single '
        'number?</div><div class="upper-alpha">\n<ol>\n<li>The cross product</li>\n'
        "<li>The dot product</li>\n<li>Vector addition</li>\n</ol>\n</div>"
    )
    assert first.answer_html.startswith("<p><strong>B.</strong> The dot product")
    # no lead: the heading is the question
    assert cards[2].question_html == "<p>3. When are two non-zero vectors at a right angle?</p>"
    # a real question in the title keeps today's rule
    assert cards[5].question_html == "What does it change?"
    assert len({c.fields[0] for c in cards}) == len(cards)


def test_source_links_point_at_the_heading(tmp_path: Path) -> None:
    site = copy_site(SITE, tmp_path)
    plan = plan_build(site, load_config(site), now=1, output=tmp_path / "x.apkg")
    sources = {c.line: c.source_html for c in plan.cards if c.page == "exercises.md"}
    assert 'href="https://example.org/study/exercises/#counting"' in sources[10]


def test_exercises_lead_is_the_exercise_and_its_note() -> None:
    text = (SITE / "docs" / "exercises.md").read_text(encoding="utf-8")
    cards = render_page(text, rel="exercises.md", flavor=FLAVOR).cards
    assert [c.line for c in cards] == [10, 18, 35]  # the titled "Why…" done box is no card
    assert cards[0].question_html.startswith(
        '<div class="ankigen-context">Counting</div><p><strong>Exercise:</strong> Print'
    )
    assert '<div class="admonition note">' in cards[0].question_html
    # a long walk-through keeps its last three blocks
    long_front = cards[2].question_html
    assert "repeats its body" not in long_front and "sees each item" not in long_front
    assert "A <code>break</code> leaves" in long_front


def test_a_label_with_nothing_before_it_warns_and_uses_the_page_title() -> None:
    result = render_page('??? question "Answer"\n    Yes.\n', rel="w.md", title="Warm-up")
    (card,) = result.cards
    assert card.question_html == "<p>Warm-up</p>"
    (diag,) = result.diagnostics
    assert (diag.line, diag.severity) == (1, Severity.WARNING)
    assert "page title 'Warm-up'" in diag.message


def test_labels_and_answer_types_are_configurable() -> None:
    page = 'Why?\n\n??? question "Voir"\n    Because.\n\nHow?\n\n??? done\n    So.\n'
    default = render_page(page).cards
    assert [c.question_text for c in default] == ["Voir", "How?"]
    custom = render_page(page, labels=["Voir"], answer_types=()).cards
    assert [c.question_text for c in custom] == ["Why?"]
    assert label_set(["Voir 2"]) == frozenset({"voir"})


def test_config_reads_labels_and_answer_types(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ankigen.toml").write_text(
        'labels = ["Voir", "Corrigé"]\nanswer_types = ["tip"]\n', encoding="utf-8"
    )
    config = load_config(tmp_path)
    assert (config.labels, config.answer_types) == (("Voir", "Corrigé"), ("tip",))
    (tmp_path / "ankigen.toml").write_text("labels = 3\n", encoding="utf-8")
    with pytest.raises(AnkigenError, match="labels must be a list"):
        load_config(tmp_path)


def _counts(cards: list[RefCard]) -> Mapping[str, int]:
    return {"cards": len(cards), "fronts": len({c.question for c in cards})}


@pytest.mark.e2e
def test_the_whole_site_imports_through_anki(tmp_path: Path) -> None:
    site = copy_site(SITE, tmp_path)
    plan = plan_build(site, load_config(site), now=1, output=tmp_path / "x.apkg")
    assert _counts(as_ref_cards(plan.cards)) == {"cards": 18, "fronts": 16}
    from ankigen.cli.commands import main  # noqa: PLC0415

    apkg = tmp_path / "deck.apkg"
    assert main(["build", str(site), "-o", str(apkg)]) == 0
    with fresh_collection(tmp_path / "user") as col:
        counts = import_apkg(col, apkg).nonzero_counts()
        assert counts == {"new": 18}
        imported = notes(col)
        assert len(imported) == 18
        for view in imported:
            note = col.get_note(NoteId(view.id))
            assert note.fields_check() == 0, note["Question"]  # NORMAL: no empty, no duplicate


def test_a_type_also_in_types_keeps_the_untitled_rule() -> None:
    page = "Before.\n\n??? done\n    First block.\n\n    Rest.\n"
    (card,) = render_page(page, types=("question", "done")).cards
    assert (card.question_text, card.answer_html) == ("First block.", "<p>Rest.</p>")
    (led,) = render_page(page).cards
    assert (led.question_text, led.answer_html) == ("Before.", "<p>First block.</p>\n<p>Rest.</p>")


def test_answer_types_match_any_class_of_the_box() -> None:
    page = (
        "Name a prime.\n\n???- done\n    Seven.\n\n"
        "Name an even one.\n\n??? note success\n    Two.\n"
    )
    cards = render_page(page).cards
    assert [(c.question_text, c.answer_html) for c in cards] == [
        ("Name a prime.", "<p>Seven.</p>"),
        ("Name an even one.", "<p>Two.</p>"),
    ]


def test_a_blocks_box_with_a_label_title_asks_what_precedes_it() -> None:
    flavor = Flavor.of(
        [(name, {}) for name in ("admonition", "pymdownx.details", "pymdownx.blocks.details")]
    )
    page = (
        "## Quiz\n\nWhat is two plus two?\n\n"
        "/// details | Show Answer\n    type: question\n\nFour.\n///\n"
    )
    (card,) = render_page(page, flavor=flavor).cards
    assert card.question_html == (
        '<div class="ankigen-context">Quiz</div><p>What is two plus two?</p>'
    )
    assert card.answer_html == "<p>Four.</p>"
