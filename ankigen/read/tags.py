"""A page's Anki tags: its front matter ``tags`` and the folder ``.meta.yml`` files above it.

What the site does (mkdocs-material 9.x, the same in Zensical):

- the tags plugin reads the front matter key ``tags`` (``tags_name_property``): a list whose
  items are strings, numbers or booleans (each made a string), a set (repeats count once);
  with ``tags_hierarchy`` a tag ``a/b`` (``tags_hierarchy_separator``) is ``b`` under ``a``;
- the meta plugin (only when the site lists it) reads every ``.meta.yml`` (``meta_file``) of
  the docs folder and merges each into the metadata of every page whose docs path starts
  with the meta file's folder (a plain string prefix, as the plugin tests it), parents
  before children, the page's own front matter last; lists are joined, so a page has the
  tags of its folders and its own.

What Anki needs: no spaces in a tag (a space separates two), ``::`` for a hierarchy, and one
spelling per tag (it matches tags ignoring case and keeps the first spelling it saw). So a
tag is lower-cased, each run of white space becomes ``_``, empty ``::`` parts are dropped,
and the configured prefix, when there is one, is its parent: ``prefix::tag``.

Where the site would refuse a value (not a list, an item that is a mapping, a list in one
file and a string in another), the build warns at ``path:line`` and leaves that value out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ankigen.errors import Diagnostic, Severity, shown_path

__all__ = [
    "MetaFile",
    "TagOptions",
    "front_matter_lines",
    "normalize_tag",
    "page_tags",
    "read_meta_files",
]

_SPACE = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class TagOptions:
    """How a site names and splits tags (its tags and meta plugin settings)."""

    name: str = "tags"  # the front matter key (tags plugin: tags_name_property)
    hierarchy: bool = False  # tags plugin: tags_hierarchy
    separator: str = "/"  # tags plugin: tags_hierarchy_separator
    meta_file: str | None = None  # meta plugin's file name when the site enables it
    prefix: str = ""  # ankigen's tag_prefix: the parent of every page tag


@dataclass(frozen=True)
class MetaFile:
    """One folder metadata file: its docs-relative path and what it says."""

    rel: str  # docs-relative POSIX path, e.g. "vision/.meta.yml"
    shown: str  # how diagnostics name it
    data: Mapping[str, object]
    lines: Mapping[str, int]  # top-level key -> its line


def normalize_tag(raw: str, prefix: str = "") -> str:
    """``raw`` as an Anki tag ("" when nothing is left of it)."""
    parts = [_SPACE.sub("_", p.strip()).lower() for p in raw.split("::")]
    kept = [p for p in parts if p]
    head = [p for p in normalize_tag(prefix).split("::") if p] if prefix else []
    return "::".join([*head, *kept]) if kept else ""


def read_meta_files(
    root: Path, name: str, cwd: Path | None = None
) -> tuple[list[MetaFile], list[Diagnostic]]:
    """Every ``name`` file under ``root`` (hidden folders skipped, as pages are), parents first.

    A file that is not a YAML mapping is an error, as it stops the site's build.
    """
    import yaml  # noqa: PLC0415 - only for sites that use folder metadata

    found = sorted(
        (
            p
            for p in root.rglob(name)
            if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(root).parent.parts)
        ),
        key=lambda p: p.relative_to(root).parent.parts,
    )
    files: list[MetaFile] = []
    problems: list[Diagnostic] = []
    for path in found:
        where = shown_path(path, cwd)
        try:
            text = path.read_text(encoding="utf-8-sig")
            data = yaml.safe_load(text)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Diagnostic(where, f"cannot read folder metadata: {exc}"))
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problems.append(
                Diagnostic(
                    where,
                    f"invalid YAML in folder metadata: {getattr(exc, 'problem', None) or exc}",
                    hint="the site's meta plugin stops the build on this file too",
                    line=mark.line + 1 if mark is not None else None,
                    col=mark.column + 1 if mark is not None else None,
                )
            )
            continue
        if data is None:
            data = {}
        if not isinstance(data, dict):
            problems.append(
                Diagnostic(
                    where,
                    "folder metadata must be a mapping of keys, e.g. `tags: [vision]`",
                    line=1,
                )
            )
            continue
        files.append(
            MetaFile(
                path.relative_to(root).as_posix(),
                where,
                {str(k): v for k, v in data.items()},
                _key_lines(text),
            )
        )
    return files, problems


def _key_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.match(r"([^\s:#][^:]*?)\s*:", line)
        if match:
            lines.setdefault(match.group(1).strip("'\""), number)
    return lines


def page_tags(  # noqa: PLR0917 - a page and where its values come from
    rel: str,
    meta: Mapping[str, object],
    meta_lines: Mapping[str, int],
    shown: str,
    meta_files: Sequence[MetaFile],
    options: TagOptions,
) -> tuple[tuple[str, ...], list[Diagnostic]]:
    """The page's Anki tags, sorted, and a warning for each value the site would refuse.

    ``meta``: the page's front matter; ``meta_lines``: the line of each of its keys.
    """
    key = options.name
    problems: list[Diagnostic] = []
    sources: list[tuple[object, str, int | None]] = []
    for file in meta_files:
        folder = str(PurePosixPath(file.rel).parent)
        if rel.startswith("" if folder == "." else folder) and key in file.data:
            sources.append((file.data[key], file.shown, file.lines.get(key)))
    if key in meta:
        sources.append((meta[key], shown, meta_lines.get(key)))
    raw: list[str] = []
    for value, where, line in sources:
        raw.extend(_items(value, key, where, line, problems))
    tags: set[str] = set()
    for name in raw:
        split = options.hierarchy and options.separator
        tag = normalize_tag(
            "::".join(name.split(options.separator)) if split else name, options.prefix
        )
        if tag:
            tags.add(tag)
    return tuple(sorted(tags)), problems


def _items(
    value: object, key: str, where: str, line: int | None, problems: list[Diagnostic]
) -> list[str]:
    if value is None:  # `tags:` with nothing after it: no tags
        return []
    if not isinstance(value, list):
        problems.append(
            _warn(
                where,
                line,
                f"`{key}` must be a list; the site refuses {type(value).__name__} "
                f"{_short(value)}: no tags taken from it",
                f"write it as a list, e.g. `{key}: [{_short(value)}]`",
            )
        )
        return []
    items: list[str] = []
    for item in value:
        if isinstance(item, str | int | float | bool):
            items.append(str(item))
        else:
            problems.append(
                _warn(
                    where,
                    line,
                    f"a tag must be a word or number, not a {type(item).__name__}: "
                    f"{_short(item)} is left out",
                    "write each tag as a plain string in the list",
                )
            )
    return items


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _warn(where: str, line: int | None, message: str, hint: str) -> Diagnostic:
    return Diagnostic(where, message, hint=hint, line=line, severity=Severity.WARNING)


def front_matter_lines(text: str, keys: Iterable[str]) -> dict[str, int]:
    """The line of each of ``keys`` at the start of a line in the page's front matter."""
    wanted = set(keys)
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()[:200], 1):
        if number > 1 and re.match(r"(?:-{3}|\.{3})[ \t]*$", line):
            break
        match = re.match(r"([^\s:#][^:]*?)\s*:", line)
        if match and match.group(1) in wanted:
            lines.setdefault(match.group(1), number)
    return lines
