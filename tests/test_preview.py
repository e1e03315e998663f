"""``ankigen preview``: the page it writes, read back with BeautifulSoup, and its templates
held to Anki's own renderer (the deck imported into a real collection).

What Chromium makes of the page (math typeset, images, themes, a phone-width screen,
no network) is in ``tests/test_browser_preview.py``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from ankigen.cli.commands import main
from ankigen.output import preview
from ankigen.output.notetype import note_type
from ankigen.output.preview import render_template
from tests import anki_harness as harness
from tests.conftest import copy_site

SITE = Path(__file__).resolve().parent / "fixtures" / "sites" / "plugin"
DECK = "Preview Garden"
APKG = "preview-garden.apkg"
# A card with no answer (a warning at its line) and one with only links.
EXTRA = """
??? question "What is left to say about schedules?"

Text after the box.

??? question "Where can I read about cosine schedules?"
    * https://cards.example.org/reading/cosine
"""


def _site(tmp_path: Path, extra: str = EXTRA) -> Path:
    site = copy_site(SITE, tmp_path)
    page = site / "docs" / "training" / "schedules.md"
    page.write_text(page.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return site


def _soup(index: Path) -> BeautifulSoup:
    return BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")


def _text(tag: Tag | None) -> str:
    assert tag is not None
    return " ".join(tag.get_text(" ").split())


def test_the_templates_render_as_anki_renders_them(tmp_path: Path) -> None:
    """Every card of the fixture site (math, an image, a table, code, no answer, links
    only) imported into Anki: its front and back as Anki renders them are what
    ``render_template`` makes of the note type's templates and the note's fields."""
    site = _site(tmp_path)
    apkg = tmp_path / "out" / APKG
    assert main(["build", str(site), "-o", str(apkg)], env={}) == 0
    notetype = note_type()
    seen = 0
    with harness.fresh_collection(tmp_path) as col:
        harness.import_apkg(col, apkg)
        for view in harness.notes(col):
            fields = dict(view.fields)
            for card_id in view.card_ids:
                output = col.get_card(card_id).render_output(reload=True)  # type: ignore[arg-type]
                assert render_template(notetype.front, fields) == output.question_text
                assert render_template(notetype.back, fields) == output.answer_text
                seen += 1
    assert seen == 7
    assert "ankigen-empty" in render_template(notetype.back, {**fields, "Answer": "", "Links": ""})


def test_render_template_reads_no_template_text_in_fields() -> None:
    fields = {"Question": "{{Answer}} and {{#Links}}x{{/Links}}", "Answer": "", "Links": ""}
    fields["Source"] = ""
    front = render_template(note_type().front, fields)
    assert "{{Answer}} and {{#Links}}x{{/Links}}" in front
    with pytest.raises(ValueError, match="unknown field 'Nope'"):
        render_template("{{Nope}}", fields)
    with pytest.raises(ValueError, match="never closed"):
        render_template("{{#Answer}}open", fields)


def test_preview_shows_every_card_by_deck_with_its_place_and_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site(tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "preview"
    assert main(["preview", str(site), "-o", str(out)], env={}) == 0
    printed = capsys.readouterr()
    assert "site/docs/training/schedules.md:16:1: warning: card has no answer" in printed.err
    assert printed.out.splitlines()[0] == (
        "ankigen: preview of 7 card(s) in 3 deck(s) from 3 page(s), 1 warning(s) "
        "-> preview/index.html"
    )
    # the preview writes no deck, lockfile or report
    assert not (site / "ankigen.lock").exists()
    assert not (tmp_path / "build").exists() and not (site / "build").exists()

    soup = _soup(out / "index.html")
    decks = soup.select("section.apv-deck")
    assert [_text(d.select_one("h2")) for d in decks] == [
        f"{DECK}::Home",
        f"{DECK}::Vision::Pooling",
        f"{DECK}::Training::Schedules",
    ]
    places = [[_text(c.select_one(".apv-location")) for c in d.select(".apv-card")] for d in decks]
    assert places == [
        ["site/docs/index.md:6"],
        ["site/docs/vision/pooling.md:3", "site/docs/vision/pooling.md:12"],
        [
            "site/docs/training/schedules.md:3",
            "site/docs/training/schedules.md:12",
            "site/docs/training/schedules.md:16",
            "site/docs/training/schedules.md:20",
        ],
    ]
    cards = soup.select(".apv-card")
    for card in cards:
        front, back = card.select(".apv-side > .card.card1")
        assert front.select_one(".ankigen.ankigen-front .ankigen-question") is not None
        assert back.select_one(".ankigen.ankigen-back hr#answer") is not None
    warned = [c for c in cards if c.select(".apv-warnings li")]
    assert len(warned) == 1
    assert _text(warned[0].select_one(".apv-location")) == "site/docs/training/schedules.md:16"
    assert _text(warned[0].select_one(".apv-warnings li")).startswith(
        "site/docs/training/schedules.md:16:1: warning: card has no answer"
    )
    assert "The source gives no answer" in _text(warned[0].select_one(".apv-back"))
    assert not soup.select(".apv-problems")  # every diagnostic found its card
    assert _text(cards[-1].select_one(".ankigen-links-box")).startswith("Read more")
    # the note type's own CSS, whole, in the page
    styles = [s.get_text() for s in soup.find_all("style")]
    assert note_type().css.strip() in [s.strip() for s in styles]
    assert all(c.select_one(".apv-status") is not None for c in cards)


def test_preview_images_are_the_decks_media(tmp_path: Path) -> None:
    """The preview's media folder holds exactly the files the .apkg holds, byte for byte,
    and each card image points there; a second preview drops files no card uses any more."""
    site = _site(tmp_path)
    out = tmp_path / "preview"
    assert main(["preview", str(site), "-o", str(out)], env={}) == 0
    apkg = tmp_path / "deck" / APKG
    assert main(["build", str(site), "-o", str(apkg)], env={}) == 0
    with zipfile.ZipFile(apkg) as package:
        manifest = json.loads(package.read("media"))
        packed = {name: package.read(number) for number, name in manifest.items()}
    copied = {p.name: p.read_bytes() for p in (out / "media").iterdir()}
    assert copied == packed and len(copied) == 1
    (name,) = copied
    img = _soup(out / "index.html").select_one(".apv-back img")
    assert img is not None and img.get("src") == f"media/{name}"

    page = site / "docs" / "vision" / "pooling.md"
    page.write_text(page.read_text(encoding="utf-8").replace("![A four", "A four"), "utf-8")
    assert main(["preview", str(site), "-o", str(out)], env={}) == 0
    assert list((out / "media").iterdir()) == []


def test_preview_with_anki_desktop_typesets_math_with_its_files(tmp_path: Path) -> None:
    anki = preview.find_anki_web()
    if anki is None:
        pytest.skip("Anki desktop (aqt) is not installed: pip install -e '.[test]'")
    site = _site(tmp_path)
    out = tmp_path / "preview"
    assert main(["preview", str(site), "-o", str(out)], env={}) == 0
    for name in ("css/reviewer.css", "js/mathjax.js", "js/vendor/mathjax/tex-chtml-full.js"):
        assert (out / "_anki" / name).read_bytes() == (anki.folder / name).read_bytes()
    soup = _soup(out / "index.html")
    scripts = [s.get("src") for s in soup.find_all("script") if s.get("src")]
    assert scripts == ["_anki/js/mathjax.js", "_anki/js/vendor/mathjax/tex-chtml-full.js"]
    assert f"aqt {anki.version}" in _text(soup.select_one(".apv-math"))


def test_preview_without_anki_desktop_shows_the_tex_and_how_to_typeset_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(preview, "find_anki_web", lambda: None)
    site = _site(tmp_path)
    out = tmp_path / "preview"
    (out / "_anki").mkdir(parents=True)  # left by an earlier preview with Anki desktop
    (out / ".ankigen-preview").write_text("", encoding="utf-8")
    assert main(["preview", str(site), "-o", str(out)], env={}) == 0
    assert "pip install 'ankigen[preview]'" in capsys.readouterr().out
    assert not (out / "_anki").exists()
    soup = _soup(out / "index.html")
    assert soup.find("script", src=True) is None
    assert "pip install 'ankigen[preview]'" in _text(soup.select_one(".apv-math"))
    assert r"\(\max(0, x)\)" in _text(soup.select_one(".apv-front"))


def test_a_broken_page_writes_no_preview(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site(tmp_path, extra='\n??? question ""\n')
    out = tmp_path / "preview"
    assert main(["preview", str(site), "-o", str(out)], env={}) == 1
    err = capsys.readouterr().err
    assert "schedules.md:16:1: error:" in err
    assert "ankigen: preview failed with 1 error(s), nothing written" in err
    assert not out.exists()


def test_preview_defaults_to_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site(tmp_path)
    (site / "ankigen.toml").write_text('output = "out"\n', encoding="utf-8")
    monkeypatch.chdir(site)
    opened: list[str] = []

    def fake_open(url: str) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", fake_open)
    assert main(["preview", "--open"], env={}) == 2  # no source/ here: a usage error
    capsys.readouterr()
    assert main(["preview", ".", "--open"], env={}) == 0
    index = site / "out" / "preview" / "index.html"
    assert index.is_file()
    assert opened == [index.resolve().as_uri()]
    assert "-> out/preview/index.html" in capsys.readouterr().out


def test_diagnostics_sit_beside_their_card_or_on_top(tmp_path: Path) -> None:
    """A missing image is found while its card renders (the card shows it, at the image's
    line); a marker the site shows as a card but ankigen reads as paragraph text has no
    card to sit beside: it is listed above the decks."""
    extra = (
        '\n??? question "Which picture is missing?"\n'
        "    The one below.\n\n"
        "    ![gone](img/nowhere.png)\n\n"
        "- a list item\n"
        '??? question "Lost in the list?"\n'
        "    Yes.\n"
    )
    site = _site(tmp_path, extra=extra)
    out = tmp_path / "preview"
    assert main(["preview", str(site), "-o", str(out)], env={}) == 0
    soup = _soup(out / "index.html")
    (card,) = [c for c in soup.select(".apv-card") if c.select(".apv-warnings li")]
    assert _text(card.select_one(".apv-location")).endswith("schedules.md:16")
    assert "schedules.md:19:" in _text(card.select_one(".apv-warnings"))
    assert "img/nowhere.png" in _text(card.select_one(".apv-warnings"))
    top = _text(soup.select_one(".apv-problems"))
    assert "schedules.md:22:" in top and "card marker inside" in top


def test_preview_never_clears_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site(tmp_path)
    theirs = tmp_path / "notes"
    (theirs / "media").mkdir(parents=True)
    (theirs / "media" / "photo.jpg").write_bytes(b"mine")
    assert main(["preview", str(site), "-o", str(theirs)], env={}) == 1
    err = capsys.readouterr().err
    assert f"{theirs}: error: not a preview folder: it holds files ankigen did not write" in err
    assert sorted(p.name for p in theirs.rglob("*")) == ["media", "photo.jpg"]
    # an empty folder, then the same folder again, are fine
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["preview", str(site), "-o", str(empty)], env={}) == 0
    assert main(["preview", str(site), "-o", str(empty)], env={}) == 0
    assert (empty / ".ankigen-preview").is_file() and (empty / "index.html").is_file()
