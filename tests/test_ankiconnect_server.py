"""The AnkiConnect endpoint of ``tests/ankiconnect_server.py``, driven over HTTP.

Decks are built with ankigen's CLI in-process and imported through ``importPackage`` into a
real collection of the ``anki`` package; the replies are checked against what the add-on's
source answers (see the endpoint's module docstring).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection

from ankigen.output.notetype import NOTETYPE_NAME
from tests.anki_harness import (
    IF_NEWER,
    CardState,
    card_state,
    media_files,
    notes,
    study_all_new,
)
from tests.ankiconnect_server import API_KEY_ERROR, UNSUPPORTED, AnkiConnectEndpoint
from tests.conftest import MakeProject, Project

T0 = 1_800_000_000
STRIDE = ("What is stride?", "The step between two kernel positions.")
PADDING = ("What is padding?", "Extra border values so the output keeps its size.")


def page(cards: list[tuple[str, str]]) -> str:
    return "".join(f'??? question "{q}"\n    {a}\n\n' for q, a in cards)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def send(url: str, body: bytes, *, method: str = "POST", origin: str | None = None) -> Reply:
    headers = {"Origin": origin} if origin else {}
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


def post(url: str, payload: object, *, origin: str | None = None) -> Reply:
    return send(url, json.dumps(payload).encode(), origin=origin)


def call(
    url: str, action: str, *, version: int | None = 6, key: str | None = None, **params: Any
) -> Any:
    """The decoded reply to one action (``version=None`` leaves the field out)."""
    payload: dict[str, Any] = {"action": action, "params": params}
    if version is not None:
        payload["version"] = version
    if key is not None:
        payload["key"] = key
    reply = post(url, payload)
    assert reply.status == 200
    return reply.json()


def ok(url: str, action: str, **params: Any) -> Any:
    """The result of an action that must succeed."""
    reply = call(url, action, **params)
    assert reply["error"] is None, reply
    return reply["result"]


def by_question(url: str) -> dict[str, dict[str, Any]]:
    infos = ok(url, "notesInfo", query="deck:Made")
    return {info["fields"]["Question"]["value"]: info for info in infos}


@pytest.fixture
def built(make_project: MakeProject) -> Project:
    project = make_project({"a.md": page([STRIDE, PADDING])})
    assert project.build(now=T0) == 0
    return project


@pytest.fixture
def collection_path(tmp_path: Path) -> Path:
    return tmp_path / "anki" / "collection.anki2"


# Importing decks
##########################################################################


@pytest.mark.e2e
def test_import_package_adds_the_notes_with_their_fields(
    built: Project, collection_path: Path
) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        assert call(anki.url, "importPackage", path=str(built.apkg)) == {
            "result": True,
            "error": None,
        }
        infos = by_question(anki.url)
        assert sorted(infos) == sorted([STRIDE[0], PADDING[0]])
        for question, answer in (STRIDE, PADDING):
            info = infos[question]
            assert info["modelName"] == NOTETYPE_NAME
            assert answer in info["fields"]["Answer"]["value"]
            assert info["fields"]["Question"]["order"] == 0
            assert info["profile"] == "User 1"
            assert len(info["cards"]) == 1
        assert "Made" in ok(anki.url, "deckNames")
        assert ok(anki.url, "findNotes", query="deck:Made") == sorted(
            info["noteId"] for info in infos.values()
        )
        # The add-on's importer is the legacy shim: merge, scheduling and deck presets on.
        presets = anki.run(lambda col: col._backend.get_import_anki_package_presets())
        assert (presets.merge_notetypes, presets.with_scheduling, presets.with_deck_configs) == (
            True,
            True,
            True,
        )
        assert presets.update_notes == IF_NEWER
        assert anki.actions() == ["importPackage", "notesInfo", "deckNames", "findNotes"]
        assert anki.log[0].params == {"path": str(built.apkg)}
    col = Collection(str(collection_path))  # closed by the endpoint: open it again
    try:
        assert len(notes(col)) == 2
    finally:
        col.close()


@pytest.mark.e2e
def test_reimport_after_an_edit_updates_the_same_note_and_keeps_its_history(
    built: Project, collection_path: Path
) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        assert ok(anki.url, "importPackage", path=str(built.apkg)) is True
        before = by_question(anki.url)
        reviewed = anki.run(study_all_new)
        assert len(reviewed) == 2

        def states(col: Collection) -> dict[int, CardState]:
            return {cid: card_state(col, cid) for cid in reviewed}

        history = anki.run(states)
        assert all(len(state.revlog) == 1 for state in history.values())

        built.edit("a.md", "The step between", "The distance between")
        assert built.build(now=T0 + 60) == 0
        assert ok(anki.url, "importPackage", path=str(built.apkg)) is True

        after = by_question(anki.url)
        assert {q: info["noteId"] for q, info in after.items()} == {
            q: info["noteId"] for q, info in before.items()
        }
        assert "The distance between" in after[STRIDE[0]]["fields"]["Answer"]["value"]
        assert after[STRIDE[0]]["mod"] > before[STRIDE[0]]["mod"]
        assert after[STRIDE[0]]["cards"] == before[STRIDE[0]]["cards"]
        assert anki.run(states) == history


@pytest.mark.e2e
def test_removed_question_is_found_by_its_tag_and_deleted(
    built: Project, collection_path: Path
) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        assert ok(anki.url, "importPackage", path=str(built.apkg)) is True
        padding = by_question(anki.url)[PADDING[0]]["noteId"]
        anki.run(study_all_new)
        assert ok(anki.url, "findNotes", query="tag:ankigen::removed") == []

        built.page("a.md").write_text(page([STRIDE]), encoding="utf-8")
        assert built.build(now=T0 + 60) == 0
        assert ok(anki.url, "importPackage", path=str(built.apkg)) is True

        assert ok(anki.url, "findNotes", query="tag:ankigen::removed") == [padding]
        (info,) = ok(anki.url, "notesInfo", notes=[padding])
        assert info["fields"]["Question"]["value"] == ""
        assert "ankigen::removed" in info["tags"]
        assert call(anki.url, "deleteNotes", notes=[padding]) == {"result": None, "error": None}
        assert ok(anki.url, "findNotes", query="tag:ankigen::removed") == []
        assert ok(anki.url, "notesInfo", notes=[padding]) == [{}]
        assert [n.fields["Question"] for n in anki.run(notes)] == [STRIDE[0]]
        assert anki.run(lambda col: col.card_count()) == 1


@pytest.mark.e2e
def test_notes_info_fails_on_a_note_without_cards(built: Project, collection_path: Path) -> None:
    # A newcomer importing a build with a removed question gets its note without a card;
    # the add-on's notesInfo then fails as a whole, its error being the note id.
    built.page("a.md").write_text(page([STRIDE]), encoding="utf-8")
    assert built.build(now=T0 + 60) == 0
    with AnkiConnectEndpoint(collection_path) as anki:
        assert ok(anki.url, "importPackage", path=str(built.apkg)) is True
        (removed,) = ok(anki.url, "findNotes", query="tag:ankigen::removed")
        assert call(anki.url, "notesInfo", notes=[removed]) == {
            "result": None,
            "error": str(removed),
        }
        # A note without cards is in no deck: only a search on notes finds it.
        assert len(ok(anki.url, "findNotes", query="deck:Made")) == 1
        assert len(ok(anki.url, "findNotes", query=f'note:"{NOTETYPE_NAME}"')) == 2
        assert ok(anki.url, "deleteNotes", notes=[removed]) is None
        assert len(ok(anki.url, "findNotes", query=f'note:"{NOTETYPE_NAME}"')) == 1


# Anki on another machine
##########################################################################


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


@pytest.mark.e2e
def test_remote_anki_cannot_read_the_client_file_but_imports_a_stored_one(
    built: Project, collection_path: Path
) -> None:
    with AnkiConnectEndpoint(collection_path, remote=True) as anki:
        missing = f"Failed to open '{built.apkg}': No such file or directory (os error 2)"
        assert call(anki.url, "importPackage", path=str(built.apkg)) == {
            "result": None,
            "error": missing,
        }
        assert call(anki.url, "storeMediaFile", filename="deck.apkg", path=str(built.apkg)) == {
            "result": None,
            "error": f"[Errno 2] No such file or directory: '{built.apkg}'",
        }

        stored = ok(anki.url, "storeMediaFile", filename="ankigen-sync.apkg", data=b64(built.apkg))
        assert stored == "ankigen-sync.apkg"
        media = ok(anki.url, "getMediaDirPath")
        assert media == "/collection.media"
        # A bare name is looked up in Anki's working directory, not in the media folder.
        assert call(anki.url, "importPackage", path=stored)["error"] == (
            f"Failed to open '{stored}': No such file or directory (os error 2)"
        )
        assert ok(anki.url, "importPackage", path=f"{media}/{stored}") is True
        assert len(ok(anki.url, "findNotes", query="deck:Made")) == 2

        assert stored in ok(anki.url, "getMediaFilesNames")
        assert ok(anki.url, "deleteMediaFile", filename=stored) is None
        assert stored not in ok(anki.url, "getMediaFilesNames")


@pytest.mark.e2e
def test_old_anki_resolves_a_bare_name_in_the_media_folder(
    built: Project, collection_path: Path
) -> None:
    with AnkiConnectEndpoint(collection_path, remote=True, relative_to_media=True) as anki:
        stored = ok(anki.url, "storeMediaFile", filename="deck.apkg", data=b64(built.apkg))
        assert ok(anki.url, "importPackage", path=stored) is True
        assert len(ok(anki.url, "findNotes", query="deck:Made")) == 2


def test_local_anki_reads_the_client_files(built: Project, collection_path: Path) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        assert ok(anki.url, "getMediaDirPath") == str(anki.media_dir)
        stored = ok(anki.url, "storeMediaFile", filename="sub/deck.apkg", path=str(built.apkg))
        assert stored == "deck.apkg"
        assert anki.run(media_files) == {"deck.apkg": built.apkg.read_bytes()}
        # Same content, same name: skipHash says it is there already.
        digest = hashlib.md5(built.apkg.read_bytes()).hexdigest()
        assert call(
            anki.url, "storeMediaFile", filename="x.apkg", data=b64(built.apkg), skipHash=digest
        ) == {
            "result": None,
            "error": None,
        }
        assert call(anki.url, "storeMediaFile", filename="x.apkg", data="") == {
            "result": None,
            "error": 'You must provide a "data", "path", or "url" field.',
        }
        assert sorted(ok(anki.url, "getMediaFilesNames")) == ["deck.apkg"]


# The envelope, the key, errors
##########################################################################


def test_envelope_for_versions_and_unknown_actions(collection_path: Path) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        assert call(anki.url, "version") == {"result": 6, "error": None}
        assert call(anki.url, "version", version=None) == 6  # no version: 4, a bare result
        assert call(anki.url, "deckNames", version=4) == ["Default"]
        assert call(anki.url, "frobnicate") == {"result": None, "error": UNSUPPORTED}
        assert call(anki.url, "frobnicate", version=None) == {"result": None, "error": UNSUPPORTED}
        assert call(anki.url, "addNotes", notes=[])["error"] == (
            "addNotes is an AnkiConnect action this test endpoint lacks"
        )
        assert call(anki.url, "importPackage", file="x.apkg") == {
            "result": None,
            "error": "AnkiConnect.importPackage() got an unexpected keyword argument 'file'",
        }
        search = call(anki.url, "findNotes", query="tag:(")
        assert search["result"] is None and search["error"].startswith("Invalid search")
        assert call(anki.url, "findNotes") == {"result": [], "error": None}
        assert call(anki.url, "notesInfo") == {
            "result": None,
            "error": 'Must provide either "notes" or a "query"',
        }


def test_http_side(collection_path: Path) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        banner = send(anki.url, b"", method="GET")
        assert (banner.status, banner.body) == (200, b"AnkiConnect v.6")
        reply = post(anki.url, {"action": "version", "version": 6})
        assert reply.headers["Content-Type"] == "text/json"
        assert reply.headers["Access-Control-Allow-Origin"] == "http://localhost"
        assert reply.body == b'{"result": 6, "error": null}'
        bad = send(anki.url, b"{not json")
        assert bad.status == 200 and bad.json()["result"] is None
        assert bad.json()["error"].startswith("Expecting property name")
        assert post(anki.url, {"version": 6}).json() == {
            "result": None,
            "error": "'action' is a required property",
        }
        assert post(anki.url, {"action": "version", "version": "6"}).json() == {
            "result": None,
            "error": "'6' is not of type 'integer'",
        }
        # Nothing reached the handler but the one good request.
        assert anki.actions() == ["version"]


def test_untrusted_origin_is_forbidden_except_to_ask_permission(collection_path: Path) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        forbidden = post(
            anki.url, {"action": "version", "version": 6}, origin="https://example.org"
        )
        assert (forbidden.status, forbidden.body) == (403, b"")
        asked = post(
            anki.url, {"action": "requestPermission", "version": 6}, origin="https://example.org"
        )
        assert asked.status == 200 and asked.json() == {
            "result": {"permission": "denied"},
            "error": None,
        }
        assert asked.headers["Access-Control-Allow-Origin"] == "https://example.org"
        extension = post(
            anki.url, {"action": "version", "version": 6}, origin="moz-extension://abc"
        )
        assert extension.json() == {"result": 6, "error": None}
        assert anki.log[0].params == {"allowed": False, "origin": "https://example.org"}


def test_api_key(collection_path: Path) -> None:
    refused = {"result": None, "error": API_KEY_ERROR}
    with AnkiConnectEndpoint(collection_path, api_key="s3cret") as anki:
        assert call(anki.url, "version") == refused
        assert call(anki.url, "version", key="wrong") == refused
        assert call(anki.url, "frobnicate", key="wrong") == refused  # the key comes first
        assert call(anki.url, "version", key="s3cret") == {"result": 6, "error": None}
        assert ok(anki.url, "requestPermission") == {
            "permission": "granted",
            "requireApikey": True,
            "version": 6,
        }
        # Each action inside multi is checked on its own.
        inner = [
            {"action": "version", "version": 6},
            {"action": "version", "version": 6, "key": "s3cret"},
        ]
        assert call(anki.url, "multi", key="s3cret", actions=inner) == {
            "result": [refused, {"result": 6, "error": None}],
            "error": None,
        }
        assert [(e.action, e.key, e.nested) for e in anki.log[:3]] == [
            ("version", None, False),
            ("version", "wrong", False),
            ("frobnicate", "wrong", False),
        ]
    with AnkiConnectEndpoint(collection_path) as anki:  # no key set: sending one fails
        assert call(anki.url, "version", key="s3cret") == refused
        assert ok(anki.url, "requestPermission")["requireApikey"] is False


def test_multi(collection_path: Path) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        actions = [
            {"action": "version", "version": 6},
            {"action": "deckNames"},
            {"action": "frobnicate", "version": 6},
            {"action": "findNotes", "version": 6, "params": {"query": "tag:("}},
        ]
        result = ok(anki.url, "multi", actions=actions)
        assert result[:3] == [
            {"result": 6, "error": None},
            ["Default"],
            {"result": None, "error": UNSUPPORTED},
        ]
        assert result[3]["result"] is None and result[3]["error"].startswith("Invalid search")
        assert [(e.action, e.nested) for e in anki.log] == [
            ("version", True),
            ("deckNames", True),
            ("frobnicate", True),
            ("findNotes", True),
            ("multi", False),
        ]
        assert anki.actions() == ["multi"]
        assert call(anki.url, "multi", actions=["version"]) == {
            "result": None,
            "error": "'str' object has no attribute 'get'",
        }


def test_missing_actions_answer_as_an_older_add_on(collection_path: Path) -> None:
    with AnkiConnectEndpoint(collection_path, missing_actions=["getMediaDirPath"]) as anki:
        assert call(anki.url, "getMediaDirPath") == {"result": None, "error": UNSUPPORTED}
        reflect = ok(
            anki.url, "apiReflect", scopes=["actions"], actions=["getMediaDirPath", "importPackage"]
        )
        assert reflect == {"scopes": ["actions"], "actions": ["importPackage"]}
        assert "getMediaDirPath" not in ok(anki.url, "apiReflect", scopes=["actions"])["actions"]


@pytest.mark.parametrize("version", [4, 5])
def test_old_add_on(collection_path: Path, version: int) -> None:
    with AnkiConnectEndpoint(collection_path, version=version, api_key="ignored") as anki:
        assert send(anki.url, b"", method="GET").body == f"AnkiConnect v.{version}".encode()
        assert call(anki.url, "version") == {"result": version, "error": None}
        assert call(anki.url, "version", version=None) == version
        assert call(anki.url, "importPackage", path="deck.apkg") == {
            "result": None,
            "error": UNSUPPORTED,
        }
        assert call(anki.url, "importPackage", version=4, path="deck.apkg") is None
        assert call(anki.url, "requestPermission") == {"result": None, "error": UNSUPPORTED}
        data = base64.b64encode(b"old").decode()
        assert call(anki.url, "storeMediaFile", filename="a.txt", data=data) == {
            "result": None,
            "error": None,
        }
        assert anki.run(media_files) == {"a.txt": b"old"}
        assert send(anki.url, b"{not json").body == b"null"


def test_one_thread_uses_the_collection(collection_path: Path) -> None:
    seen: list[int] = []
    with AnkiConnectEndpoint(collection_path) as anki:
        worker = anki.collection_thread()
        assert worker != threading.get_ident()
        for _ in range(3):
            ok(anki.url, "deckNames")
            seen.append(anki.collection_thread())
        assert anki.run(lambda col: anki.run(lambda inner: inner is col))  # no deadlock
    assert seen == [worker] * 3
    with pytest.raises(RuntimeError, match="not running"):
        anki.run(lambda col: col)


def test_an_existing_collection_is_opened_not_replaced(collection_path: Path) -> None:
    with AnkiConnectEndpoint(collection_path) as anki:
        ok(anki.url, "multi", actions=[])
        anki.run(lambda col: col.decks.id("Kept"))
    with AnkiConnectEndpoint(collection_path) as anki:
        assert ok(anki.url, "deckNames") == ["Default", "Kept"]
