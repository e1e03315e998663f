"""``pymdownx.snippets``: ``--8<--`` lines replaced by other files' text, before parsing.

Follows the extension's preprocessor: a line ``--8<-- "file.md"`` (quotes required, any
indentation, applied to every included line), a block of file names between two ``--8<--``
lines, ``;`` to escape a marker or comment out a block line, ``file.md:3:5`` line ranges and
``file.md:name`` sections marked by ``--8<-- [start:name]`` / ``--8<-- [end:name]`` (those
marker lines never show). Included files are expanded in turn; a file already being included
is skipped. Differences on purpose: only files inside the site are read (the reference would
read anywhere), URLs are never fetched, and a missing file is a warning (an error with
``check_paths: true``) rather than silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ankigen.errors import Diagnostic, Severity

__all__ = ["SnippetOptions", "expand_snippets"]

_MARKER = re.compile(
    r"""^(?P<space>[ \t]*)(?P<escape>;*)(?P<all>
        (?P<inline>-+8<-+[ \t]+)(?P<snippet>"(?:\\"|[^"\n])+?"|'(?:\\'|[^'\n])+?')(?![ \t])
        |(?P<block>-+8<-+)(?![ \t]))$""",
    re.VERBOSE,
)
_SECTION = re.compile(
    r"(?i)^(?P<pre>.*?)(?P<escape>;*)-+8<-+[ \t]+\[[ \t]*(?P<type>start|end)[ \t]*:[ \t]*"
    r"(?P<name>[a-z][-_0-9a-z]*)[ \t]*\](?P<post>.*)$"
)
_TARGET = re.compile(
    r"(?i)^(?P<path>.*?)(?::(?P<start>-?\d*)(?::(?P<end>-?\d*))?|:(?P<section>[a-z][-_0-9a-z]*))?$"
)
MAX_DEPTH = 20


@dataclass(frozen=True)
class SnippetOptions:
    base_paths: tuple[Path, ...]  # absolute; where relative snippet paths are looked up
    root: Path  # nothing outside this folder is read
    check_paths: bool = False


Reader = Callable[[Path], str | None]


def expand_snippets(
    text: str, page: str, options: SnippetOptions, read: Reader
) -> tuple[str, list[Diagnostic]]:
    expander = _Expander(page, options, read)
    lines = expander.expand(text.split("\n"), seen=(), section=False)
    return "\n".join(lines), expander.problems


def _find(path: str, options: SnippetOptions) -> Path | None:
    for base in options.base_paths:
        candidate = (base / path).resolve()
        if candidate.is_file():
            return candidate
    return None


def _select(lines: list[str], start: str | None, end: str | None, section: str | None) -> list[str]:
    if section is not None:
        out: list[str] = []
        inside = False
        for line in lines:
            found = _SECTION.match(line) if "8<-" in line else None
            if found is not None and not found.group("escape"):
                if found.group("name").lower() == section.lower():
                    if found.group("type").lower() == "start":
                        inside = True
                        continue
                    if inside:
                        break
                continue
            if inside:
                out.append(line)
        return out
    first = int(start) if start else 1
    last = int(end) if end else len(lines)
    first = max(first, 1) if first > 0 else max(len(lines) + first + 1, 1)
    last = min(last, len(lines)) if last > 0 else len(lines) + last + 1
    return lines[first - 1 : last]


class _Expander:
    def __init__(self, page: str, options: SnippetOptions, read: Reader) -> None:
        self.page = page
        self.options = options
        self.read = read
        self.problems: list[Diagnostic] = []

    def expand(self, lines: Sequence[str], seen: tuple[Path, ...], section: bool) -> list[str]:
        out: list[str] = []
        block = False
        for number, line in enumerate(lines, start=1):
            marker = _MARKER.match(line) if "8<-" in line else None
            if marker is not None and marker.group("escape"):
                out.append(line.replace(";", "", 1))
                continue
            if marker is not None and marker.group("block"):
                block = not block
                continue
            if marker is None and not block:
                sect = _SECTION.match(line) if not section and "8<-" in line else None
                if sect is not None and sect.group("escape"):
                    out.append(line.replace(";", "", 1))
                elif sect is None:
                    out.append(line)
                continue
            if marker is not None and block:
                continue  # an inline marker directly in a block is ignored, as upstream
            if marker is not None:
                space, raw = marker.group("space"), marker.group("snippet")[1:-1].strip()
            else:
                space = line[: len(line) - len(line.lstrip(" \t"))]
                raw = line.strip()
                if not raw:
                    out.append("")
                    continue
            if raw.startswith(";"):
                continue
            out.extend(
                space.expandtabs(4) + piece if piece else piece
                for piece in self.include(raw, number, seen)
            )
        return out

    def include(self, raw: str, number: int, seen: tuple[Path, ...]) -> list[str]:
        page, options, problems = self.page, self.options, self.problems
        target = _TARGET.match(raw)
        assert target is not None  # the pattern matches any string
        path = target.group("path").strip()
        if path.lower().startswith(("http://", "https://")):
            problems.append(
                Diagnostic(
                    page,
                    f"snippet {path!r} is a URL; ankigen never downloads",
                    hint="copy the text into a file inside the site",
                    line=number,
                    severity=Severity.WARNING,
                )
            )
            return []
        found = _find(path, options) if path else None
        if found is not None and not found.is_relative_to(options.root):
            problems.append(
                Diagnostic(
                    page,
                    f"snippet {path!r} lies outside the site: not read",
                    hint=f"keep snippets under {options.root}",
                    line=number,
                )
            )
            return []
        if found is None:
            problems.append(
                Diagnostic(
                    page,
                    f"snippet {path!r} not found",
                    line=number,
                    hint="check base_path of pymdownx.snippets in mkdocs.yml",
                    severity=Severity.ERROR if options.check_paths else Severity.WARNING,
                )
            )
            return []
        if found in seen or len(seen) >= MAX_DEPTH:
            return []
        text = self.read(found)
        if text is None:
            problems.append(Diagnostic(page, f"snippet {path!r} cannot be read", line=number))
            return []
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        chosen = _select(lines, target.group("start"), target.group("end"), target.group("section"))
        section = target.group("section") is not None
        return self.expand(chosen, (*seen, found), section)
