"""The report's deck-move advice, checked through Anki's importer with real nav changes: each
search it names finds exactly the cards that belong to another deck now, wherever they are,
and the deck it names is the one the cards belong to."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from anki.collection import Collection

from ankigen.cli.commands import main
from ankigen.output.report import move_search
from tests.anki_harness import fresh_collection, import_apkg
from tests.conftest import copy_site

pytestmark = pytest.mark.e2e

SITE = Path(__file__).parent / "fixtures" / "sites" / "two-sections"
ROOT = "Deep Learning Cards"
ADVICE = re.compile(r"^  (\d+) card\(s\) to '(.+)': search (.+)$")

NAV_START = """nav:
  - Home: index.md
  - Vision:
      - Convolutions: vision/convolutions.md
      - vision/pooling.md
  - Training:
      - Optimisers: training/optimisers.md
"""
# First change: pooling goes to Training, convolutions to a new section.
NAV_FIRST = """nav:
  - Home: index.md
  - Vision:
      - Basics:
          - Convolutions: vision/convolutions.md
  - Training:
      - Optimisers: training/optimisers.md
      - vision/pooling.md
"""
# Second change: pooling moves on to its own section; convolutions back where it started.
NAV_SECOND = """nav:
  - Home: index.md
  - Vision:
      - Convolutions: vision/convolutions.md
  - Training:
      - Optimisers: training/optimisers.md
  - Downsampling:
      - vision/pooling.md
"""


def _set_nav(site: Path, nav: str) -> None:
    config = site / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    start = text.index("nav:\n")
    end = text.index("markdown_extensions:")
    config.write_text(text[:start] + nav + text[end:], encoding="utf-8")


def _build(site: Path, out: Path, capsys: pytest.CaptureFixture[str], now: int) -> list[str]:
    capsys.readouterr()
    assert main(["build", str(site), "-o", str(out)], env={"SOURCE_DATE_EPOCH": str(now)}) == 0
    capsys.readouterr()
    text = out.with_suffix(".report.txt").read_text(encoding="utf-8")
    return text.splitlines()


def _advice(lines: list[str]) -> dict[str, tuple[int, str]]:
    """{target deck: (card count, search)} from the report's move lines."""
    found = {}
    for line in lines:
        match = ADVICE.match(line)
        if match:
            found[match[2]] = (int(match[1]), match[3])
    return found


def _moved(out: Path) -> dict[str, set[str]]:
    """{deck: GUIDs of the notes the JSON report says now belong to it (and did not)}."""
    rows = json.loads(out.with_suffix(".report.json").read_text(encoding="utf-8"))["notes"]
    moved: dict[str, set[str]] = {}
    for row in rows:
        if row.get("was_deck") and row["status"] != "removed":
            moved.setdefault(row["deck"], set()).add(row["guid"])
    return moved


def _found(col: Collection, search: str) -> set[str]:
    return {col.get_card(c).note().guid for c in col.find_cards(search)}


def _deck_id(col: Collection, name: str) -> int:
    found = col.decks.id(name)
    assert found is not None
    return found


def _deck_of(col: Collection, guid: str) -> str:
    (card,) = [c for c in map(col.get_card, col.find_cards("")) if c.note().guid == guid]
    return col.decks.name(card.did)


@pytest.mark.parametrize("follows_advice", [False, True])
def test_move_advice_finds_exactly_the_moved_cards_across_two_nav_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], follows_advice: bool
) -> None:
    site = copy_site(SITE, tmp_path)
    out = tmp_path / "out" / "deck.apkg"
    _set_nav(site, NAV_START)
    with fresh_collection(tmp_path / "anki") as col:
        _build(site, out, capsys, 1_700_000_000)
        import_apkg(col, out)
        first_decks = {
            g: _deck_of(col, g) for g in {col.get_note(n).guid for n in col.find_notes("")}
        }

        _set_nav(site, NAV_FIRST)
        lines = _build(site, out, capsys, 1_700_000_100)
        import_apkg(col, out)
        advice = _advice(lines)
        moved = _moved(out)
        assert (
            set(advice)
            == set(moved)
            == {
                f"{ROOT}::Training::Pooling layers",
                f"{ROOT}::Vision::Basics::Convolutions",
            }
        )
        groups = json.loads(out.with_suffix(".report.json").read_text(encoding="utf-8"))
        assert {g["deck"]: (g["cards"], g["search"]) for g in groups["deck_moves"]} == advice
        for deck, (count, search) in advice.items():
            assert _found(col, search) == moved[deck]  # exactly the moved cards
            assert count == len(moved[deck])
            if follows_advice:
                col.set_deck(list(col.find_cards(search)), _deck_id(col, deck))
                assert _found(col, search) == set()  # done: the search finds nothing more

        _set_nav(site, NAV_SECOND)
        lines = _build(site, out, capsys, 1_700_000_200)
        import_apkg(col, out)
        advice = _advice(lines)
        moved = _moved(out)
        assert (
            set(advice)
            == set(moved)
            == {
                f"{ROOT}::Downsampling::Pooling layers",
                f"{ROOT}::Vision::Convolutions",
            }
        )
        for deck, (count, search) in advice.items():
            assert count == len(moved[deck])
            elsewhere = {g for g in moved[deck] if _deck_of(col, g) != deck}
            found = _found(col, search)
            assert found == elsewhere  # exactly the moved cards not yet in their deck
            if deck.endswith("::Pooling layers"):  # (these are elsewhere either way)
                assert found == moved[deck]
            if not follows_advice:  # still where the first import put them
                assert {_deck_of(col, g) for g in found} == {first_decks[g] for g in found}
            col.set_deck(list(col.find_cards(search)), _deck_id(col, deck))
            assert {_deck_of(col, g) for g in moved[deck]} == {deck}
            assert _found(col, search) == set()
        # The convolutions cards went back to the deck they were first imported into: when the
        # advice was not followed, they are there already and the search finds none.
        back = f"{ROOT}::Vision::Convolutions"
        assert (_found(col, advice[back][1]) == set()) and advice[back][0] == 2
        # No deck the cards never were in is named as where they are.
        told = "\n".join(lines[lines.index(next(x for x in lines if "now belong" in x)) :])
        assert "Training::Pooling layers" not in told and "Vision::Basics" not in told


def test_a_deck_named_with_search_wildcards_is_matched_literally() -> None:
    search = move_search('A_b::C*d "e"', ["x_y.md"])
    assert '"deck:A\\_b::C\\*d \\"e\\""' in search
    assert "x\\_y.md" in search
