"""Unit tests of the reference side of the differential test (tests/reference.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.etree.ElementTree import Element

import markdown
import pytest
from markdown.extensions import Extension

from tests.reference import (
    ADMONITION_START,
    DEFAULT_EXTENSIONS,
    DETAILS_START,
    TAB_LENGTH,
    RefCard,
    ReferenceMismatchError,
    card_elements,
    html_text,
    normalize_ws,
    reference_cards,
    scan_markers,
)

ROOT = Path(__file__).resolve().parent.parent
SEED_PAGE = ROOT / "source" / "convolutional-neural-networks.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "differential"
FIXTURE_PAGES = sorted(p for p in FIXTURES.glob("*.md") if p.name != "README.md")


def test_normalize_ws() -> None:
    assert normalize_ws("  a\n\tb \u00a0 c  ") == "a b c"
    assert normalize_ws(" \n ") == ""


def test_html_text_separates_blocks_but_not_inline_elements() -> None:
    html = "<p>one <strong>two</strong>,</p><ul><li>three</li><li>four<br>five</li></ul>"
    assert html_text(html) == "one two, three four five"


def test_seed_page() -> None:
    cards = reference_cards(SEED_PAGE.read_text(encoding="utf-8"))
    assert len(cards) == 2
    first, second = cards

    assert first.question.startswith("Why do we use Convolutional Neural Networks(CNNs)")
    assert first.question.endswith("over vanilla Neural Networks?")
    for point in (
        "Spatial arrangement: Information in an image makes more sense spatially.",
        "Local Connectivity: CNNs take advantage of Local Spatial Coherence in the input.",
        "Weight/Parameter Sharing: The weights of a kernel or filter",
    ):
        assert point in first.answer
    assert first.answer.endswith("at another spatial location in the input.")
    assert "Read more" not in first.answer
    assert "http" not in first.answer
    assert first.links == (
        "https://cs231n.github.io/convolutional-networks/",
        "https://towardsdatascience.com/understand-local-receptive-fields-in-"
        "convolutional-neural-networks-f26d700be16c",
        "https://towardsdatascience.com/understanding-parameter-sharing-or-weights-"
        "replication-within-convolutional-neural-networks-cc26db7b645a",
        "https://www.quora.com/What-are-the-advantages-of-a-convolutional-neural-network-"
        "CNN-compared-to-a-simple-neural-network-from-the-theoretical-and-practical-"
        "perspective",
        "https://msail.github.io/post/cnn_human_visual/",
    )

    assert second == RefCard(
        question="What are Receptive Fields in CNNs?",
        answer="",
        links=(
            "https://distill.pub/2019/computing-receptive-fields/#overview",
            "https://blog.christianperone.com/2017/11/the-effective-receptive-field-on-cnns/",
            "https://theaisummer.com/receptive-field/",
        ),
    )


def test_untitled_and_empty_titles() -> None:
    page = (
        "??? question\n"
        "    What is an epoch?\n"
        "\n"
        "    One pass over the data.\n"
        "\n"
        '!!! faq ""\n'
        "    What is a batch?\n"
        "\n"
        "    A subset of the data.\n"
        "\n"
        "!!! help\n"
        "    Why normalize inputs?\n"
        "\n"
        "    Faster, better conditioned optimization.\n"
        "\n"
        '???+ question "Titled: what is a *tensor*?"\n'
        "    An n-dimensional array.\n"
    )
    assert reference_cards(page) == [
        RefCard("What is an epoch?", "One pass over the data.", ()),
        RefCard("What is a batch?", "A subset of the data.", ()),
        RefCard("Why normalize inputs?", "Faster, better conditioned optimization.", ()),
        RefCard("Titled: what is a tensor?", "An n-dimensional array.", ()),
    ]


def test_link_runs_and_labels() -> None:
    page = (
        '??? question "What is weight decay?"\n'
        "    An L2 penalty on the weights, see [this note](https://example.org/wd).\n"
        "\n"
        "    References:\n"
        "\n"
        "    - https://example.org/a\n"
        "    - [B](https://example.org/b)\n"
        "\n"
        "    [C](https://example.org/c) https://example.org/d\n"
        "\n"
        '??? help "What is momentum?"\n'
        "    A running average of past gradients.\n"
        "\n"
        "    See also:\n"
        "\n"
        '??? faq "What is Nesterov momentum?"\n'
        "    Momentum with a look-ahead gradient.\n"
        "\n"
        "    These are the links that you should definitely read:\n"
        "\n"
        "    https://example.org/n\n"
    )
    assert reference_cards(page) == [
        RefCard(
            "What is weight decay?",
            "An L2 penalty on the weights, see this note.",
            (
                "https://example.org/a",
                "https://example.org/b",
                "https://example.org/c",
                "https://example.org/d",
            ),
        ),
        RefCard("What is momentum?", "A running average of past gradients. See also:", ()),
        RefCard(
            "What is Nesterov momentum?",
            "Momentum with a look-ahead gradient. "
            "These are the links that you should definitely read:",
            ("https://example.org/n",),
        ),
    ]


def test_nesting_code_and_non_card_admonitions() -> None:
    page = (
        "```\n"
        '??? question "fake"\n'
        "```\n"
        "\n"
        '??? question inline "Outer: what is a "layer"?"\n'
        "    A function with parameters.\n"
        "\n"
        '    !!! note "Aside"\n'
        "        Not a card.\n"
        "\n"
        "    ~~~\n"
        '    ??? question "fake too"\n'
        "    ~~~\n"
        "\n"
        '    ??? faq "Inner: what is a `Linear` layer?"\n'
        "        An affine map.\n"
        "\n"
        "        - https://example.org/linear\n"
        "\n"
        "Outside.\n"
    )
    assert reference_cards(page) == [
        RefCard(
            'Outer: what is a "layer"?',
            'A function with parameters. Aside Not a card. ??? question "fake too" '
            "Inner: what is a Linear layer? An affine map. https://example.org/linear",
            (),
        ),
        RefCard(
            "Inner: what is a Linear layer?", "An affine map.", ("https://example.org/linear",)
        ),
    ]
    # The `types` argument decides what a card is.
    assert reference_cards(page, types=("note",)) == [RefCard("Aside", "Not a card.", ())]


def test_scan_mismatch_fails_loudly() -> None:
    # A marker-looking line in an indented code block: the scan counts it, the
    # reference HTML has no card for it.
    page = 'Code:\n\n    ??? question "in indented code"\n        x\n'
    assert reference_cards(page, types=("note",)) == []
    with pytest.raises(ReferenceMismatchError):
        reference_cards(page)


def test_upstream_regexes_in_use() -> None:
    assert DETAILS_START.pattern.startswith(r"(?:^|\n)\?{3}(\+)?")
    assert ADMONITION_START.pattern.startswith(r"(?:^|\n)!!!")


# ---------------------------------------------------------------------------- fixtures


class _RecordUntitled(Extension):
    """Mark every details/admonition element with whether its marker had a title.

    This observes the block processors themselves, so it is the ground truth that the
    source-line scan in tests/reference.py is checked against.
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        for name, regex in (("details", DETAILS_START), ("admonition", ADMONITION_START)):
            processor = md.parser.blockprocessors[name]
            setattr(processor, "run", self._wrap(processor.run, regex))  # noqa: B010

    @staticmethod
    def _wrap(
        run: Callable[[Element, list[str]], bool | None], regex: re.Pattern[str]
    ) -> Callable[[Element, list[str]], None]:
        def wrapped(parent: Element, blocks: list[str]) -> None:
            m = regex.search(blocks[0])
            run(parent, blocks)
            if m is None:
                return
            if regex is DETAILS_START:
                untitled = bool(m.group(4)) or not m.group(3)
            else:
                untitled = not m.group(2)
            parent[-1].set("data-untitled", "1" if untitled else "0")

        return wrapped


def _ground_truth_untitled(page: str) -> list[bool]:
    md = markdown.Markdown(
        extensions=[*DEFAULT_EXTENSIONS, _RecordUntitled()], tab_length=TAB_LENGTH
    )
    flags: list[bool] = []
    for element in card_elements(md.convert(page)):
        flag = element.get("data-untitled")
        assert flag in ("0", "1"), f"card element without a recorded marker: {element}"
        flags.append(flag == "1")
    return flags


def test_fixture_set_is_complete() -> None:
    assert len(FIXTURE_PAGES) >= 16
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for page in FIXTURE_PAGES:
        assert f"`{page.name}`" in readme, f"{page.name} is not described in README.md"


@pytest.mark.parametrize("page", FIXTURE_PAGES, ids=lambda p: p.stem)
def test_fixture_page(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    cards = reference_cards(text)  # raises ReferenceMismatchError if the zip fails
    assert cards, "every fixture page has at least one card"
    for card in cards:
        assert card.question, card
        assert card.answer or card.links, card

    scanned = [m.untitled for m in scan_markers(text) if m.is_card(("question", "help", "faq"))]
    assert scanned == _ground_truth_untitled(text)
