"""``pymdownx.snippets``: ``--8<--`` lines replaced by other files' text, before parsing.

Follows the extension's preprocessor: a line ``--8<-- "file.md"`` (quotes required, any
indentation, applied to every included line), a block of file names between two ``--8<--``
lines, ``;`` to escape a marker or comment out a block line, ``file.md:3:5`` line ranges (several,
``file.md:1:2,5:``) and ``file.md:name`` sections marked by ``--8<-- [start:name]`` /
``--8<-- [end:name]`` (those marker lines never show). Included files are expanded in turn; a
file already being included is skipped. Differences on purpose: only files inside the site are
read (the reference would read anywhere), URLs are never fetched, a missing file is a warning
(an error with ``check_paths: true``) rather than silently dropped, and a file's final newline
adds no empty line (pymdown-extensions 13 adds one; 10.x did not).

The expanded text has more or fewer lines than the page, so expansion also records a
:class:`LineMap`: for every expanded line, the file it came from and its line there. Problems
found in the expanded text are located with it; a problem with a ``--8<--`` line itself names
the file that holds that line.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from ankigen.errors import Diagnostic, Severity, shown_path

__all__ = [
    "LineMap",
    "Segment",
    "SnippetOptions",
    "expand_snippets",
    "expand_snippets_mapped",
]

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
_SECTION_CHAR = re.compile(r"(?i)[-_0-9a-z]")
_LETTER = re.compile(r"(?i)[a-z]")
MAX_DEPTH = 20


@dataclass(frozen=True)
class SnippetOptions:
    base_paths: tuple[Path, ...]  # absolute; where relative snippet paths are looked up
    root: Path  # nothing outside this folder is read
    check_paths: bool = False


Reader = Callable[[Path], str | None]


@dataclass(frozen=True)
class Segment:
    """A run of expanded lines that are consecutive lines of one file.

    Expanded line ``start + k`` is line ``line + k`` of ``path``, with ``shift`` columns added
    in front (the indentation of the ``--8<--`` lines that included it), and without the
    escaping ``;`` that stood at column ``escape`` of the file's line (0: none). ``anchor`` is
    the page line of the ``--8<--`` line that brought the run in; 0 for the page's own lines.
    """

    start: int
    path: str
    line: int
    shift: int = 0
    anchor: int = 0
    escape: int = 0


@dataclass(frozen=True)
class LineMap:
    """Where each line of an expanded page came from (all numbers 1-based).

    ``segments`` cover expanded lines ``1..lines`` in order, without gaps.
    """

    page: str  # the page as messages name it
    lines: int  # how many lines the expanded text has
    segments: tuple[Segment, ...]

    @classmethod
    def identity(cls, page: str, text: str) -> LineMap:
        """The map of a text that expansion left as it was."""
        return cls(page, text.count("\n") + 1, (Segment(1, page, 1),))

    @property
    def is_identity(self) -> bool:
        """Every line is the page's own line of the same number (nothing was expanded)."""
        return self.segments == (Segment(1, self.page, 1),)

    @cached_property
    def _starts(self) -> tuple[int, ...]:
        return tuple(segment.start for segment in self.segments)

    def _segment(self, line: int) -> Segment | None:
        if line < 1 or not self.segments:
            return None
        return self.segments[bisect.bisect_right(self._starts, line) - 1]

    def locate(self, line: int) -> tuple[str, int]:
        """(file as shown, line in that file) of expanded line ``line``.

        Lines past the end count on from the last line; lines before the first stay as given.
        """
        segment = self._segment(line)
        if segment is None:
            return self.page, line
        return segment.path, segment.line + line - segment.start

    def column(self, line: int, col: int) -> int:
        """Column ``col`` of expanded line ``line`` as a column of its file's line."""
        segment = self._segment(line)
        if segment is None:
            return col
        col -= segment.shift
        if segment.escape and col >= segment.escape:
            col += 1
        return max(col, 1)

    def page_line(self, line: int) -> int:
        """The page's line for expanded line ``line``: for included text, the ``--8<--`` line.

        A card's page is its identity, so its line should be a line of that page too.
        """
        segment = self._segment(line)
        if segment is None or not segment.anchor:
            return self.locate(line)[1]
        return segment.anchor

    def relocate(self, diag: Diagnostic) -> Diagnostic:
        """``diag``, found in the expanded text, at the file, line and column it came from."""
        if diag.line is None:
            return replace(diag, path=self.page)
        path, line = self.locate(diag.line)
        col = self.column(diag.line, diag.col) if diag.col is not None else None
        return replace(diag, path=path, line=line, col=col)


def expand_snippets(
    text: str, page: str, options: SnippetOptions, read: Reader
) -> tuple[str, list[Diagnostic]]:
    expanded, problems, _ = expand_snippets_mapped(text, page, options, read)
    return expanded, problems


def expand_snippets_mapped(
    text: str, page: str, options: SnippetOptions, read: Reader
) -> tuple[str, list[Diagnostic], LineMap]:
    """The expanded text, the problems with ``--8<--`` lines, and where each line came from.

    ``page`` is the page as messages name it; included files are named by :func:`shown_path`.
    """
    if "8<-" not in text:  # nothing to expand: the usual page
        return text, [], LineMap.identity(page, text)
    expander = _Expander(page, options, read)
    numbered = [(number, line, 0) for number, line in enumerate(text.split("\n"), start=1)]
    out, origins = expander.expand(numbered, 0, seen=(), section=False)
    expanded = "\n".join(out)
    lines = LineMap(page, expanded.count("\n") + 1, _segments(origins, expander.names))
    return expanded, expander.problems, lines


# A line to expand: (its line number in its file, its text, column of a removed `;` or 0).
_Numbered = tuple[int, str, int]
# Where an expanded line came from: (file index, line in that file, columns added in front,
# page line of the `--8<--` line that included it or 0, column of a removed `;` or 0).
_Origin = tuple[int, int, int, int, int]


def _segments(origins: Sequence[_Origin], names: Sequence[str]) -> tuple[Segment, ...]:
    segments: list[Segment] = []
    previous: _Origin | None = None
    for number, origin in enumerate(origins, start=1):
        file, line, shift, anchor, escape = origin
        if (
            previous is None
            or previous[0] != file
            or previous[1] + 1 != line
            or previous[2:] != origin[2:]
        ):
            segments.append(Segment(number, names[file], line, shift, anchor, escape))
        previous = origin
    if not segments:  # everything expanded to nothing: one empty line, the page's first
        segments.append(Segment(1, names[0], 1))
    return tuple(segments)


def _find(path: str, options: SnippetOptions) -> Path | None:
    for base in options.base_paths:
        if base.is_file():  # a file listed as a base path: that file, named as in its folder
            candidate = (base.parent / path).resolve()
            if candidate.is_file() and candidate == base.resolve():
                return candidate
            continue
        candidate = (base / path).resolve()
        if candidate.is_file():
            return candidate
    return None


def _split_target(raw: str) -> tuple[str, str | None, str | None]:
    """``file.md:1:3,5``, ``file.md:name``: (path, ranges, section), as upstream splits them.

    The path ends at the first ``:`` that starts a valid specifier running to the end. Linear
    time: which positions start a valid ``,N`` / ``,N:M`` tail is worked out once, backwards.
    """
    if ":" not in raw:
        return raw, None, None
    size = len(raw)
    digits = [size] * (size + 1)  # where the run of digits starting at each index ends
    for i in range(size - 1, -1, -1):
        digits[i] = digits[i + 1] if "0" <= raw[i] <= "9" else i

    def number_end(i: int) -> int:  # the end of `-?[0-9]*` starting at i
        return digits[i + 1] if i < size and raw[i] == "-" else digits[i]

    tail = [False] * (size + 1)  # is everything from here a series of `,N` / `,N:M`?
    tail[size] = True
    for i in range(size - 1, -1, -1):
        if raw[i] == "," and i + 1 < size and raw[i + 1] in "-0123456789:":
            j = number_end(i + 1)
            if j < size and raw[j] == ":":
                j = number_end(j + 1)
            tail[i] = tail[j]
    name = size  # where the run of section-name characters at the end starts
    while name > 0 and _SECTION_CHAR.fullmatch(raw[name - 1]):
        name -= 1
    colon = raw.find(":")
    while colon != -1:
        end = number_end(colon + 1)
        if end < size and raw[end] == ":":
            end = number_end(end + 1)
        if tail[end]:
            return raw[:colon], raw[colon:], None
        if name <= colon + 1 < size and _LETTER.fullmatch(raw[colon + 1]):
            return raw[:colon], None, raw[colon + 1 :]
        colon = raw.find(":", colon + 1)
    return raw, None, None


def _ranges(spec: str, total: int) -> list[slice]:
    """``:1:3,5:`` as slices of a file of ``total`` lines, the way upstream reads them."""
    slices: list[slice] = []
    for nums in spec[1:].split(","):
        span = nums.split(":")
        first = int(span[0]) if span[0] else None
        start = first if first is None or first < 0 else max(0, first - 1)
        end = int(span[1]) if len(span) > 1 and span[1] else None
        if start is not None and start < 0:
            start = min(max(total + start, 0), total)
        if end is not None and end < 0:
            end = min(max(total + 1 + end, 0), total)
        slices.append(slice(start, end))
    return slices


def _select(lines: list[str], ranges: str | None, section: str | None) -> list[_Numbered]:
    """The chosen lines of an included file, numbered, the way upstream chooses them."""
    numbered = [(number, line, 0) for number, line in enumerate(lines, start=1)]
    if ranges is not None and lines:
        return [line for part in _ranges(ranges, len(lines)) for line in numbered[part]]
    if section is None:
        return numbered
    out: list[_Numbered] = []
    inside = False
    for number, line, _ in numbered:
        found = _SECTION.match(line) if "8<-" in line else None
        if found is not None and found.group("escape"):  # kept, with one `;` fewer
            if inside:
                out.append((number, *_unescape(line, found.start("escape"))))
            continue
        if found is not None and found.group("name") == section:
            kind = found.group("type")
            if kind == "start" and not inside:
                inside = True
                continue
            if kind == "start":
                continue  # a repeated start
            break  # the end, or an end (or `START`) before any start
        if inside and found is None:
            out.append((number, line, 0))
    return out


def _unescape(line: str, at: int) -> tuple[str, int]:
    """``line`` without the escaping ``;`` at index ``at``, and that ``;``'s column."""
    return line[:at] + line[at + 1 :], at + 1


class _Expander:
    def __init__(self, page: str, options: SnippetOptions, read: Reader) -> None:
        self.options = options
        self.read = read
        self.problems: list[Diagnostic] = []
        self.names: list[str] = [page]  # files as shown, by index; 0 is the page
        self.index: dict[Path, int] = {}

    def expand(
        self, lines: Sequence[_Numbered], file: int, seen: tuple[Path, ...], section: bool
    ) -> tuple[list[str], list[_Origin]]:
        """Expand ``lines`` of file ``file``: the new lines and where each came from.

        The anchors are only right for the page (file 0); the caller sets them.
        """
        out: list[str] = []
        origins: list[_Origin] = []
        block = False
        for number, line, escaped in lines:
            marker = _MARKER.match(line) if "8<-" in line else None
            if marker is not None and marker.group("escape"):
                text, escape = _unescape(line, marker.start("escape"))
                out.append(text)
                origins.append((file, number, 0, 0, escape))
                continue
            if marker is not None and marker.group("block"):
                block = not block
                continue
            if marker is None and not block:
                sect = _SECTION.match(line) if not section and "8<-" in line else None
                if sect is not None and sect.group("escape"):
                    text, escape = _unescape(line, sect.start("escape"))
                    out.append(text)
                    origins.append((file, number, 0, 0, escape))
                elif sect is None:
                    out.append(line)
                    origins.append((file, number, 0, 0, escaped))
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
                    origins.append((file, number, 0, 0, 0))
                    continue
            if raw.startswith(";"):
                continue
            indent = space.expandtabs(4)
            pieces, where = self.include(raw, file, number, seen)
            out.extend(indent + piece if piece else piece for piece in pieces)
            anchor = number if file == 0 else 0
            origins.extend(
                (inner, at, shift + len(indent), anchor or outer, escape)
                for inner, at, shift, outer, escape in where
            )
        return out, origins

    def _name(self, found: Path) -> int:
        if found not in self.index:
            self.index[found] = len(self.names)
            self.names.append(shown_path(found))
        return self.index[found]

    def _problem(
        self,
        file: int,
        number: int,
        message: str,
        hint: str,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.problems.append(Diagnostic(self.names[file], message, hint, number, None, severity))

    def include(
        self, raw: str, file: int, number: int, seen: tuple[Path, ...]
    ) -> tuple[list[str], list[_Origin]]:
        """What ``raw``, named on line ``number`` of file ``file``, expands to."""
        options = self.options
        path, ranges, section = _split_target(raw)
        path = path.strip()
        if path.lower().startswith(("http://", "https://")):
            self._problem(
                file,
                number,
                f"snippet {path!r} is a URL; ankigen never downloads",
                hint="copy the text into a file inside the site",
                severity=Severity.WARNING,
            )
            return [], []
        found = _find(path, options) if path else None
        if found is not None and not found.is_relative_to(options.root):
            self._problem(
                file,
                number,
                f"snippet {path!r} lies outside the site: not read",
                hint=f"keep snippets under {options.root}",
            )
            return [], []
        if found is None:
            self._problem(
                file,
                number,
                f"snippet {path!r} not found",
                hint="check base_path of pymdownx.snippets in mkdocs.yml",
                severity=Severity.ERROR if options.check_paths else Severity.WARNING,
            )
            return [], []
        if found in seen or len(seen) >= MAX_DEPTH:
            return [], []
        text = self.read(found)
        if text is None:
            self._problem(file, number, f"snippet {path!r} cannot be read", hint="")
            return [], []
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        chosen = _select(lines, ranges, section)
        return self.expand(chosen, self._name(found), (*seen, found), section is not None)
