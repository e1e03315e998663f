"""Images and links of a card, rewritten for Anki while rendering.

Local images become the bundled media file's name (or stay, with a diagnostic, when they
cannot be bundled). Links to other pages of the site become absolute links to the published
site when ``site_url`` is known; otherwise they are shown as their text, with a warning.
Remote URLs are left alone. The renderer asks a ``CardRefs`` object, which the build gives
it; this module itself does no I/O.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ankigen.errors import Diagnostic, Severity
from ankigen.read.media import is_local
from ankigen.records import MediaFile, MediaProblem

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = ["ENV_KEY", "CardRefs", "lookups_hold", "refs_plugin", "stamp_lines"]

ENV_KEY = "ankigen_refs"


@dataclass
class CardRefs:
    """What one card's rendering found: media to bundle and problems, with their lines."""

    page: str
    resolve_image: Callable[[str, str], MediaFile | MediaProblem] | None = None
    # Raw HTML is not rewritten by mkdocs: its <img src> is relative to the page's URL, which
    # under use_directory_urls is one folder deeper than the file. A docs-relative path in
    # that folder (read/media.html_base); None: relative to the page file.
    html_base: str | None = None
    site_dir: Path | None = None  # the folder of mkdocs.yml (custom icon folders are relative)
    page_url: Callable[[str], str | None] | None = None  # docs-relative .md path -> URL
    site_url: str | None = None
    media: list[MediaFile] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    # (page, src, what it resolved to), for each image lookup this card made
    lookups: list[tuple[str, str, MediaFile | MediaProblem]] = field(default_factory=list)
    _dropped: list[bool] = field(default_factory=list)

    def image(self, src: str, line: int | None) -> str | None:
        """The ``src`` a Markdown image gets (relative to the page file, as mkdocs rewrites
        it), or None when it cannot be bundled: the card shows its alt text instead."""
        if self.resolve_image is None or not is_local(src):
            return src
        return self._bundle(self._lookup(self.page, src), line)

    def html_image(self, src: str, line: int | None) -> str | None:
        """The ``src`` of an ``<img>`` in raw HTML (relative to the page's URL, as the browser
        reads it; relative to the file when only that finds it), or None, as :meth:`image`."""
        if self.resolve_image is None or not is_local(src):
            return src
        if any(src == found.name for found in self.media):
            return src  # a Markdown image this card already bundled, met again in the HTML
        base = self.html_base if self.html_base is not None else self.page
        found = self._lookup(base, src)
        if isinstance(found, MediaProblem) and base != self.page:
            beside_file = self._lookup(self.page, src)
            if isinstance(beside_file, MediaFile):
                found = beside_file
        return self._bundle(found, line)

    def _lookup(self, base: str, src: str) -> MediaFile | MediaProblem:
        assert self.resolve_image is not None
        found = self.resolve_image(base, src)
        self.lookups.append((base, src, found))
        return found

    def _bundle(self, found: MediaFile | MediaProblem, line: int | None) -> str | None:
        if isinstance(found, MediaProblem):
            # As mkdocs: a warning; --strict fails the build. No broken image on the card.
            self.problems.append(
                Diagnostic(
                    self.page,
                    f"{found.message}: the card shows its alt text",
                    found.hint,
                    line=line,
                    severity=Severity.WARNING,
                )
            )
            return None
        if found not in self.media:
            self.media.append(found)
        return found.name

    def link(self, href: str, line: int | None) -> str | None:
        """The href to use, or None to show the link as plain text."""
        if not is_local(href):
            return href
        parts = urlsplit(href)
        if not parts.path:
            return href  # same-page anchor
        target = posixpath.normpath(posixpath.join(posixpath.dirname(self.page), parts.path))
        anchor = f"#{parts.fragment}" if parts.fragment else ""
        if self.site_url is not None and self.page_url is not None and not target.startswith(".."):
            if target.endswith((".md", ".markdown")):
                url = self.page_url(target)
                if url is not None:
                    return url + anchor
            return self.site_url + target + anchor
        self.problems.append(
            Diagnostic(
                self.page,
                f"link {href!r} points into the site, which has no site_url: shown as text",
                hint="set site_url in mkdocs.yml so links to other pages work on cards",
                line=line,
                severity=Severity.WARNING,
            )
        )
        return None


def _line(token: Token) -> int | None:
    line = token.meta.get("line") if token.meta else None
    return int(line) if isinstance(line, int) else None


def _render_image(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    refs = env.get(ENV_KEY)
    renderer = self
    assert hasattr(renderer, "image") and hasattr(renderer, "renderInlineAsText")
    if isinstance(refs, CardRefs):
        src = refs.image(str(token.attrGet("src") or ""), _line(token))
        if src is None:
            alt = str(renderer.renderInlineAsText(token.children or [], options, env))
            return html.escape(alt, quote=False)
        token.attrSet("src", src)
    return str(renderer.image(tokens, idx, options, env))


def _render_link_open(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    refs = env.get(ENV_KEY)
    if isinstance(refs, CardRefs):
        href = refs.link(str(token.attrGet("href") or ""), _line(token))
        refs._dropped.append(href is None)
        if href is None:
            return ""
        token.attrSet("href", href)
    assert hasattr(self, "renderToken")
    return str(self.renderToken(tokens, idx, options, env))


def _render_link_close(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    refs = env.get(ENV_KEY)
    if isinstance(refs, CardRefs) and refs._dropped and refs._dropped.pop():
        return ""
    return "</a>"


def refs_plugin(md: MarkdownIt) -> None:
    md.add_render_rule("image", _render_image)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("link_close", _render_link_close)


def lookups_hold(
    refs: CardRefs, lookups: Sequence[tuple[str, str, MediaFile | MediaProblem]]
) -> bool:
    """Whether each image lookup an earlier rendering made still gives the same answer."""
    if refs.resolve_image is None:
        return not lookups
    resolve = refs.resolve_image
    return all(resolve(page, src) == found for page, src, found in lookups)


def stamp_lines(tokens: Sequence[Token]) -> None:
    """Give image and link tokens inside inline tokens the line of their block."""
    for token in tokens:
        if token.type != "inline" or not token.map or not token.children:
            continue
        # Local images and links need "[" or raw HTML; bare URLs are never local. Icons ":".
        if "[" in token.content or "<" in token.content or ":" in token.content:
            for child in token.children:
                if child.type in ("image", "link_open", "icon"):
                    child.meta["line"] = token.map[0] + 1
