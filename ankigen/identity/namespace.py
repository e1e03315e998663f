"""Which GUID namespace a build without a lockfile uses.

The lockfile records the namespace of the first build, and while it is kept nothing below
matters. Without it, the namespace is chosen again on every build: ``namespace`` from the
config when set; else, for an mkdocs site with a ``site_url``, that URL (a site keeps its
address when its ``site_name`` is reworded, so renaming the site no longer gives every note
a new identity); else the deck name, as before.

ankigen before this rule used the deck name everywhere. To keep the GUIDs of decks built
that way, a build without a lockfile looks at the packages beside its output (the last
package of a deck under its old name included): the candidate namespace that gives the
most of this build's cards a GUID those packages hold is used.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from urllib.parse import urlsplit

from ankigen.identity.notes import make_guid
from ankigen.records import RenderedCard

__all__ = ["choose_namespace", "site_namespace"]


def site_namespace(site_url: str) -> str:
    """A site's address as a namespace: scheme, letter case of the host, ``www.`` and a
    trailing slash do not count (moving to https or adding a slash keeps every GUID)."""
    parts = urlsplit(site_url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port else ""
    path = parts.path.rstrip("/")
    return f"site:{host}{port}{path}"


def _guid(namespace: str, card: RenderedCard) -> str:
    if card.explicit_id is not None:
        return make_guid(namespace, "#id", card.explicit_id)
    return make_guid(namespace, card.page, card.question_text)


def choose_namespace(
    default: str,
    candidates: Sequence[str],
    cards: Sequence[RenderedCard],
    known: Collection[str],
) -> str:
    """The namespace, among ``default`` and ``candidates``, under which the most ``cards``
    get a GUID in ``known`` (earlier packages' notes); ``default`` when none does better."""
    if not known or not cards:
        return default
    best, best_hits = default, sum(_guid(default, c) in known for c in cards)
    for name in dict.fromkeys(candidates):
        if name == default:
            continue
        hits = sum(_guid(name, c) in known for c in cards)
        if hits > best_hits:
            best, best_hits = name, hits
    return best
