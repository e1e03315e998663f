"""The HTML of the fields that are not rendered Markdown: links list, source, removed note."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from html import escape

from ankigen.read.layout import slugify
from ankigen.records import Link

__all__ = ["links_html", "source_html", "tombstone_source_html"]


def links_html(links: Sequence[Link]) -> str:
    if not links:
        return ""
    items = "".join(
        f'<li><a href="{escape(link.href)}">{escape(link.text)}</a></li>' for link in links
    )
    return f'<ul class="ankigen-links">{items}</ul>'


@lru_cache(maxsize=1024)  # one string per page and section, however many cards share it
def source_html(page: str, heading: str, url: str | None = None) -> str:
    """Where the card comes from: page and section, linked to the site page when known."""
    html = f'<span class="ankigen-page">{escape(page)}</span>'
    if heading:
        html += f' \u203a <span class="ankigen-section">{escape(heading)}</span>'
    if url is not None:
        target = f"{url}#{slugify(heading)}" if heading else url
        html = f'<a href="{escape(target)}">{html}</a>'
    return html


def tombstone_source_html(page: str, question: str) -> str:
    """The Source field of a removed question's note: the only place its text survives."""
    return (
        '<span class="ankigen-removed">Removed from the source:</span> '
        f"{escape(question)} ({source_html(page, '')})"
    )
