"""``pymdownx.emoji``: ``:smile:`` -> the Unicode character itself (cards work offline: no
image, no CDN), from pymdown-extensions' own emoji indexes.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markdown_it.rules_inline import StateInline

from ankigen.errors import Diagnostic, Severity
from ankigen.syntax._inline import (
    PLACEHOLDER,
    Options,
    option,
)
from ankigen.syntax.refs import ENV_KEY, CardRefs

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict


__all__ = ["emoji_char", "emoji_plugin"]

_SHORTCODE = re.compile(r":[+\-\w]+:")


@lru_cache(maxsize=4)
def _emoji_index(name: str) -> tuple[Mapping[str, Mapping[str, str]], Mapping[str, str]]:
    module = {"gemoji": "gemoji_db", "twemoji": "twemoji_db"}.get(name, "emoji1_db")
    db: Any = importlib.import_module(f"pymdownx.{module}")  # loaded once, on first use
    return db.emoji, db.aliases


def _index_name(configured: object) -> str:
    """emojione when nothing is configured (pymdownx's default); gemoji or emojione when the
    configured index says so; any other index (mkdocs-material's, twemoji, custom) twemoji."""
    if configured is None:
        return "emojione"
    text = str(configured).lower()
    for name in ("gemoji", "emojione"):
        if name in text:
            return name
    return "twemoji"


def emoji_char(
    shortcode: str, index: str = "emojione", remove_variation_selector: bool = False
) -> str | None:
    """The Unicode text of ``:shortcode:`` in an index, or None when it has none."""
    emoji, aliases = _emoji_index(index)
    entry = emoji.get(aliases.get(shortcode, shortcode))
    if entry is None:
        return None
    points = entry.get("unicode_alt", entry.get("unicode"))
    if not points:
        return None
    if remove_variation_selector:
        points = points.replace("-fe0f", "")
    return "".join(chr(int(point, 16)) for point in points.split("-"))


def emoji_plugin(md: MarkdownIt, options: Options) -> None:
    """``pymdownx.emoji``: ``:shortcode:`` -> its Unicode character; unknown codes stay text.

    Whatever image generator the site configures, the card shows the character itself.
    """
    index = _index_name(options.get("emoji_index"))
    remove_vs = option(options, "remove_variation_selector", False)
    from ankigen.syntax.icons import wants_icon  # noqa: PLC0415 - only sites with emoji

    icons = wants_icon(options.get("emoji_index"))
    nested = options.get("options")
    custom = nested.get("custom_icons", []) if isinstance(nested, Mapping) else []
    custom_icons = tuple(str(c) for c in custom) if isinstance(custom, list | tuple) else ()

    def rule(state: StateInline, silent: bool) -> bool:
        m = _SHORTCODE.match(state.src, state.pos, state.posMax)
        if m is None:
            return False
        if not silent:
            char = emoji_char(m.group(0), index, remove_vs)
            if char is None and icons:
                token = state.push("icon", "", 0)
                token.content = m.group(0)
                token.meta = {"custom_icons": custom_icons}
                state.pos = m.end()
                return True
            token = state.push("text", "", 0)
            # Python-Markdown consumes an unknown code too: no emoji starts inside it.
            token.content = m.group(0) if char is None else char
            token.meta = {PLACEHOLDER: True}
        state.pos = m.end()
        return True

    md.inline.ruler.before("emphasis", "pymdownx_emoji", rule)
    md.add_render_rule("icon", _render_icon)


def _render_icon(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """mkdocs-material's icon: its SVG in ``<span class="twemoji">``, as the site shows it;
    nothing (and a warning at its line) where the icon is not installed."""
    from ankigen.syntax.icons import MATERIAL_SETS, icon_svg, material_icons  # noqa: PLC0415

    token = tokens[idx]
    refs = env.get(ENV_KEY)
    base = refs.site_dir if isinstance(refs, CardRefs) else None
    custom = tuple(
        (base / folder if base is not None else Path(folder))
        for folder in token.meta["custom_icons"]
    )
    theme = material_icons()
    folders = (*custom, theme) if theme is not None else custom
    svg = icon_svg(token.content, folders)
    if svg is not None:
        return f'<span class="twemoji">{svg}</span>'
    if isinstance(refs, CardRefs):
        line = token.meta.get("line")
        if theme is None and token.content[1:].startswith(MATERIAL_SETS):
            message = f"icon {token.content} needs mkdocs-material's icons: not shown"
            hint = "install mkdocs-material where ankigen runs (pip install mkdocs-material)"
        else:
            message = f"icon {token.content} not found: not shown"
            hint = "check its name; custom icons come from the custom_icons folders of mkdocs.yml"
        refs.problems.append(
            Diagnostic(
                refs.page,
                message,
                hint,
                line=line if isinstance(line, int) else None,
                severity=Severity.WARNING,
            )
        )
    return ""
