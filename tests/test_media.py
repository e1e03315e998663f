"""Images and links: bundled under content-hashed names, refused outside the project,
pointed at the published site; checked end to end with the anki package."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ankigen.cards.sanitize import sanitize
from ankigen.cli.commands import main
from ankigen.read.media import MediaLibrary, html_base
from ankigen.records import MediaFile, MediaProblem
from tests.anki_harness import fresh_collection, import_apkg, media_files, notes, render_card
from tests.conftest import copy_site, package_rows

SITE = Path(__file__).parent / "fixtures" / "sites" / "media"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(SITE, tmp_path)


def build(site: Path, out: Path, *extra: str) -> int:
    return main(
        ["build", str(site), "-o", str(out), *extra], env={"SOURCE_DATE_EPOCH": "1800000000"}
    )


def test_same_file_name_in_two_folders_never_clashes(site: Path) -> None:
    library = MediaLibrary(site / "docs")
    red = library.resolve("vision/convolutions.md", "img/diagram.png")
    blue = library.resolve("training/losses.md", "img/diagram.png")
    assert isinstance(red, MediaFile) and isinstance(blue, MediaFile)
    assert red.name != blue.name
    assert red.name.startswith("diagram-") and red.name.endswith(".png")


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("../../outside/secret.png", "lies outside the project"),
        ("/etc/passwd", "is an absolute path"),
        ("img/missing.png", "not found"),
    ],
)
def test_images_that_cannot_be_bundled(site: Path, src: str, message: str) -> None:
    found = MediaLibrary(site / "docs").resolve("vision/convolutions.md", src)
    assert isinstance(found, MediaProblem) and message in found.message


def test_symlink_leaving_the_tree_is_refused(site: Path) -> None:
    link = site / "docs" / "vision" / "img" / "escape.png"
    link.symlink_to(site / "outside" / "secret.png")
    found = MediaLibrary(site / "docs").resolve("vision/convolutions.md", "img/escape.png")
    assert isinstance(found, MediaProblem) and "outside the project" in found.message


def test_missing_and_outside_images_are_diagnostics_with_lines(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = site / "docs" / "vision" / "convolutions.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + '\n??? question "Broken pictures?"\n    ![gone](img/gone.png)\n\n'
        "    ![secret](../../outside/secret.png)\n",
        encoding="utf-8",
    )
    assert build(site, tmp_path / "o.apkg", "--strict") == 1
    err = capsys.readouterr().err
    assert "convolutions.md:14: warning: image 'img/gone.png' not found" in err
    assert "convolutions.md:16: warning: image '../../outside/secret.png' lies outside" in err
    assert not (tmp_path / "o.apkg").exists()
    assert build(site, tmp_path / "o.apkg") == 0
    secret = (site / "outside" / "secret.png").read_bytes()
    with zipfile.ZipFile(tmp_path / "o.apkg") as archive:
        assert all(archive.read(name) != secret for name in archive.namelist())


def answers_of(apkg: Path, question: str) -> list[str]:
    """The Answer field of each note in the package asking ``question``."""
    rows = [str(r[0]).split("\x1f") for r in package_rows(apkg, "SELECT flds FROM notes")]
    return [fields[1] for fields in rows if fields[0] == question]


def test_a_figure_in_a_card_bundles_its_image_without_a_warning(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = site / "docs" / "vision" / "convolutions.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + '\n??? question "Which figure is red?"\n    <figure markdown="span">\n'
        "      ![The red one](img/diagram.png)\n      <figcaption>A *red* kernel</figcaption>\n"
        "    </figure>\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.apkg"
    assert build(site, out, "--strict") == 0, capsys.readouterr().err
    assert "warning" not in capsys.readouterr().err
    answers = answers_of(out, "Which figure is red?")
    assert len(answers) == 1
    assert "![" not in answers[0] and "markdown" not in answers[0]
    assert '<img src="diagram-' in answers[0] and 'alt="The red one"' in answers[0]
    assert "<figcaption>A <em>red</em> kernel</figcaption>" in answers[0]


def test_html_images_resolve_against_the_page_url_and_missing_ones_show_their_alt(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = site / "docs"
    (docs / "assets").mkdir()
    (docs / "assets" / "logo.png").write_bytes(
        (docs / "vision" / "img" / "diagram.png").read_bytes() + b"1"
    )
    page = docs / "vision" / "convolutions.md"
    page.write_text(
        page.read_text(encoding="utf-8") + '\n??? question "Which pictures does the site show?"\n'
        '    <img src="../../assets/logo.png" alt="Logo">\n\n'
        '    <img src="../img/diagram.png" alt="Kernel">\n\n'
        '    <img src="../../assets/none.png" alt="No such picture">\n\n'
        "    ![A lost diagram](img/lost.png)\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.apkg"
    assert build(site, out) == 0
    err = capsys.readouterr().err
    assert (
        "convolutions.md:13: warning: image '../../assets/none.png' not found: the card shows "
        "its alt text" in err
    )
    assert "hint: looked for assets/none.png" in err
    assert "convolutions.md:20: warning: image 'img/lost.png' not found" in err
    assert err.count("warning:") == 2
    (answer,) = answers_of(out, "Which pictures does the site show?")
    assert '<img src="logo-' in answer and 'alt="Logo"' in answer
    assert '<img src="diagram-' in answer and 'alt="Kernel"' in answer
    assert "No such picture" in answer and "none.png" not in answer
    assert "A lost diagram" in answer and "lost.png" not in answer
    assert answer.count("<img") == 2
    with zipfile.ZipFile(out) as archive:
        media = archive.read("media").decode()
    assert "logo-" in media


def test_raw_html_is_relative_to_the_page_url() -> None:
    assert html_base("vision/convolutions.md", use_directory_urls=True) == (
        "vision/convolutions/index.html"
    )
    assert html_base("vision/index.md", use_directory_urls=True) == "vision/index.md"
    assert html_base("vision/convolutions.md", use_directory_urls=False) == (
        "vision/convolutions.md"
    )


def test_md_in_html_attributes_are_dropped_without_a_report() -> None:
    cleaned, removed = sanitize('<figure markdown="span"><p markdown>x</p></figure>')
    assert cleaned == "<figure><p>x</p></figure>"
    assert removed == []


def test_unsafe_raw_html_is_removed_and_reported() -> None:
    html = '<p onclick="x()">a<script>bad()</script><a href="javascript:go()">b</a></p>'
    cleaned, removed = sanitize(html)
    assert cleaned == "<p>a<a>b</a></p>"
    assert removed == ["<script>", "href", "href=javascript:", "onclick"]


@pytest.mark.e2e
def test_images_import_into_anki_media_and_update_when_edited(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    assert build(site, out) == 0
    with zipfile.ZipFile(out) as archive:
        assert len(archive.namelist()) == 2 + 3  # collection, manifest, three images
    with fresh_collection(tmp_path / "anki") as col:
        import_apkg(col, out)
        files = media_files(col)
        assert len(files) == 3
        by_q = {n.fields["Question"]: n for n in notes(col)}
        vision = by_q["What does this kernel diagram show?"]
        training = by_q["Which diagram is blue?"]
        red = next(
            name
            for name in files
            if name.startswith("diagram-") and name in vision.fields["Answer"]
        )
        blue = next(
            name
            for name in files
            if name.startswith("diagram-") and name in training.fields["Answer"]
        )
        assert red != blue
        assert any(name.startswith("kernel-") and name.endswith(".svg") for name in files)
        assert (
            'href="https://media.example.org/training/losses/#cross-entropy"'
            in vision.fields["Answer"]
        )
        assert 'href="#convolutions"' in vision.fields["Answer"]
        remote = by_q["Where does a remote image stay?"]
        assert 'src="https://images.example.org/pic.png"' in remote.fields["Answer"]
        _front, back = render_card(col, vision.card_ids[0])
        assert red in back

        image = site / "docs" / "vision" / "img" / "diagram.png"
        image.write_bytes(image.read_bytes().replace(b"IEND", b"IEND", 1) + b"\x00")
        assert build(site, out) == 0
        log = import_apkg(col, out)
        assert log.nonzero_counts()["updated"] == 1
        after = {n.fields["Question"]: n for n in notes(col)}
        new_answer = after["What does this kernel diagram show?"].fields["Answer"]
        assert red not in new_answer
        new_name = next(
            name for name in media_files(col) if name in new_answer and name.startswith("diagram-")
        )
        assert media_files(col)[new_name] == image.read_bytes()
