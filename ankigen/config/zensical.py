"""Read a site's ``zensical.toml`` (Zensical, the successor of mkdocs-material) into a Site.

Zensical's format is mkdocs.yml's settings written in TOML, under a ``[project]`` table (a
file without one is read from its top level): ``site_name``, ``site_url``, ``docs_dir``,
``use_directory_urls``, ``nav`` (the same shapes: ``"page.md"``, ``{"Title" = "page.md"}``,
``{"Section" = [ ... ]}``), ``markdown_extensions``, ``plugins``, ``theme``, ``extra``.
What follows Zensical 0.1 (``zensical/config.py``):

- ``markdown_extensions`` is a table of tables (``[project.markdown_extensions.admonition]``)
  or a list as in mkdocs.yml. TOML reads ``[project.markdown_extensions.pymdownx.tabbed]`` as
  a table ``pymdownx`` holding ``tabbed``: those (and ``pymdownx.blocks.*``, ``zensical.*``)
  are lifted back to their dotted names, as Zensical does;
- a file that does not set ``markdown_extensions`` at all gets Zensical's defaults
  (:data:`DEFAULT_EXTENSIONS`); ``toc`` and ``tables`` are always on before the list, and
  ``pymdownx.superfences`` after it when the list does not name it;
- ``docs_dir`` (default ``docs``) may be the config file's own folder.

The settings are then checked as mkdocs checks them (``config/mkdocs``); a problem names
``zensical.toml`` at the line of its key. Nothing is imported or run.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ankigen.config.site import PyName, Site
from ankigen.errors import AnkigenError, Diagnostic

__all__ = ["DEFAULT_EXTENSIONS", "ZENSICAL_BUILTINS", "load_zensical"]

# Zensical's DEFAULT_MARKDOWN_EXTENSIONS: what a site gets when it lists none.
DEFAULT_EXTENSIONS: tuple[tuple[str, Mapping[str, object]], ...] = (
    ("abbr", {}),
    ("admonition", {}),
    ("attr_list", {}),
    ("def_list", {}),
    ("footnotes", {}),
    ("md_in_html", {}),
    ("toc", {"permalink": True}),
    ("pymdownx.arithmatex", {"generic": True}),
    ("pymdownx.betterem", {}),
    ("pymdownx.caret", {}),
    ("pymdownx.details", {}),
    (
        "pymdownx.emoji",
        {
            "emoji_generator": PyName("zensical.extensions.emoji.to_svg"),
            "emoji_index": PyName("zensical.extensions.emoji.twemoji"),
        },
    ),
    (
        "pymdownx.highlight",
        {"anchor_linenums": True, "line_spans": "__span", "pygments_lang_class": True},
    ),
    ("pymdownx.inlinehilite", {}),
    ("pymdownx.keys", {}),
    ("pymdownx.magiclink", {}),
    ("pymdownx.mark", {}),
    ("pymdownx.smartsymbols", {}),
    ("pymdownx.superfences", {"custom_fences": [{"name": "mermaid", "class": "mermaid"}]}),
    ("pymdownx.tabbed", {"alternate_style": True, "combine_header_slug": True}),
    ("pymdownx.tasklist", {"custom_checkbox": True}),
    ("pymdownx.tilde", {}),
)
ZENSICAL_BUILTINS = ("toc", "tables")  # always on, before the site's list
_LAST = "pymdownx.superfences"  # always on, after the site's list unless it names it
_KEY_LINE = re.compile(r"^\s*(?:\[+\s*(?:project\.)?([\w-]+)|([\w-]+)\s*=)")


def load_zensical(path: Path) -> Site:
    """The site ``path`` (a ``zensical.toml``) describes; :class:`AnkigenError` if it cannot
    be read or its settings are wrong (all of them reported together)."""
    shown = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise AnkigenError(
            Diagnostic(shown, f"cannot read Zensical config: {exc.strerror or exc}")
        ) from exc
    except UnicodeDecodeError as exc:
        raise AnkigenError(
            Diagnostic(shown, "zensical.toml is not valid UTF-8", hint="save it as UTF-8")
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"at line (\d+), column (\d+)", str(exc))
        raise AnkigenError(
            Diagnostic(
                shown,
                f"invalid TOML: {str(exc).split(' (at ')[0]}",
                hint="check the quoting and brackets on that line",
                line=int(where.group(1)) if where else None,
                col=int(where.group(2)) if where else None,
            )
        ) from exc
    table = data.get("project", data)
    if not isinstance(table, dict):
        raise AnkigenError(Diagnostic(shown, "[project] must be a table of settings"))
    raw: dict[object, object] = dict(table)
    lines = _key_lines(text)
    if "site_name" not in raw:
        raise AnkigenError(
            Diagnostic(
                shown,
                "site_name is missing; Zensical requires it",
                hint='add a line such as `site_name = "My Notes"` under [project]',
            )
        )
    if "markdown_extensions" in raw:
        raw["markdown_extensions"] = _lift(raw["markdown_extensions"])
        listed = raw["markdown_extensions"]
    else:
        listed = dict(DEFAULT_EXTENSIONS)
        raw["markdown_extensions"] = listed
    names = _names(listed)
    if _LAST not in names and isinstance(listed, dict | list):
        raw["markdown_extensions"] = (
            {**listed, _LAST: {}} if isinstance(listed, dict) else [*listed, _LAST]
        )
    from ankigen.config.mkdocs import site_from_settings  # noqa: PLC0415 - YAML-free here

    try:
        site = site_from_settings(path, raw, lines, root_docs=True)
    except AnkigenError as exc:
        raise AnkigenError(_retold(d) for d in exc.diagnostics) from exc
    builtins = tuple(name for name in ZENSICAL_BUILTINS if name not in names)
    return replace(site, builtin_extensions=builtins)


def _lift(value: object) -> object:
    """``{"pymdownx": {"tabbed": {...}}}`` as ``{"pymdownx.tabbed": {...}}`` (also
    ``pymdownx.blocks.*`` and ``zensical.*``): what TOML's dotted table names mean here."""
    if not isinstance(value, dict):
        return value
    out: dict[object, object] = {}
    for name, config in value.items():
        if name in ("pymdownx", "zensical") and isinstance(config, dict):
            for ext, sub in config.items():
                if ext in ("blocks", "extensions") and isinstance(sub, dict):
                    for block, block_config in sub.items():
                        out[f"{name}.{ext}.{block}"] = block_config
                else:
                    out[f"{name}.{ext}"] = sub
        else:
            out[name] = config
    return out


def _names(listed: object) -> set[str]:
    if isinstance(listed, dict):
        return {str(name) for name in listed}
    if isinstance(listed, list):
        return {
            str(next(iter(item))) if isinstance(item, dict) and len(item) == 1 else str(item)
            for item in listed
        }
    return set()


def _key_lines(text: str) -> dict[str, int]:
    """The line where each top-level setting is first written (``key =`` or ``[project.key``).
    TOML readers give values no positions: this is what diagnostics point at."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _KEY_LINE.match(line)
        if match:
            key = match.group(1) or match.group(2)
            if key != "project":
                lines.setdefault(key, number)
    return lines


def _retold(diag: Diagnostic) -> Diagnostic:
    """An mkdocs diagnostic in Zensical's terms (its file name, TOML's syntax)."""
    hint = diag.hint.replace("mkdocs.yml", "zensical.toml")
    hint = hint.replace("`- admonition`", '`"admonition"` in a list, or a table per extension')
    message = diag.message.replace("mkdocs.yml", "zensical.toml")
    return replace(diag, message=message, hint=hint)
