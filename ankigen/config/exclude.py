"""mkdocs' ``exclude_docs`` (and ``draft_docs``): .gitignore-style patterns over the docs folder.

mkdocs reads them with pathspec's ``GitIgnoreSpec`` and always adds ``.*`` and ``/templates/``;
a page they match is not part of the published site, so it makes no cards. The patterns
follow git: ``#`` comments, ``!`` re-includes, a trailing ``/`` matches folders only, a
pattern holding a ``/`` (other than a trailing one) is anchored at the docs folder, ``*`` and
``?`` stay within one path segment, ``**`` crosses them; the last matching pattern decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DEFAULT_EXCLUDES", "Exclusion"]

DEFAULT_EXCLUDES = (".*", "/templates/")


def _glob(body: str) -> str:
    """A gitignore glob (no leading or trailing slash) as a regex body."""
    out: list[str] = []
    i = 0
    segments_start = True
    while i < len(body):
        ch = body[i]
        whole_segment = i + 2 == len(body) or body[i + 2 : i + 3] == "/"
        if segments_start and body.startswith("**", i) and whole_segment:
            if i + 2 == len(body):
                out.append(".*")
                i += 2
            else:
                out.append("(?:.*/)?")
                i += 3
            continue
        segments_start = False
        if ch == "\\" and i + 1 < len(body):
            out.append(re.escape(body[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = body.find("]", i + 2)
            if end < 0:
                out.append(re.escape(ch))
            else:
                inner = body[i + 1 : end]
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append("[" + inner.replace("\\", "\\\\") + "]")
                i = end + 1
                continue
        elif ch == "/":
            out.append("/")
            segments_start = True
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _rule(line: str) -> tuple[re.Pattern[str], bool] | None:
    """(regex over a docs-relative POSIX path, whether it re-includes), or None."""
    text = line.rstrip("\r\n")
    # Trailing spaces are dropped unless escaped.
    while text.endswith(" ") and not text.endswith("\\ "):
        text = text[:-1]
    if not text or text.startswith("#"):
        return None
    negate = text.startswith("!")
    if negate:
        text = text[1:]
    folder_only = text.endswith("/")
    text = text.rstrip("/")
    if not text:
        return None
    anchored = "/" in text
    text = text.lstrip("/")
    body = _glob(text)
    head = "" if anchored else "(?:.*/)?"
    tail = "(?P<inside>/.*)" if folder_only else "(?P<inside>/.*)?"
    return re.compile(f"^{head}{body}{tail}$", re.DOTALL), negate


@dataclass(frozen=True)
class Exclusion:
    """The patterns of ``exclude_docs``/``draft_docs`` after mkdocs' own defaults."""

    rules: tuple[tuple[re.Pattern[str], bool], ...]

    @classmethod
    def of(cls, *texts: str) -> Exclusion:
        lines = [*DEFAULT_EXCLUDES]
        for text in texts:
            lines.extend(text.splitlines())
        return cls(tuple(rule for line in lines if (rule := _rule(line)) is not None))

    def excludes(self, rel: str) -> bool:
        """Whether the docs-relative POSIX path ``rel`` is left out of the site.

        As ``GitIgnoreSpec``: the last pattern naming the file itself decides; only when none
        does, the last pattern naming a folder around it."""
        by_folder: bool | None = None
        for pattern, negate in reversed(self.rules):
            m = pattern.match(rel)
            if m is None:
                continue
            if m.group("inside") is None:
                return not negate
            if by_folder is None:
                by_folder = not negate
        return bool(by_folder)
