"""``ankigen sync`` end to end: the CLI builds, then talks HTTP to the AnkiConnect endpoint of
``tests/ankiconnect_server.py``, which imports into a real collection of the ``anki`` package.

Each test reads what the learner reads (the exit status, the printed lines) and what Anki
holds afterwards (note ids, fields, tags, card states and review log).
"""

from __future__ import annotations

import shutil
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.decks import DeckConfigId

from ankigen.cards.fields import tombstone_source_html
from ankigen.cli.commands import main
from ankigen.identity.notes import REMOVED_TAG
from ankigen.output.ankiconnect import (
    ADDON_CODE,
    DEFAULT_URL,
    is_local,
    media_path,
    parse_url,
    removed_queries,
    search_text,
)
from ankigen.output.notetype import NOTETYPE_NAME
from tests.anki_harness import CardState, NoteView, card_state, notes, study_all_new
from tests.ankiconnect_server import AnkiConnectEndpoint
from tests.conftest import MakeProject, Project
from tests.test_startup import _probe

T0 = 1_800_000_000
STRIDE = ("What is stride?", "The step between two kernel positions.")
PADDING = ("What is padding?", "Extra border values so the output keeps its size.")
POOLING = ("What does pooling do?", "It summarises each window of a feature map.")


def page(cards: list[tuple[str, str]]) -> str:
    return "".join(f'??? question "{q}"\n    {a}\n\n' for q, a in cards)


@dataclass(frozen=True)
class Ran:
    status: int
    out: str
    err: str

    @property
    def line(self) -> str:
        """The last line printed: the sync's own."""
        return self.out.splitlines()[-1]


def sync(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    *extra: str,
    url: str | None,
    now: int = T0,
    env: dict[str, str] | None = None,
) -> Ran:
    capsys.readouterr()
    args = ["sync", str(project.source), "-o", str(project.apkg)]
    if url is not None:
        args += ["--url", url]
    status = main([*args, *extra], env={"SOURCE_DATE_EPOCH": str(now), **(env or {})})
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return Ran(status, out, err)


def by_question(anki: AnkiConnectEndpoint) -> dict[str, NoteView]:
    return {n["Question"]: n for n in anki.run(notes) if n["Question"]}


def revlog_rows(col: Collection) -> int:
    assert col.db is not None
    rows: int = col.db.scalar("select count() from revlog")
    return rows


def tombstones(anki: AnkiConnectEndpoint) -> list[NoteView]:
    return [n for n in anki.run(notes) if REMOVED_TAG in n.tags]


@pytest.fixture
def collection_path(tmp_path: Path) -> Path:
    return tmp_path / "anki" / "collection.anki2"


@pytest.fixture
def made(make_project: MakeProject) -> Project:
    return make_project({"a.md": page([STRIDE, PADDING])})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# Syncing
##########################################################################


@pytest.mark.e2e
def test_first_sync_builds_like_build_and_imports_by_path(
    made: Project, collection_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twin = Project(tmp_path / "twin", deck="Made")
    shutil.copytree(made.root, twin.root)
    assert twin.build(now=T0) == 0
    with AnkiConnectEndpoint(collection_path) as anki:
        ran = sync(made, capsys, url=anki.url)
        assert ran.status == 0, ran.err
        assert ran.line == (
            f"ankigen: synced {made.apkg} into Anki at {anki.url}: 2 new, 0 changed, "
            "0 unchanged; Anki read it from this disk"
        )
        assert anki.actions() == ["version", "importPackage"]  # no removed notes to look for
        assert anki.log[1].params == {"path": str(made.apkg.resolve())}
        assert all(entry.version == 6 for entry in anki.log)
        imported = by_question(anki)
        assert sorted(imported) == sorted([STRIDE[0], PADDING[0]])
        assert {n.notetype for n in imported.values()} == {NOTETYPE_NAME}
        assert {n.deck_names for n in imported.values()} == {("Made",)}
    # Exactly what `build` writes: the deck, the lockfile, the reports.
    assert made.apkg.read_bytes() == twin.apkg.read_bytes()
    assert made.lock.read_bytes() == twin.lock.read_bytes()
    for suffix in (".report.json", ".report.txt"):
        ours = made.apkg.with_suffix(suffix).read_text(encoding="utf-8")
        theirs = twin.apkg.with_suffix(suffix).read_text(encoding="utf-8")
        assert ours == theirs.replace(str(twin.apkg), str(made.apkg))


@pytest.mark.e2e
def test_an_edit_updates_the_same_note_and_keeps_its_review_history(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        assert sync(made, capsys, url=anki.url).status == 0
        before = by_question(anki)
        reviewed = anki.run(study_all_new)
        assert len(reviewed) == 2

        def states(col: Collection) -> dict[int, CardState]:
            return {cid: card_state(col, cid) for cid in reviewed}

        history = anki.run(states)
        assert all(len(state.revlog) == 1 and state.reps == 1 for state in history.values())

        made.edit("a.md", "The step between", "The distance between")
        ran = sync(made, capsys, url=anki.url, now=T0 + 60)
        assert ran.status == 0, ran.err
        assert "  changed  a.md:1: What is stride?" in ran.out
        assert ": 0 new, 1 changed, 1 unchanged; Anki read it from this disk" in ran.line

        after = by_question(anki)
        assert {q: n.id for q, n in after.items()} == {q: n.id for q, n in before.items()}
        assert {q: n.guid for q, n in after.items()} == {q: n.guid for q, n in before.items()}
        assert "The distance between" in after[STRIDE[0]]["Answer"]
        assert after[STRIDE[0]].card_ids == before[STRIDE[0]].card_ids
        assert anki.run(states) == history  # intervals, due dates and review log untouched
        assert len(anki.run(notes)) == 2


@pytest.mark.e2e
def test_a_removal_is_counted_then_deleted_with_the_flag(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        assert sync(made, capsys, url=anki.url).status == 0
        padding = by_question(anki)[PADDING[0]]
        anki.run(study_all_new)
        made.page("a.md").write_text(page([STRIDE]), encoding="utf-8")

        ran = sync(made, capsys, url=anki.url, now=T0 + 60)
        assert ran.status == 0, ran.err
        assert "  removed  a.md: What is padding?" in ran.out
        assert "Anki cannot delete notes on import" not in ran.out  # the sync line says it
        assert ran.line.endswith(
            ": 0 new, 0 changed, 1 unchanged, 1 removed; Anki read it from this disk; "
            "1 removed note still in Anki (tag ankigen::removed): sync with --delete-removed "
            "to delete them"
        )
        (kept,) = tombstones(anki)
        assert kept.id == padding.id and kept.card_ids == padding.card_ids
        assert kept["Question"] == ""

        ran = sync(made, capsys, "--delete-removed", url=anki.url, now=T0 + 120)
        assert ran.status == 0, ran.err
        assert ran.line.endswith("; 1 removed note deleted from Anki")
        assert "nothing changed since" in ran.line  # the deck was up to date, still synced
        assert tombstones(anki) == []
        assert list(by_question(anki)) == [STRIDE[0]]
        assert anki.run(lambda col: col.card_count()) == 1
        # Anki keeps the review log of deleted cards; nothing else of the note stays.
        assert anki.run(revlog_rows) == 2


@pytest.mark.e2e
def test_delete_removed_in_the_same_sync_as_the_removal(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        assert sync(made, capsys, url=anki.url).status == 0
        made.page("a.md").write_text(page([STRIDE]), encoding="utf-8")
        ran = sync(made, capsys, "--delete-removed", url=anki.url, now=T0 + 60)
        assert ran.status == 0, ran.err
        assert ": 0 new, 0 changed, 1 unchanged, 1 removed;" in ran.line
        assert ran.line.endswith("; 1 removed note deleted from Anki")
        assert [n["Question"] for n in anki.run(notes)] == [STRIDE[0]]
        assert anki.actions()[-2:] == ["multi", "deleteNotes"]


@pytest.mark.e2e
def test_delete_removed_leaves_other_decks_removed_notes_alone(
    made: Project, collection_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = Project(tmp_path / "other", deck="Other")
    shutil.copytree(made.root, other.root)
    (other.root / "ankigen.toml").write_text('deck = "Other"\n', encoding="utf-8")
    with AnkiConnectEndpoint(collection_path) as anki:
        for project in (made, other):
            assert sync(project, capsys, url=anki.url).status == 0
            project.page("a.md").write_text(page([STRIDE]), encoding="utf-8")
        assert len(anki.run(notes)) == 4
        ran = sync(other, capsys, url=anki.url, now=T0 + 60)
        assert ran.line.endswith("sync with --delete-removed to delete them")
        ran = sync(made, capsys, "--delete-removed", url=anki.url, now=T0 + 60)
        assert ran.line.endswith("; 1 removed note deleted from Anki")
        # The other deck's removed note has the same page and question, other deck, other
        # GUID; its tombstone stays until that deck's own sync deletes it.
        (left,) = tombstones(anki)
        assert left.deck_names == ("Other",)
        ran = sync(other, capsys, "--delete-removed", url=anki.url, now=T0 + 60)
        assert ran.line.endswith("; 1 removed note deleted from Anki")
        assert tombstones(anki) == []


@pytest.mark.e2e
def test_removed_notes_without_cards_are_found_too(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A newcomer's first sync of a deck that removed a question: the tombstone arrives
    # without a card (in no deck), and is still this deck's to delete.
    assert made.build(now=T0) == 0
    made.page("a.md").write_text(page([STRIDE]), encoding="utf-8")
    assert made.build(now=T0 + 60) == 0
    with AnkiConnectEndpoint(collection_path) as anki:
        ran = sync(made, capsys, url=anki.url, now=T0 + 120)
        assert ran.status == 0, ran.err
        assert "1 removed note still in Anki" in ran.line
        (stone,) = tombstones(anki)
        assert stone.card_ids == ()
        assert stone["Source"] == tombstone_source_html("a.md", PADDING[0])
        ran = sync(made, capsys, "--delete-removed", url=anki.url, now=T0 + 180)
        assert ran.line.endswith("; 1 removed note deleted from Anki")
        assert tombstones(anki) == []


@pytest.mark.e2e
def test_many_removed_notes_with_awkward_questions_are_all_found(
    make_project: MakeProject, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # More removed notes than one search holds (batches of 50), and questions and a page
    # path holding what Anki's search reads as syntax: quotes, wildcards, a backslash,
    # parentheses, a colon, a decomposed accent.
    odd = [
        ('Why write "x_1*" (not x\\_1)?', "Because."),
        ("Is cafe\u0301: the same as caf\u00e9?", "After NFC."),
    ]
    many = [(f"What is item {i}?", f"Item {i}.") for i in range(70)]
    project = make_project({"dir_1/a*b.md": page([STRIDE, *odd, *many])})
    with AnkiConnectEndpoint(collection_path) as anki:
        assert sync(project, capsys, url=anki.url).status == 0
        assert len(anki.run(notes)) == 73
        project.page("dir_1/a*b.md").write_text(page([STRIDE]), encoding="utf-8")
        ran = sync(project, capsys, "--delete-removed", url=anki.url, now=T0 + 60)
        assert ran.status == 0, ran.err
        assert ran.line.endswith("; 72 removed notes deleted from Anki")
        multi = [entry for entry in anki.log if entry.action == "multi"]
        assert len(multi) == 1 and isinstance(multi[0].params, dict)
        assert len(multi[0].params["actions"]) == 3 * 2  # two batches, three searches each
        assert [n["Question"] for n in anki.run(notes)] == [STRIDE[0]]


@pytest.mark.e2e
def test_the_learners_deck_presets_stay(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # AnkiConnect's importer imports deck presets (the desktop dialog does not by default);
    # a package built later than the learner's own settings must still leave them alone.
    def customise(col: Collection) -> None:
        conf = col.decks.get_config(DeckConfigId(1))
        assert conf is not None
        conf["new"]["perDay"], conf["rev"]["perDay"] = 55, 333
        col.decks.save(conf)

    def presets(col: Collection) -> list[tuple[str, int, int]]:
        return [(c["name"], c["new"]["perDay"], c["rev"]["perDay"]) for c in col.decks.all_config()]

    with AnkiConnectEndpoint(collection_path) as anki:
        anki.run(customise)
        ran = sync(made, capsys, url=anki.url, now=2_000_000_000)
        assert ran.status == 0, ran.err
        assert anki.run(presets) == [("Default", 55, 333)]


@pytest.mark.e2e
def test_the_address_comes_from_the_environment(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        ran = sync(made, capsys, url=None, env={"ANKICONNECT_URL": anki.url + "/"})
        assert ran.status == 0, ran.err
        assert f"into Anki at {anki.url}:" in ran.line
        assert len(anki.run(notes)) == 2


# Anki elsewhere: the upload path
##########################################################################


@pytest.mark.e2e
def test_anki_that_cannot_read_the_path_gets_the_deck_uploaded(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnkiConnectEndpoint(collection_path, remote=True) as anki:
        ran = sync(made, capsys, url=anki.url)
        assert ran.status == 0, ran.err
        size = made.apkg.stat().st_size
        assert ran.line.endswith(
            f"; uploaded ({size / 1000:.1f} kB; Anki could not open {made.apkg.resolve()})"
        )
        assert anki.actions() == [
            "version",
            "importPackage",
            "storeMediaFile",
            "getMediaDirPath",
            "importPackage",
            "deleteMediaFile",
        ]
        stored = anki.log[2].params
        assert isinstance(stored, dict) and stored["filename"] == "ankigen-sync-deck.apkg"
        assert anki.log[4].params == {"path": "/collection.media/ankigen-sync-deck.apkg"}
        assert len(by_question(anki)) == 2
        # The uploaded copy is gone again (moved to Anki's media trash).
        assert list(anki.media_dir.iterdir()) == []


@pytest.mark.e2e
def test_upload_flag_skips_the_path(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        ran = sync(made, capsys, "--upload", url=anki.url)
        assert ran.status == 0, ran.err
        assert ran.line.endswith("kB; --upload)")
        assert anki.actions() == [
            "version",
            "storeMediaFile",
            "getMediaDirPath",
            "importPackage",
            "deleteMediaFile",
        ]
        assert anki.log[3].params == {"path": f"{anki.media_dir}/ankigen-sync-deck.apkg"}
        assert len(by_question(anki)) == 2
        assert list(anki.media_dir.iterdir()) == []


@pytest.mark.e2e
def test_upload_to_an_addon_without_get_media_dir_path(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Add-ons before 2023 lack getMediaDirPath; the Ankis they ran in (2.1.49 and older)
    # worked in the media folder, where the bare name is found.
    with AnkiConnectEndpoint(
        collection_path, missing_actions={"getMediaDirPath"}, relative_to_media=True
    ) as anki:
        ran = sync(made, capsys, "--upload", url=anki.url)
        assert ran.status == 0, ran.err
        assert anki.log[-2].params == {"path": "ankigen-sync-deck.apkg"}
        assert len(by_question(anki)) == 2


@pytest.mark.e2e
def test_a_failed_import_of_an_upload_still_removes_the_upload(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A newer Anki (its working directory is not the media folder) with an old add-on.
    with AnkiConnectEndpoint(collection_path, missing_actions={"getMediaDirPath"}) as anki:
        ran = sync(made, capsys, "--upload", url=anki.url)
        assert ran.status == 1
        assert "the import of the uploaded deck failed: AnkiConnect's importPackage: " in ran.err
        assert f"ankigen: the deck is built ({made.apkg}) but not synced" in ran.err
        assert anki.actions()[-1] == "deleteMediaFile"
        assert list(anki.media_dir.iterdir()) == []
    assert made.apkg.exists()


# What a learner meets when it does not work
##########################################################################


def test_anki_not_running(made: Project, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    ran = sync(made, capsys, url=url)
    assert ran.status == 1
    assert ran.out == ""
    assert ran.err.splitlines() == [
        f"{url}: error: cannot reach AnkiConnect: connection refused (is Anki running?)",
        "  hint: start Anki with the AnkiConnect add-on installed (Tools > Add-ons > Get "
        f"Add-ons…, code {ADDON_CODE}), or give its address with --url or ANKICONNECT_URL",
        "ankigen: nothing built or imported",
    ]
    assert not made.apkg.exists() and not made.lock.exists()


class _NotAnkiConnect(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html>hello</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def other_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _NotAnkiConnect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_something_else_on_the_port(
    made: Project, other_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = sync(made, capsys, url=other_server)
    assert ran.status == 1
    assert ran.err.startswith(
        f"{other_server}: error: something answers here, but not AnkiConnect "
        "(it said '<html>hello</html>')"
    )


@pytest.mark.e2e
def test_a_wrong_or_missing_api_key(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnkiConnectEndpoint(collection_path, api_key="s3cret") as anki:
        wrong = sync(made, capsys, url=anki.url, env={"ANKICONNECT_KEY": "guess"})
        assert wrong.status == 1
        assert wrong.err.splitlines()[0] == (
            f"{anki.url}: error: AnkiConnect refused the API key in ANKICONNECT_KEY"
        )
        assert "apiKey of AnkiConnect's config" in wrong.err
        missing = sync(made, capsys, url=anki.url)
        assert missing.status == 1
        assert f"{anki.url}: error: AnkiConnect asks for an API key" in missing.err
        assert "set ANKICONNECT_KEY" in missing.err
        assert anki.actions() == ["version", "version"]
        assert not made.apkg.exists()

        # The right key: every request carries it, those inside `multi` too.
        made_key = {"ANKICONNECT_KEY": "s3cret"}
        assert sync(made, capsys, url=anki.url, env=made_key).status == 0
        made.page("a.md").write_text(page([STRIDE]), encoding="utf-8")
        ran = sync(made, capsys, "--delete-removed", url=anki.url, now=T0 + 60, env=made_key)
        assert ran.status == 0, ran.err
        assert ran.line.endswith("; 1 removed note deleted from Anki")
        assert {entry.key for entry in anki.log[2:]} == {"s3cret"}
        assert any(entry.nested for entry in anki.log)


@pytest.mark.e2e
def test_an_addon_too_old(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with AnkiConnectEndpoint(collection_path, version=5) as anki:
        ran = sync(made, capsys, url=anki.url)
        assert ran.status == 1
        lines = ran.err.splitlines()
        assert lines[0] == (
            f"{anki.url}: error: AnkiConnect is too old: it speaks protocol version 5, "
            "ankigen needs 6 or later (for importPackage)"
        )
        assert "Check for Updates" in lines[1] and ADDON_CODE in lines[1]


def test_another_host_that_does_not_answer_gets_the_bind_address_hint(
    made: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # An address on the network that refuses (no network use: the connection is refused
    # here, as a machine whose AnkiConnect listens on 127.0.0.1 only refuses it).
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    ran = sync(made, capsys, url="http://192.168.1.20:8765")
    assert ran.status == 1
    assert ran.err.splitlines()[1].endswith(
        'AnkiConnect answers other machines only when its config sets "webBindAddress" '
        '(e.g. "0.0.0.0"; then set an "apiKey" too)'
    )


def test_a_bad_address(made: Project, capsys: pytest.CaptureFixture[str]) -> None:
    ran = sync(made, capsys, url="127.0.0.1:8765")
    assert ran.status == 1
    assert ran.err.splitlines()[0] == "--url: error: not an http:// address: '127.0.0.1:8765'"
    ran = sync(made, capsys, url=None, env={"ANKICONNECT_URL": "http://localhost:port"})
    assert ran.err.splitlines()[0].startswith("ANKICONNECT_URL: error: bad port")


@pytest.mark.e2e
def test_a_build_error_imports_nothing(
    made: Project, collection_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made.page("b.md").write_text('??? question ""\n\n', encoding="utf-8")
    with AnkiConnectEndpoint(collection_path) as anki:
        ran = sync(made, capsys, url=anki.url)
        assert ran.status == 1
        assert "b.md:1" in ran.err
        assert anki.actions() == ["version"]
        assert anki.run(notes) == []


# The pure parts
##########################################################################


def test_sync_help_loads_no_renderer(tmp_path: Path) -> None:
    assert _probe(["sync", "--help"], tmp_path, tmp_path / "cache") == {
        "status": 0,
        "loaded": [],
    }


def test_is_local() -> None:
    assert is_local(DEFAULT_URL)
    assert is_local("http://localhost:8765")
    assert is_local("http://127.0.0.2:8765")
    assert is_local("http://[::1]:8765")
    assert not is_local("http://192.168.1.20:8765")
    assert not is_local("http://desktop.lan:8765")


def test_media_path() -> None:
    assert media_path("/home/me/.local/share/Anki2/User 1/collection.media", "d.apkg") == (
        "/home/me/.local/share/Anki2/User 1/collection.media/d.apkg"
    )
    assert media_path("C:\\Users\\me\\AppData\\Roaming\\Anki2\\User 1\\collection.media", "d") == (
        "C:\\Users\\me\\AppData\\Roaming\\Anki2\\User 1\\collection.media\\d"
    )


def test_search_text_escapes_what_anki_reads_as_syntax() -> None:
    assert search_text('a "b" *c* d_e \\f') == 'a \\"b\\" \\*c\\* d\\_e \\\\f'
    assert search_text("e\u0301") == "\u00e9"  # Anki stores fields NFC-normalised


def test_removed_queries_are_batched() -> None:
    queries = list(removed_queries("t::x", "N", "Source", [f"v{i}" for i in range(5)], batch=2))
    assert queries == [
        'tag:t::x "note:N" ("Source:v0" OR "Source:v1")',
        'tag:t::x "note:N" ("Source:v2" OR "Source:v3")',
        'tag:t::x "note:N" ("Source:v4")',
    ]


def test_parse_url() -> None:
    assert parse_url("http://127.0.0.1:8765/", "--url") == "http://127.0.0.1:8765"
    assert parse_url(" https://anki.example:443 ", "--url") == "https://anki.example:443"
