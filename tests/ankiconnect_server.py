"""An AnkiConnect endpoint over a real Anki collection, for tests of clients such as a sync.

``AnkiConnectEndpoint`` answers HTTP requests the way the AnkiConnect add-on (protocol
version 6) does, from a collection of the official ``anki`` package that only one thread
ever touches. It is written from a reading of the add-on's source; nothing of it is copied.

How the real add-on behaves
===========================

Sources read: ``FooSoft/anki-connect``: ``plugin/__init__.py`` (the actions and the
request handler), ``plugin/web.py`` (the HTTP side), ``plugin/util.py`` (settings:
``apiKey`` null, ``apiVersion`` 6, ``webBindPort`` 8765, ``webCorsOriginList``
``["http://localhost"]``), ``README.md`` (the documented envelope), ``tests/test_server.py``
and, for the old protocol, ``AnkiConnect.py`` at a revision with ``API_VERSION = 5``.
Later copies of ``plugin/__init__.py`` that require Anki 23.10 were read for the newest
``notesInfo``, ``deleteNotes``, ``storeMediaFile`` and ``importPackage``. On Anki's side:
``ankitects/anki`` ``qt/aqt/main.py`` and the installed ``anki`` package
(``anki/importing.py``, ``anki/media.py``).

Envelope (``plugin/__init__.py`` ``AnkiConnect.handler``, ``plugin/web.py``):

* A request is a JSON object ``{"action", "version", "params", "key"}``. ``version``
  defaults to **4**, ``params`` to ``{}``, ``key`` to null. The reply is
  ``{"result": ..., "error": null}``; an exception ``e`` raised anywhere in the action
  gives ``{"result": null, "error": str(e)}``.
* Request version <= 4: a success is the **bare result** (no envelope); an error is still
  the envelope. (The old add-on, ``AnkiConnect.py`` with ``API_VERSION = 5``, answered
  bare results *and* a bare ``null`` for errors to version <= 4 requests.)
* Unknown action: ``"unsupported action"``. Wrong parameters: Python's ``TypeError`` text,
  e.g. ``"AnkiConnect.importPackage() missing 1 required positional argument: 'path'"``.
* API key: when ``key != apiKey`` and the action is not ``requestPermission``, the error
  is ``"valid api key must be provided"``, with HTTP **200** like every other reply. The
  test is plain inequality: with no key configured (null), a request that *sends* a key
  fails too. ``multi`` sends each inner action through the same handler, so **each inner
  action needs its own** ``key`` (and its own ``version``, else it defaults to 4 and its
  reply is bare).
* HTTP: the body is read by ``Content-Length``; any method but OPTIONS is handled alike.
  Replies are ``HTTP/1.1 200 OK`` with ``Content-Type: text/json``, CORS headers and
  ``Content-Length``; the connection is then closed. An empty body answers the text
  ``AnkiConnect v.6``. A body that is not JSON or not of the request schema (``action`` a
  non-empty string, ``version`` an integer, ``params`` an object) answers the error
  envelope with the parser's or jsonschema's message (here: its first line). A request
  with an ``Origin`` header that is not trusted (trusted: none, ``http://localhost``,
  ``http://127.0.0.1[:port]``, browser-extension schemes) answers **403** with an empty
  body, except ``requestPermission``.

Actions (current add-on, running in Anki 23.10 and later):

* ``version``: the add-on's ``apiVersion`` setting, 6.
* ``requestPermission``: the web layer adds ``origin`` and ``allowed``; trusted callers get
  ``{"permission": "granted", "requireApikey": bool(apiKey), "version": 6}``; others get a
  dialog in Anki (simulated here as the user answering No: ``{"permission": "denied"}``).
* ``importPackage(path)``: ``anki.importing.AnkiPackageImporter(collection, path).run()``,
  then ``true``. In current Anki that name is the *legacy shim*, which calls the backend
  importer ``Collection.import_anki_package`` with **merge_notetypes=True,
  with_scheduling=True, with_deck_configs=True** and the update conditions left at their
  default **IF_NEWER** (notes and notetypes). These are not the desktop dialog's defaults
  (merge, scheduling and deck presets off), and like every import they are saved as the
  collection's import presets. Any failure is the error string, e.g. a missing file:
  ``"Failed to open '<path>': No such file or directory (os error 2)"``.
  ``path`` is opened by Anki's process, so it must exist on **Anki's machine**. A relative
  ``path`` resolves against the process's working directory: the add-on's README says that
  is the media folder, which held until Anki 2.1.49 (opening a collection changed into its
  media folder). Since 2.1.50 Anki no longer changes directory (``qt/aqt/main.py``
  ``_loadCollection`` opens the collection and nothing more; ``anki/media.py`` has no
  ``chdir``; ankitects/anki PR 1630 discusses removing it; with 2.1.50 an add-on's files
  landed in Anki's install folder, sviatoslav-lebediev/anki-quizlet-importer-extended
  issue 32), so a bare file name is looked up wherever Anki was started.
  The robust form is ``getMediaDirPath() + "/" + name``.
* ``storeMediaFile(filename, data=None, path=None, url=None, skipHash=None,
  deleteExisting=True)``: ``data`` is base64; ``path`` is read by Anki's process (same
  machine caveat); ``url`` is downloaded by Anki. With none of them:
  ``'You must provide a "data", "path", or "url" field.'`` (an empty ``data`` counts as
  none). ``skipHash`` equal to the content's MD5 returns ``null`` without storing.
  ``deleteExisting`` first trashes a file of that name, so the name is kept (without it, a
  name taken by other content becomes ``name-<sha1>.ext``); the result is the stored file
  name (base name only, as Anki's media manager stores it).
* ``deleteMediaFile(filename)``: moves the file to the media trash; ``null``.
* ``getMediaDirPath``: the absolute media folder path on Anki's machine (added in 2023:
  older add-ons answer ``"unsupported action"``).
* ``findNotes(query=None)``: note ids (ints) of an Anki search; no query: ``[]``; a bad
  search: the backend's ``"Invalid search: ..."`` message.
* ``notesInfo(notes=None, query=None)``: one object per id: ``noteId``, ``profile``,
  ``tags``, ``fields`` (``{name: {"value", "order"}}``), ``modelName``, ``mod``, ``cards``
  (ids by template order); ``{}`` for an id that does not exist. A note **with no card**
  makes the whole action fail with the error ``str(KeyError(nid))``, i.e. the note id.
  Neither ``notes`` nor ``query``: ``'Must provide either "notes" or a "query"'``.
* ``deleteNotes(notes)``: ``Collection.remove_notes``: the notes and their cards go (their
  review log rows stay in the ``revlog`` table); ``null``.
* ``deckNames``: every deck name, sorted as Anki lists them, ``Default`` included.
* ``multi(actions)``: the list of each action's reply, each through the full handler (key
  check, version, its own envelope); the outer reply is ``{"result": [...], "error": null}``.

Here, beyond those: ``findCards``, ``deckNamesAndIds``, ``getMediaFilesNames`` and
``apiReflect`` as the add-on has them; the add-on's other actions answer an error that
names them as not simulated, and any other name ``"unsupported action"``.

What the endpoint simulates
===========================

* ``version``: the ``apiVersion`` the add-on reports. 6 or more: the current add-on as
  above. 5 or less: the old ``AnkiConnect.py`` (no key check, bare ``null`` errors for
  version <= 4 requests, ``storeMediaFile(filename, data)`` returning ``null``, and none
  of ``importPackage``, ``notesInfo``, ``deleteNotes``, ``getMediaDirPath``,
  ``requestPermission``).
* ``remote=True``: Anki on another machine. Its file system is the folder holding the
  collection, seen from there as ``/``: ``getMediaDirPath`` answers ``/collection.media``,
  and every path a request names is looked up in that folder, so the client's own files
  are out of reach and fail the way missing files fail.
* ``relative_to_media``: where relative paths resolve: False (default), an empty folder
  ``anki-cwd`` beside the collection, like Anki 2.1.50 and later; True, the media folder,
  like Anki 2.1.49 and earlier.
* ``missing_actions``: actions to answer as an older add-on without them would.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import posixpath
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Protocol, Self, TypeVar, cast

# anki.collection must load before the other anki modules.
import anki.collection

# isort: split

import anki.importing
from anki.collection import Collection
from anki.errors import NotFoundError
from anki.media import media_paths_from_col_path
from anki.notes import Note, NoteId

from tests.anki_harness import open_collection

__all__ = ["AnkiConnectEndpoint", "LoggedAction"]

T = TypeVar("T")

API_KEY_ERROR = "valid api key must be provided"
UNSUPPORTED = "unsupported action"
TRUSTED_ORIGIN = "http://localhost"
_EXTENSION_SCHEMES = ("chrome-extension://", "moz-extension://", "safari-web-extension://")
_SQLITE_MAX_VARIABLES = 999


class _Runs(Protocol):
    def run(self) -> None: ...


def _legacy_package_importer() -> Callable[[Collection, str], _Runs]:
    """``anki.importing.AnkiPackageImporter``, the name the add-on imports.

    It is a deprecated module attribute; looking it up prints a warning, kept quiet here.
    """
    name = "AnkiPackageImporter"
    with contextlib.redirect_stdout(io.StringIO()):
        importer = getattr(anki.importing, name)
    return cast(Callable[[Collection, str], _Runs], importer)


AnkiPackageImporter = _legacy_package_importer()

# Actions of the add-on that this endpoint does not answer (it says so rather than
# pretending they do not exist).
NOT_SIMULATED = frozenset(
    {
        "addNote",
        "addNotes",
        "addTags",
        "answerCards",
        "canAddNotes",
        "cardsInfo",
        "changeDeck",
        "createDeck",
        "deleteDecks",
        "exportPackage",
        "getTags",
        "guiBrowse",
        "modelFieldNames",
        "modelNames",
        "notesModTime",
        "reloadCollection",
        "removeTags",
        "retrieveMediaFile",
        "suspend",
        "sync",
        "unsuspend",
        "updateNote",
        "updateNoteFields",
        "updateNoteTags",
    }
)


@dataclass(frozen=True)
class LoggedAction:
    """One action the endpoint handled: a request's, or one inside ``multi`` (``nested``)."""

    action: str
    version: object
    params: object
    key: object
    reply: object
    nested: bool


@dataclass(frozen=True)
class _Settings:
    api_key: str | None
    api_version: int
    profile: str
    missing_actions: frozenset[str]


@dataclass(frozen=True)
class _Files:
    """The file system of the simulated Anki process.

    ``root`` is the remote machine's ``/`` on this machine, or None when Anki shares the
    client's file system. ``cwd`` is the (real) working directory of Anki's process.
    """

    root: Path | None
    cwd: Path

    def view(self, real: Path) -> str:
        """How Anki's process names the real path ``real``."""
        if self.root is None:
            return str(real)
        relative = real.relative_to(self.root).as_posix()
        return "/" if relative == "." else f"/{relative}"

    def real(self, given: str) -> Path:
        """The real path that Anki's process opens for the path ``given``."""
        if self.root is None:
            return Path(os.path.normpath(self.cwd / given))
        seen = posixpath.normpath(posixpath.join(self.view(self.cwd), given))
        return self.root.joinpath(*(part for part in seen.split("/") if part))

    @staticmethod
    @contextlib.contextmanager
    def naming(given: str, real: Path) -> Iterator[None]:
        """Errors inside name the path as the request gave it, as Anki's would."""
        try:
            yield
        except Exception as error:
            message = str(error)
            if str(real) == given or str(real) not in message:
                raise
            raise Exception(message.replace(str(real), given)) from error


def _success(version: Any, result: object) -> object:
    return result if version <= 4 else {"result": result, "error": None}


def _failure(error: BaseException) -> dict[str, object]:
    return {"result": None, "error": str(error)}


def _batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AnkiConnect:
    """The current add-on's request handler and actions (apiVersion 6).

    Runs on the collection thread only. Methods carry the add-on's action and parameter
    names, so Python's messages for wrong parameters read as the add-on's do.
    """

    ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "apiReflect",
            "deckNames",
            "deckNamesAndIds",
            "deleteMediaFile",
            "deleteNotes",
            "findCards",
            "findNotes",
            "getMediaDirPath",
            "getMediaFilesNames",
            "importPackage",
            "multi",
            "notesInfo",
            "requestPermission",
            "storeMediaFile",
            "version",
        }
    )

    def __init__(
        self,
        col: Collection,
        files: _Files,
        settings: _Settings,
        record: Callable[[LoggedAction], None],
    ) -> None:
        self.col = col
        self.files = files
        self.settings = settings
        self._record = record

    # Requests
    ##########################################################################

    def supported(self) -> list[str]:
        return sorted(self.ACTIONS - self.settings.missing_actions)

    def lookup(self, name: object) -> Callable[..., object]:
        if not isinstance(name, str) or name in self.settings.missing_actions:
            raise Exception(UNSUPPORTED)
        if name in self.ACTIONS:
            method: Callable[..., object] = getattr(self, name)
            return method
        if name in NOT_SIMULATED:
            raise Exception(f"{name} is an AnkiConnect action this test endpoint lacks")
        raise Exception(UNSUPPORTED)

    def handle(self, request: Any, *, nested: bool = False) -> object:
        """One request object in, its reply object out (``AnkiConnect.handler``)."""
        name = request.get("action", "")
        version = request.get("version", 4)
        params = request.get("params", {})
        key = request.get("key")
        reply: object
        try:
            if key != self.settings.api_key and name != "requestPermission":
                raise Exception(API_KEY_ERROR)
            method = self.lookup(name)
            reply = _success(version, method(**params))
        except Exception as error:
            reply = _failure(error)
        self._log(name, version=version, params=params, key=key, reply=reply, nested=nested)
        return reply

    def _log(self, name: object, **entry: Any) -> None:
        action = name if isinstance(name, str) else repr(name)
        self._record(LoggedAction(action=action, **entry))

    # Miscellaneous
    ##########################################################################

    def version(self) -> int:
        return self.settings.api_version

    def requestPermission(self, origin: str, allowed: bool) -> dict[str, object]:  # noqa: N802
        if not allowed:  # the dialog Anki shows, answered No
            return {"permission": "denied"}
        return {
            "permission": "granted",
            "requireApikey": bool(self.settings.api_key),
            "version": self.settings.api_version,
        }

    def apiReflect(self, scopes: Any = None, actions: Any = None) -> dict[str, object]:  # noqa: N802
        if not isinstance(scopes, list):
            raise Exception("scopes has invalid value")
        if not (actions is None or isinstance(actions, list)):
            raise Exception("actions has invalid value")
        result: dict[str, object] = {"scopes": []}
        if "actions" in scopes:
            known = self.supported()
            wanted = known if actions is None else [a for a in actions if a in known]
            result = {"scopes": ["actions"], "actions": wanted}
        return result

    def multi(self, actions: Iterable[Any]) -> list[object]:
        return [self.handle(action, nested=True) for action in actions]

    # Decks and notes
    ##########################################################################

    def deckNames(self) -> list[str]:  # noqa: N802
        return [entry.name for entry in self.col.decks.all_names_and_ids()]

    def deckNamesAndIds(self) -> dict[str, int]:  # noqa: N802
        return {entry.name: int(entry.id) for entry in self.col.decks.all_names_and_ids()}

    def findNotes(self, query: str | None = None) -> list[int]:  # noqa: N802
        if query is None:
            return []
        return [int(nid) for nid in self.col.find_notes(query)]

    def findCards(self, query: str | None = None) -> list[int]:  # noqa: N802
        if query is None:
            return []
        return [int(cid) for cid in self.col.find_cards(query)]

    def _note(self, nid: int) -> Note:
        try:
            return self.col.get_note(NoteId(nid))
        except NotFoundError:
            raise NotFoundError(f"Note was not found: {nid}", None, None, None) from None

    def _cards_by_note(self, nids: Sequence[int]) -> dict[int, list[int]]:
        db = self.col.db
        assert db is not None
        cards: dict[int, list[int]] = {}
        for batch in _batches(nids, _SQLITE_MAX_VARIABLES):
            marks = ",".join("?" * len(batch))
            rows = db.all(f"select id, nid from cards where nid in ({marks}) order by ord", *batch)
            for cid, nid in rows:
                cards.setdefault(nid, []).append(cid)
        return cards

    def notesInfo(self, notes: Any = None, query: str | None = None) -> list[object]:  # noqa: N802
        if notes is None and query is None:
            raise Exception('Must provide either "notes" or a "query"')
        if query is not None:
            notes = self.findNotes(query)
        cards = self._cards_by_note(notes)
        result: list[object] = []
        for nid in notes:
            try:
                note = self._note(nid)
            except NotFoundError:
                result.append({})
                continue
            notetype = note.note_type()
            assert notetype is not None
            fields = {
                field["name"]: {"value": note.fields[field["ord"]], "order": field["ord"]}
                for field in notetype["flds"]
            }
            result.append(
                {
                    "noteId": int(note.id),
                    "profile": self.settings.profile,
                    "tags": list(note.tags),
                    "fields": fields,
                    "modelName": notetype["name"],
                    "mod": note.mod,
                    # As in the add-on: a note without cards raises KeyError(nid) here.
                    "cards": cards[nid],
                }
            )
        return result

    def deleteNotes(self, notes: Sequence[int]) -> None:  # noqa: N802
        self.col.remove_notes([NoteId(nid) for nid in notes])

    # Packages and media
    ##########################################################################

    def importPackage(self, path: str) -> bool:  # noqa: N802
        real = self.files.real(path)
        with self.files.naming(path, real):
            AnkiPackageImporter(self.col, str(real)).run()
        return True

    def _media_dir(self) -> Path:
        return Path(self.col.media.dir()).absolute()

    def _write_media(self, filename: str, data: bytes) -> str:
        # Anki's media manager keeps the base name of what it is given.
        return self.col.media.write_data(Path(filename).name, data)

    def storeMediaFile(  # noqa: N802, PLR0917
        self,
        filename: str,
        data: str | None = None,
        path: str | None = None,
        url: str | None = None,
        skipHash: str | None = None,  # noqa: N803
        deleteExisting: bool = True,  # noqa: N803
    ) -> str | None:
        if not (data or path or url):
            raise Exception('You must provide a "data", "path", or "url" field.')
        if data:
            content = base64.b64decode(data)
        elif path:
            real = self.files.real(path)
            with self.files.naming(path, real), real.open("rb") as file:
                content = file.read()
        else:
            raise Exception("storeMediaFile with a url is not simulated (no network here)")
        if skipHash is not None and hashlib.md5(content).hexdigest() == skipHash:
            return None
        if deleteExisting:
            self.deleteMediaFile(filename)
        return self._write_media(filename, content)

    def deleteMediaFile(self, filename: str) -> None:  # noqa: N802
        self.col.media.trash_files([filename])

    def getMediaFilesNames(self, pattern: str = "*") -> list[str]:  # noqa: N802
        # glob's "*" skips dot files, as the add-on's glob.glob does.
        hidden = pattern.startswith(".")
        names = (path.name for path in self._media_dir().glob(pattern))
        return [name for name in names if hidden or not name.startswith(".")]

    def getMediaDirPath(self) -> str:  # noqa: N802
        return self.files.view(self._media_dir())


class LegacyAnkiConnect(AnkiConnect):
    """The add-on before protocol 6 (``AnkiConnect.py``, ``API_VERSION = 5``)."""

    ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "deckNames",
            "deckNamesAndIds",
            "deleteMediaFile",
            "findCards",
            "findNotes",
            "multi",
            "storeMediaFile",
            "version",
        }
    )

    def lookup(self, name: object) -> Callable[..., object]:
        if isinstance(name, str) and name in self.supported():
            method: Callable[..., object] = getattr(self, name)
            return method
        raise Exception(UNSUPPORTED)  # the old add-on knew nothing else

    def handle(self, request: Any, *, nested: bool = False) -> object:
        name = request.get("action", "")
        version = request.get("version", 4)
        params = request.get("params", {})
        envelope: dict[str, object] = {"result": None, "error": None}
        try:
            envelope["result"] = self.lookup(name)(**params)
        except Exception as error:
            envelope["error"] = str(error)
        reply = envelope if version > 4 else envelope["result"]
        key = request.get("key")
        self._log(name, version=version, params=params, key=key, reply=reply, nested=nested)
        return reply

    def storeMediaFile(self, filename: str, data: str) -> None:  # type: ignore[override]  # noqa: N802
        self.deleteMediaFile(filename)
        self._write_media(filename, base64.b64decode(data))


# HTTP
##########################################################################


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    cors_origin: str | None


class _SchemaError(ValueError):
    pass


def _is_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def _check_schema(request: object) -> dict[str, Any]:
    """The add-on's request schema, with jsonschema's first message line on failure."""
    if not isinstance(request, dict):
        raise _SchemaError(f"{request!r} is not of type 'object'")
    if "action" not in request:
        raise _SchemaError("'action' is a required property")
    action = request["action"]
    if not isinstance(action, str):
        raise _SchemaError(f"{action!r} is not of type 'string'")
    if not action:
        raise _SchemaError("'' should be non-empty")
    if "version" in request and not _is_integer(request["version"]):
        raise _SchemaError(f"{request['version']!r} is not of type 'integer'")
    if "params" in request and not isinstance(request["params"], dict):
        raise _SchemaError(f"{request['params']!r} is not of type 'object'")
    return request


def _allow_origin(origin: str | None) -> tuple[bool, str]:
    """``WebServer.allowOrigin`` with the default settings: (allowed, CORS origin)."""
    if origin is None:
        return True, TRUSTED_ORIGIN
    local = origin in {"http://127.0.0.1", "https://127.0.0.1"} or origin.startswith(
        ("http://127.0.0.1:", *_EXTENSION_SCHEMES)
    )
    if origin == TRUSTED_ORIGIN or local:
        return True, origin
    return False, TRUSTED_ORIGIN


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.endpoint.web(self.command, body, self.headers.get("Origin"))
        self.send_response_only(response.status)
        if response.status == 200:
            self.send_header("Content-Type", "text/json")
        if response.cors_origin is not None:
            self.send_header("Access-Control-Allow-Origin", response.cors_origin)
            self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_OPTIONS = _reply  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(HTTPServer):
    endpoint: AnkiConnectEndpoint


# The endpoint
##########################################################################


class AnkiConnectEndpoint:
    """A running AnkiConnect endpoint over the collection at ``collection_path``.

    ``with AnkiConnectEndpoint(path) as anki: ... anki.url ...``. The collection is
    created (like ``anki_harness.open_collection``) if the file does not exist, else
    opened; it is closed on exit, after which tests may open it themselves. While it runs,
    ``anki.run(fn)`` calls ``fn(collection)`` on the collection's own thread, so the
    functions of ``tests.anki_harness`` can inspect or study it. See the module docstring
    for ``api_key``, ``version``, ``remote``, ``relative_to_media`` and
    ``missing_actions``; ``profile`` is the profile name ``notesInfo`` reports.
    """

    def __init__(
        self,
        collection_path: Path,
        *,
        api_key: str | None = None,
        version: int = 6,
        remote: bool = False,
        relative_to_media: bool = False,
        missing_actions: Iterable[str] = (),
        profile: str = "User 1",
    ) -> None:
        if version < 1:
            raise ValueError(f"AnkiConnect versions start at 1, not {version}")
        self.collection_path = Path(collection_path).resolve()
        self.media_dir = Path(media_paths_from_col_path(str(self.collection_path))[0])
        self.remote = remote
        self._settings = _Settings(api_key, version, profile, frozenset(missing_actions))
        cwd = self.media_dir if relative_to_media else self.collection_path.parent / "anki-cwd"
        self._files = _Files(self.collection_path.parent if remote else None, cwd)
        self._log: list[LoggedAction] = []
        self._log_lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._thread_id: int | None = None
        self._api: AnkiConnect | None = None
        self._server: _Server | None = None
        self._serving: threading.Thread | None = None

    # Lifecycle
    ##########################################################################

    def __enter__(self) -> Self:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anki-collection")
        try:
            self._api = self._executor.submit(self._open).result()
            server = _Server(("127.0.0.1", 0), _Handler)
            server.endpoint = self
            self._server = server
            self._serving = threading.Thread(
                target=server.serve_forever, name="ankiconnect-http", daemon=True
            )
            self._serving.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> AnkiConnect:
        self._thread_id = threading.get_ident()
        if self.collection_path.exists():
            col = Collection(str(self.collection_path))
        else:
            col = open_collection(self.collection_path)
        self._files.cwd.mkdir(parents=True, exist_ok=True)
        kind = AnkiConnect if self._settings.api_version >= 6 else LegacyAnkiConnect
        return kind(col, self._files, self._settings, self._append)

    def close(self) -> None:
        """Stop serving and close the collection (also done on leaving the ``with``)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._serving is not None:
            self._serving.join()
            self._serving = None
        if self._executor is not None:
            api, self._api = self._api, None
            if api is not None:
                self._executor.submit(api.col.close).result()
            self._executor.shutdown()
            self._executor = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the endpoint is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # The collection
    ##########################################################################

    def run(self, fn: Callable[[Collection], T]) -> T:
        """``fn(collection)``, called on the collection's thread; its result.

        ``fn`` must not keep the collection: no other thread may touch it.
        """
        api = self._api
        if api is None or self._executor is None:
            raise RuntimeError("the endpoint is not running")
        if threading.get_ident() == self._thread_id:
            return fn(api.col)
        return self._executor.submit(fn, api.col).result()

    def collection_thread(self) -> int:
        """The identity of the one thread that uses the collection."""
        return self.run(lambda _col: threading.get_ident())

    # The log
    ##########################################################################

    def _append(self, entry: LoggedAction) -> None:
        with self._log_lock:
            self._log.append(entry)

    @property
    def log(self) -> tuple[LoggedAction, ...]:
        """Every action handled so far, in order (inner ``multi`` actions after their
        siblings, before the ``multi`` itself, which is logged when it returns)."""
        with self._log_lock:
            return tuple(self._log)

    def actions(self) -> list[str]:
        """The actions of the requests received (not those inside ``multi``), in order."""
        return [entry.action for entry in self.log if not entry.nested]

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    # HTTP (called on the server thread)
    ##########################################################################

    def _handle(self, request: dict[str, Any]) -> object:
        return self.run(lambda _col: self._require_api().handle(request))

    def _require_api(self) -> AnkiConnect:
        if self._api is None:
            raise RuntimeError("the endpoint is not running")
        return self._api

    def web(self, method: str, body: bytes, origin: str | None) -> _Response:
        """The response to one HTTP request (``WebServer.handlerWrapper``)."""
        version = self._settings.api_version
        banner = f"AnkiConnect v.{version}".encode()
        if version < 6:
            if not body:
                return _Response(200, banner, None)
            try:
                request = json.loads(body.decode("utf-8"))
            except ValueError:
                return _Response(200, b"null", None)
            if not isinstance(request, dict):
                return _Response(200, b"null", None)
            return _Response(200, json.dumps(self._handle(request)).encode(), None)

        allowed, cors = _allow_origin(origin)
        if method == "OPTIONS":
            return _Response(200, b"", cors)
        try:
            request = _check_schema(json.loads(body.decode("utf-8")))
        except ValueError as error:
            if not allowed:
                request = {}
            elif not body:
                return _Response(200, banner, cors)
            else:
                message = str(error).splitlines()[0]
                return _Response(200, json.dumps({"result": None, "error": message}).encode(), cors)
        action = request.get("action", "")
        if not (allowed or action == "requestPermission"):
            return _Response(403, b"", cors)
        if action == "requestPermission":
            params = request.get("params", {})
            request["params"] = {**params, "allowed": allowed, "origin": origin or ""}
            if not allowed:
                cors = origin or ""
        return _Response(200, json.dumps(self._handle(request)).encode(), cors)
