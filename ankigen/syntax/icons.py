"""mkdocs-material's icon shortcodes (``:material-account-circle:``, ``:fontawesome-brands-
github:``, ``:octicons-mark-github-16:``, ``:simple-python:``, a site's own custom icons).

With mkdocs-material's emoji index (``emoji_index: material.extensions.emoji.twemoji``) a
site shows each icon as its SVG, inline in ``<span class="twemoji">``. The SVG files ship with
the ``mkdocs-material`` package (``material/templates/.icons``), which ankigen does not
depend on: where it is installed (found without importing it) and in the site's
``custom_icons`` folders, a card shows the same SVG, cleaned to drawing elements only and
sized to the text; where an icon is not found, the card shows nothing for it and the build
warns at its line. The name of an icon is its path below an icons folder with ``/`` as
``-``, and the first folder holding a name wins (custom folders first), as in the theme.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import nh3

__all__ = ["SVG_ATTRIBUTES", "SVG_TAGS", "icon_svg", "material_icons", "wants_icon"]

# What an icon may draw with: shapes and their presentation attributes, nothing active.
SVG_TAGS = frozenset(
    {"svg", "g", "path", "circle", "ellipse", "line", "polygon", "polyline", "rect", "title"}
)
SVG_ATTRIBUTES: dict[str, set[str]] = {
    "svg": {"xmlns", "viewBox", "viewbox", "class", "aria-hidden"},
    "path": {"d"},
    "circle": {"cx", "cy", "r"},
    "ellipse": {"cx", "cy", "rx", "ry"},
    "line": {"x1", "y1", "x2", "y2"},
    "polygon": {"points"},
    "polyline": {"points"},
    "rect": {"x", "y", "width", "height", "rx", "ry"},
}
_PRESENTATION = {
    "fill", "fill-rule", "fill-opacity", "clip-rule", "opacity", "stroke", "stroke-width",
    "stroke-linecap", "stroke-linejoin", "stroke-opacity", "transform",
}  # fmt: skip
for _tag in SVG_TAGS - {"title", "svg"}:
    SVG_ATTRIBUTES.setdefault(_tag, set()).update(_PRESENTATION)
SVG_ATTRIBUTES["svg"].update(_PRESENTATION)

# The icon sets mkdocs-material ships; any other prefix may be a site's custom set.
MATERIAL_SETS = ("material-", "fontawesome-", "octicons-", "simple-")
_SVG_OPEN = re.compile(r"<svg\b")


def wants_icon(emoji_index: object) -> bool:
    """Whether a site's configured emoji index is mkdocs-material's (the one with icons)."""
    return emoji_index is not None and "material" in str(emoji_index).lower()


@lru_cache(maxsize=1)
def material_icons() -> Path | None:
    """``material/templates/.icons`` of an installed mkdocs-material, found without importing
    the package (nor mkdocs); None when it is not installed."""
    import importlib.util  # noqa: PLC0415 - only when a page shows an icon

    try:
        spec = importlib.util.find_spec("material")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        folder = Path(location) / "templates" / ".icons"
        if folder.is_dir():
            return folder
    return None


@lru_cache(maxsize=16)
def _index(folder: Path) -> dict[str, Path]:
    """Every ``:name:`` an icons folder holds (the theme globs ``**/*.svg`` the same way)."""
    found: dict[str, Path] = {}
    for file in sorted(folder.rglob("*.svg")):
        name = "-".join(file.relative_to(folder).with_suffix("").parts)
        found.setdefault(f":{name}:", file)
    return found


def find_icon(shortcode: str, folders: tuple[Path, ...]) -> Path | None:
    for folder in folders:
        if folder.is_dir():
            path = _index(folder).get(shortcode)
            if path is not None:
                return path
    return None


@lru_cache(maxsize=512)
def _clean_svg(path: Path) -> str | None:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    cleaned = nh3.clean(
        raw, tags=set(SVG_TAGS), attributes=SVG_ATTRIBUTES, strip_comments=True
    ).strip()
    if not cleaned.startswith("<svg"):
        return None
    # The theme sizes icons with its CSS (1.125em, the text's colour); a card has no such CSS.
    # The root's own width and height are not kept (they would repeat these), its fill is.
    root = cleaned[: cleaned.find(">") + 1]
    fill = "" if " fill=" in root else ' fill="currentColor"'
    return _SVG_OPEN.sub(f'<svg width="1.125em" height="1.125em"{fill}', cleaned, 1)


def icon_svg(shortcode: str, folders: tuple[Path, ...]) -> str | None:
    """The cleaned SVG of ``:name:`` from the first folder that has it, or None."""
    path = find_icon(shortcode, folders)
    return _clean_svg(path) if path is not None else None
