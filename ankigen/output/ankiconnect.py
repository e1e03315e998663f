"""AnkiConnect: hand a built .apkg to a running Anki over HTTP (the standard library only).

The deck goes in through the package importer (``importPackage``), so notes keep the GUIDs
the lockfile gives them and Anki's update rules are the ones the README documents; nothing
is re-created field by field. Anki on another machine cannot read this machine's path: the
package is then uploaded into its media folder (``storeMediaFile``), imported from there and
removed again. Removed questions (this deck's tombstones) are found by their tag and their
Source field, the one place that names them, and deleted on request.

Protocol facts relied on (AnkiConnect protocol 6): every request carries ``"version": 6``
(without it the add-on answers in protocol 4); errors come back as HTTP 200 with
``{"result": null, "error": "..."}``; a configured API key is checked on every action.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import socket
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

from ankigen.errors import AnkigenError, Diagnostic

__all__ = [
    "ADDON_CODE",
    "API_VERSION",
    "DEFAULT_URL",
    "ActionError",
    "AnkiConnect",
    "Imported",
    "deck_searches",
    "delete_notes",
    "find_removed",
    "import_package",
    "is_local",
    "media_path",
    "parse_url",
    "removed_queries",
    "search_text",
]

DEFAULT_URL = "http://127.0.0.1:8765"
ADDON_CODE = "2055492159"  # AnkiConnect's code on ankiweb.net (Tools > Add-ons > Get Add-ons)
API_VERSION = 6  # the protocol ankigen speaks; older add-ons lack importPackage
KEY_REFUSED = "valid api key must be provided"
UNSUPPORTED = "unsupported action"
_INSTALL = (
    f"start Anki with the AnkiConnect add-on installed (Tools > Add-ons > Get Add-ons…, "
    f"code {ADDON_CODE}), or give its address with --url or ANKICONNECT_URL"
)
_UPDATE = (
    f"update the add-on: in Anki, Tools > Add-ons, select AnkiConnect ({ADDON_CODE}), "
    "Check for Updates, then restart Anki"
)
PROBE_TIMEOUT = 10.0  # seconds; a modal dialog in Anki holds every request until it closes
WORK_TIMEOUT = 600.0  # an import of a large deck, an upload over a slow network
SEARCH_BATCH = 50  # Source-field searches per query (each is a regular expression in SQL)


class ActionError(Exception):
    """AnkiConnect answered, with an error: ``{"result": null, "error": message}``."""

    def __init__(self, action: str, message: str) -> None:
        super().__init__(f"{action}: {message}")
        self.action = action
        self.message = message


def parse_url(text: str, origin: str) -> str:
    """``text`` as an AnkiConnect address; ``origin`` names where it came from."""
    parts = urllib.parse.urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AnkigenError(
            Diagnostic(
                origin,
                f"not an http:// address: {text!r}",
                hint=f"AnkiConnect listens on e.g. {DEFAULT_URL}",
            )
        )
    try:
        _ = parts.port
    except ValueError as exc:
        raise AnkigenError(
            Diagnostic(origin, f"bad port in {text!r}", hint=f"e.g. {DEFAULT_URL}")
        ) from exc
    return text.strip().rstrip("/")


def is_local(url: str) -> bool:
    """Does ``url`` name this machine (loopback), so Anki can read this machine's files?"""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host.casefold() == "localhost" or host.casefold().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AnkiConnect:
    """Requests to one AnkiConnect endpoint; every failure to talk to it is an
    ``AnkigenError`` naming the URL and what to do, every error it answers an ``ActionError``."""

    def __init__(self, url: str, key: str | None = None) -> None:
        self.url = url
        self.key = key or None
        # A proxy set in the environment must not capture requests to this machine.
        handlers = [urllib.request.ProxyHandler({})] if is_local(url) else []
        self._open = urllib.request.build_opener(*handlers).open

    def _problem(self, message: str, hint: str = _INSTALL) -> AnkigenError:
        return AnkigenError(Diagnostic(self.url, message, hint=hint))

    def _unreached(self, message: str) -> AnkigenError:
        hint = _INSTALL
        if not is_local(self.url):
            hint += (
                "; AnkiConnect answers other machines only when its config sets "
                '"webBindAddress" (e.g. "0.0.0.0"; then set an "apiKey" too)'
            )
        return self._problem(message, hint)

    def call(self, action: str, timeout: float = WORK_TIMEOUT, **params: object) -> object:
        """The result of ``action``; ``ActionError`` with AnkiConnect's error text."""
        request: dict[str, object] = {"action": action, "version": API_VERSION, "params": params}
        if self.key is not None:
            request["key"] = self.key
        reply = self._post(json.dumps(request).encode("utf-8"), timeout)
        if isinstance(reply, dict) and set(reply) == {"result", "error"}:
            if reply["error"] is not None:
                raise ActionError(action, str(reply["error"]))
            return reply["result"]
        return reply  # protocol 4 and older: the bare result

    def _post(self, body: bytes, timeout: float) -> object:
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with self._open(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise self._problem(
                f"AnkiConnect refused the request (HTTP {exc.code} {exc.reason})",
                hint="check the address; a web server other than AnkiConnect may answer there",
            ) from exc
        except urllib.error.URLError as exc:
            raise self._unreachable(exc.reason) from exc
        except TimeoutError as exc:
            raise self._unreachable(exc) from exc
        except (OSError, HTTPException) as exc:
            raise self._problem(f"the connection to AnkiConnect failed: {exc}") from exc
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            shown = raw[:60].decode("utf-8", "replace")
            raise self._problem(
                f"something answers here, but not AnkiConnect (it said {shown!r})"
            ) from exc

    def _unreachable(self, reason: object) -> AnkigenError:
        if isinstance(reason, ConnectionRefusedError):
            return self._unreached(
                "cannot reach AnkiConnect: connection refused (is Anki running?)"
            )
        if isinstance(reason, TimeoutError):
            return self._problem(
                "AnkiConnect did not answer in time",
                hint="close any dialog open in Anki (it holds AnkiConnect's requests), check the "
                "address, then try again",
            )
        if isinstance(reason, socket.gaierror):
            return self._unreached(f"cannot find the host: {reason.strerror or reason}")
        text = getattr(reason, "strerror", None) or str(reason)
        return self._unreached(f"cannot reach AnkiConnect: {text}")

    def probe(self) -> int:
        """AnkiConnect's protocol version, once it is known to be new enough and to take
        the key; otherwise an ``AnkigenError`` saying which of these is wrong."""
        try:
            version = self.call("version", timeout=PROBE_TIMEOUT)
        except ActionError as exc:
            if exc.message != KEY_REFUSED:
                raise self._problem(f"AnkiConnect answered an error: {exc.message}") from exc
            if self.key is None:
                raise self._problem(
                    "AnkiConnect asks for an API key",
                    hint="set ANKICONNECT_KEY to the apiKey of AnkiConnect's config "
                    "(Tools > Add-ons > AnkiConnect > Config)",
                ) from exc
            raise self._problem(
                "AnkiConnect refused the API key in ANKICONNECT_KEY",
                hint="set ANKICONNECT_KEY to the apiKey of AnkiConnect's config (Tools > "
                "Add-ons > AnkiConnect > Config); unset it if that apiKey is null",
            ) from exc
        if isinstance(version, bool) or not isinstance(version, int):
            raise self._problem(
                f"something answers here, but not AnkiConnect (version: {version!r})"
            )
        if version < API_VERSION:
            raise self._problem(
                f"AnkiConnect is too old: it speaks protocol version {version}, "
                f"ankigen needs {API_VERSION} or later (for importPackage)",
                hint=_UPDATE,
            )
        return version

    def fail(self, exc: ActionError, doing: str) -> AnkigenError:
        """An ``AnkigenError`` for an action that failed while ``doing`` something."""
        hint = _UPDATE if exc.message == UNSUPPORTED else "see Anki's window for more"
        return self._problem(f"{doing} failed: AnkiConnect's {exc.action}: {exc.message}", hint)


@dataclass(frozen=True)
class Imported:
    """How the package reached Anki: read from ``path`` by Anki itself, or uploaded."""

    uploaded: bool
    path: str  # the path Anki opened
    why: str = ""  # why it was uploaded
    size: int = 0  # bytes uploaded
    leftover: str = ""  # an uploaded copy that could not be removed again


def _unreadable(message: str) -> bool:
    """Is ``message`` Anki failing to open a package file (missing, or not allowed)?"""
    lowered = message.casefold()
    return any(
        part in lowered
        for part in ("failed to open", "no such file", "permission denied", "cannot find")
    )


def media_path(media_dir: str, name: str) -> str:
    """``name`` inside Anki's media folder as Anki's machine spells paths."""
    windows = "\\" in media_dir and "/" not in media_dir
    sep = "\\" if windows else "/"
    return media_dir.rstrip(sep) + sep + name


def import_package(client: AnkiConnect, apkg: Path, *, upload: bool) -> Imported:
    """Import ``apkg`` through ``importPackage``: by its path when Anki shares this
    machine's files, otherwise (``upload``, a host that is not this machine, or a path
    Anki cannot read) uploaded into the media folder first and removed afterwards."""
    path = str(apkg.resolve())
    if upload:
        return _upload(client, apkg, "--upload")
    if not is_local(client.url):
        return _upload(client, apkg, "Anki runs on another host")
    try:
        client.call("importPackage", path=path)
    except ActionError as exc:
        if not _unreadable(exc.message):
            raise client.fail(exc, "the import") from exc
        return _upload(client, apkg, f"Anki could not open {path}")
    return Imported(uploaded=False, path=path)


def _upload(client: AnkiConnect, apkg: Path, why: str) -> Imported:
    data = apkg.read_bytes()
    try:
        stored = client.call(
            "storeMediaFile",
            filename=f"ankigen-sync-{apkg.name}",
            data=base64.b64encode(data).decode("ascii"),
        )
    except ActionError as exc:
        raise client.fail(exc, "uploading the deck") from exc
    if not isinstance(stored, str) or not stored:
        raise client.fail(ActionError("storeMediaFile", f"answered {stored!r}"), "the upload")
    try:
        try:
            folder = client.call("getMediaDirPath")
            # An add-on without it runs in an Anki (2.1.49 or older) whose working
            # directory is the media folder, where a bare name is found.
            path = media_path(str(folder), stored)
        except ActionError as exc:
            if exc.message != UNSUPPORTED:
                raise client.fail(exc, "finding Anki's media folder") from exc
            path = stored
        try:
            client.call("importPackage", path=path)
        except ActionError as exc:
            raise client.fail(exc, "the import of the uploaded deck") from exc
    finally:
        leftover = _remove_upload(client, stored)
    return Imported(uploaded=True, path=path, why=why, size=len(data), leftover=leftover)


def _remove_upload(client: AnkiConnect, stored: str) -> str:
    try:
        client.call("deleteMediaFile", filename=stored)
    except (ActionError, AnkigenError):
        return stored
    return ""


def search_text(text: str) -> str:
    """``text`` as a literal inside a quoted Anki search term (wildcards and quotes escaped)."""
    normal = unicodedata.normalize("NFC", text)  # Anki stores fields NFC-normalised
    return "".join("\\" + ch if ch in '\\"*_' else ch for ch in normal)


def removed_queries(
    tag: str, notetype: str, field: str, values: Sequence[str], batch: int = SEARCH_BATCH
) -> Iterator[str]:
    """Searches for notes of ``notetype`` tagged ``tag`` whose ``field`` is one of ``values``
    (the Source field names each removed question with its page)."""
    head = f'tag:{search_text(tag)} "note:{search_text(notetype)}"'
    for start in range(0, len(values), batch):
        terms = " OR ".join(
            f'"{field}:{search_text(value)}"' for value in values[start : start + batch]
        )
        yield f"{head} ({terms})"


def deck_searches(query: str, deck: str) -> tuple[str, str, str]:
    """``query`` as it is, within ``deck`` (and its subdecks), and within any deck.

    The same page and question may have been removed from another deck too, so a match
    counts when its cards are in ``deck``; a note without cards is in no deck (a removed
    question arrives without one in a fresh collection) and counts when the query finds it.
    """
    return query, f'{query} "deck:{search_text(deck)}"', f"{query} deck:*"


def find_removed(client: AnkiConnect, queries: Sequence[str], deck: str) -> tuple[int, ...]:
    """The notes the ``queries`` find whose cards are in ``deck`` or who have no card, by
    ``deck_searches`` in one ``multi`` request; their ids, sorted."""
    if not queries:
        return ()
    searches = [s for query in queries for s in deck_searches(query, deck)]
    actions = [
        {"action": "findNotes", "version": API_VERSION, "params": {"query": search}}
        | ({"key": client.key} if client.key is not None else {})
        for search in searches
    ]
    try:
        replies = client.call("multi", actions=actions)
    except ActionError as exc:
        raise client.fail(exc, "looking for removed notes") from exc
    if not isinstance(replies, list) or len(replies) != len(actions):
        wrong = ActionError("multi", f"answered {replies!r}")
        raise client.fail(wrong, "looking for removed notes")
    results: list[set[int]] = []
    for reply in replies:
        if not isinstance(reply, dict) or reply.get("error") is not None:
            error = reply.get("error") if isinstance(reply, dict) else repr(reply)
            raise client.fail(ActionError("findNotes", str(error)), "looking for removed notes")
        results.append({int(nid) for nid in reply.get("result") or ()})
    found: set[int] = set()
    for matches, in_deck, with_cards in zip(*[iter(results)] * 3, strict=True):
        found |= in_deck | (matches - with_cards)
    return tuple(sorted(found))


def delete_notes(client: AnkiConnect, ids: Sequence[int]) -> None:
    try:
        client.call("deleteNotes", notes=list(ids))
    except ActionError as exc:
        raise client.fail(exc, "deleting removed notes") from exc
