"""Warnings for the mistakes authors really make in question boxes.

Each one is something the site shows differently from what the author meant, or that would
silently lose a card: a marker line the site does not read (unclosed title quote), a body
indented too little (the site shows it outside the box), a type that is almost a card type
(a typo makes no card), a marker glued to its type (works on the site, breaks other tools).
A box is a card when any of its classes is a card type, as the site styles it.
Lines inside code blocks are never looked at.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence

from markdown_it.token import Token

from ankigen.config.flavor import DEFAULT_FLAVOR, Flavor
from ankigen.errors import Diagnostic, Severity
from ankigen.syntax.admonition import parse_marker_line
from ankigen.syntax.blocks import (
    BLOCK_EXTENSIONS,
    BlocksHeader,
    parse_start_line,
    read_options,
    registry_for,
)
from ankigen.syntax.callouts import CalloutHeader, parse_callout_line

__all__ = ["code_lines", "lint_page"]

_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>\?\?\?\+?|!!!)(?P<rest>.*)$")
_TYPE = re.compile(r"[ ]?(?P<type>[\w\-]+)")


def code_lines(tokens: Iterable[Token]) -> set[int]:
    """0-based lines that belong to fenced or indented code."""
    found: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            found.update(range(token.map[0], token.map[1]))
    return found


def _warn(page: str, line: int, col: int, message: str, hint: str) -> Diagnostic:
    return Diagnostic(page, message, hint, line=line, col=col, severity=Severity.WARNING)


def lint_page(
    page: str,
    text: str,
    types: Sequence[str],
    cards: dict[int, bool],
    tokens: Sequence[Token],
    *,
    flavor: Flavor = DEFAULT_FLAVOR,
) -> list[Diagnostic]:
    """``cards`` maps each card's 0-based marker line to whether its body is empty."""
    problems: list[Diagnostic] = []
    lines = text.split("\n")
    if "///" in text:
        problems.extend(_blocks(page, lines, tokens, flavor, types))
    if "[!" in text:
        problems.extend(_callouts(page, lines, tokens, flavor, types))
    in_code: set[int] | None = None
    swallowed: dict[int, tuple[str, str]] = {}
    for number, line in enumerate(lines):
        if "???" not in line and "!!!" not in line:
            continue
        m = _MARKER.match(line)
        if m is None:
            continue
        rest = m.group("rest")
        if cards.get(number) is False and rest.startswith(" "):
            continue  # a card both the site and ankigen read, with an answer: the usual case
        if in_code is None:  # built once, and only when something looks wrong
            in_code, swallowed = code_lines(tokens), _containers(tokens, lines)
        if number not in in_code:
            problems.extend(_check_marker(page, lines, number, m, types=types, in_code=in_code))
        if number not in cards:
            problems.extend(_lost(page, lines, number, m, types=types, swallowed=swallowed))
    return problems


def _blocks(
    page: str, lines: Sequence[str], tokens: Sequence[Token], flavor: Flavor, types: Sequence[str]
) -> list[Diagnostic]:
    """``///`` start lines the site shows as text (options it refuses, an extension it does
    not enable) and Blocks never closed (the site puts the rest of their container in them).
    """
    found: list[Diagnostic] = []
    opened: set[int] = set()
    for token in tokens:
        classes = str(token.attrGet("class") or "").lower().split()
        if token.type in ("blocks_open", "tabbed_label_open") and token.map is not None:
            opened.add(token.map[0])
        if token.type == "blocks_open" and token.tag == "details" and set(classes) & set(types):
            assert token.map is not None
            found.append(
                _warn(
                    page,
                    token.map[0] + 1,
                    len(lines[token.map[0]]) - len(lines[token.map[0]].lstrip()) + 1,
                    "a question box drawn with '/// html | details' makes no card",
                    "write it as '/// details | Your question?' with the option "
                    "'type: question' under it",
                )
            )
        if token.type == "admonition_open" and isinstance(token.meta.get("header"), BlocksHeader):
            assert token.map is not None
            opened.add(token.map[0])
            if not token.meta.get("closed", True):
                slashes = lines[token.map[0]].strip().split(" ")[0]
                found.append(
                    _warn(
                        page,
                        token.map[0] + 1,
                        int(token.meta["col"]),
                        "block is never closed: the site shows everything after it, "
                        "to the end of its container, inside it",
                        f"close it with a line holding only {slashes}",
                    )
                )
    registry = registry_for(flavor.extensions)
    in_code = code_lines(tokens)
    extension_of = {box: name for name, box in BLOCK_EXTENSIONS.items()}
    unread: dict[str, list[tuple[int, int]]] = {}  # block name -> lines, of disabled Blocks
    for number, line in enumerate(lines):
        stripped = line.lstrip(" \t")
        if not stripped.startswith("///") or number in opened or number in in_code:
            continue
        start = parse_start_line(stripped)
        if start is None:
            continue
        col = len(line) - len(stripped) + 1
        kind = registry.get(start.name)
        if kind is None:
            if start.name in extension_of:
                unread.setdefault(start.name, []).append((number, col))
            continue
        indent = len(line.expandtabs(4)) - len(stripped)
        option_lines: list[str] = []
        for below in lines[number + 1 :]:
            expanded = below.expandtabs(4)
            if not expanded.strip() or _indent(expanded) < indent + 4:
                break
            option_lines.append(expanded)
        reason = read_options(kind, textwrap.dedent("\n".join(option_lines)))
        if isinstance(reason, str):
            found.append(
                _warn(
                    page,
                    number + 1,
                    col,
                    f"'/// {start.name}' is shown as text on the site: {reason}",
                    "indent the options 4 spaces under the /// line, one `name: value` "
                    "each (type: question)",
                )
            )
        else:
            found.append(
                _warn(
                    page,
                    number + 1,
                    col,
                    f"'/// {start.name}' makes no box here in ankigen, the site may show one",
                    "start the block at the indentation of the text around it, after a blank line",
                )
            )
    for name, places in unread.items():  # once per page and name, at its first line
        more = f" ({len(places)} such lines on this page)" if len(places) > 1 else ""
        found.append(
            _warn(
                page,
                places[0][0] + 1,
                places[0][1],
                f"'/// {name}' is shown as text: the site does not enable "
                f"{extension_of[name]}{more}",
                f"add {extension_of[name]} to markdown_extensions in mkdocs.yml",
            )
        )
    return found


_CALLOUT_LINE = re.compile(r"(?P<quote>[ >]*>) *\[!")


def _callouts(
    page: str, lines: Sequence[str], tokens: Sequence[Token], flavor: Flavor, types: Sequence[str]
) -> list[Diagnostic]:
    """Quotes opening with a question callout (``> [!question] Title``) that make no card:
    on a site without callouts (it shows a quote), or where ankigen reads no callout."""
    enabled = any(
        name == "pymdownx.quotes" and json.loads(raw).get("callouts") is True
        for name, raw in flavor.extensions
    )
    read = {
        int(token.meta["title_line"])
        for token in tokens
        if token.type == "admonition_open" and isinstance(token.meta.get("header"), CalloutHeader)
    }
    in_code = code_lines(tokens)
    found: list[Diagnostic] = []
    disabled: list[tuple[int, int]] = []
    for number, line in enumerate(lines):
        m = _CALLOUT_LINE.match(line)
        if m is None or number in read or number in in_code:
            continue
        header = parse_callout_line(line[m.end("quote") :])
        if header is None or header.card_type(types) is None:
            continue
        depth = m.group("quote").count(">")
        above = lines[number - 1] if number else ""
        above_quote = _CALLOUT_QUOTE.match(above)
        if above.strip(" >") and above_quote and above_quote.group(0).count(">") >= depth:
            continue  # not the first line of its quote: a quote on the site too
        col = line.index(">") + 1
        if not enabled:
            disabled.append((number, col))
            continue
        found.append(
            _warn(
                page,
                number + 1,
                col,
                "callout makes no card in ankigen, the site shows a box",
                "put a blank line before the quote",
            )
        )
    if disabled:
        more = f" ({len(disabled)} such quotes on this page)" if len(disabled) > 1 else ""
        found.append(
            _warn(
                page,
                disabled[0][0] + 1,
                disabled[0][1],
                "question callout shown as a plain quote: the site does not enable "
                f"pymdownx.quotes with callouts: true{more}",
                "add `pymdownx.quotes: {callouts: true}` to markdown_extensions in mkdocs.yml, "
                'or write ??? question "…"',
            )
        )
    return found


_CALLOUT_QUOTE = re.compile(r"[ >]*>")


def _lost(
    page: str,
    lines: Sequence[str],
    number: int,
    m: re.Match[str],
    *,
    types: Sequence[str],
    swallowed: Mapping[int, tuple[str, str]],
) -> list[Diagnostic]:
    """A well-formed card marker that made no card: say what swallowed it (``swallowed``:
    line -> what and hint, from ``_containers``).

    The last net under "no question dropped in silence": wherever ankigen's CommonMark
    reading of the page and the site's Python-Markdown reading part ways around a marker,
    the author hears of it. Markers in code the site shows as code (a closed fence, indented
    code outside lists) are left alone.
    """
    header = parse_marker_line(lines[number].strip())
    if header is None or header.card_type(types) is None:
        return []
    where = swallowed.get(number)
    if where is None:
        return []
    what, hint = where
    return [
        _warn(
            page,
            number + 1,
            len(m.group("indent")) + 1,
            f"card marker inside {what}: ankigen makes no card of it, the site shows one",
            hint,
        )
    ]


def _containers(tokens: Sequence[Token], lines: Sequence[str]) -> dict[int, tuple[str, str]]:
    """0-based lines inside blocks that swallow a card marker: (what, hint)."""
    found: dict[int, tuple[str, str]] = {}
    lists = 0
    after_list = False  # a list came earlier in this section (no heading since)
    left_open = False  # a fence earlier on the page was never closed
    site: set[int] | None = None  # lines the site reads as fenced code, when needed
    for token in tokens:
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
            after_list = True
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif token.type == "heading_open":
            after_list = False
        if not token.map:
            continue
        start, end = token.map
        if token.type == "paragraph_open":
            where = (
                "paragraph text (after a line with no blank line between, or indented "
                "where a list item's content does not reach)",
                "put a blank line before the marker; in a list, indent it by 4 spaces per level",
            )
        elif token.type == "html_block":
            where = (
                "an HTML block (a line with an HTML tag above it, no blank line between)",
                "put a blank line before the marker",
            )
        elif token.type.startswith("math_block") or token.type in ("amsmath", "math_display_raw"):
            where = (
                "display math that is closed only after it",
                "close the math ($$, \\] or \\end{…}) before the marker",
            )
        elif token.type == "fence" and not _closed(token, lines):
            where = ("a code fence that is never closed", f"close the fence with {token.markup}")
            left_open = True
        elif token.type == "fence" and left_open:
            # An earlier fence ended with its container (a card's body) unclosed: the site
            # closes it with a later fence line, so the fences below pair differently.
            where = (
                "a code fence paired differently from the site (a fence above, inside a box, "
                "is closed only outside it)",
                "close every fence inside the box that opened it, indented like its opener",
            )
        elif token.type == "fence":
            site = _site_fenced(lines) if site is None else site
            for line in range(start, end):
                if line not in site:  # code here, text on the site: a card there is lost
                    found.setdefault(line, _PAIRED_BY_INDENT)
            continue
        elif token.type == "code_block" and (lists or after_list):
            # In a list, or after one in the same section: Python-Markdown reads indented
            # blocks (and lazy lines) after a list item as more of the item, where CommonMark
            # has ended the list and sees indented code.
            where = (
                "indented code in or after a list (ankigen nests list content by the "
                "marker's own width and ends lists sooner; the site nests by 4 columns)",
                "indent the list item's content by 4 spaces, or put the card outside the list",
            )
        else:
            continue
        for line in range(start, end):
            found.setdefault(line, where)
    return found


_PAIRED_BY_INDENT = (
    "a code fence the site does not read as one (the site pairs fence lines by their "
    "indentation, so the fence lines above pair differently there)",
    "indent the line that closes a fence exactly like the line that opens it, each on a "
    "line of its own",
)

# A fence opener as pymdownx.superfences finds it, after the line's indentation.
_SITE_OPENER = re.compile(r"(?P<fence>`{3,}|~{3,})(?P<rest>.*)$")


def _site_fenced(lines: Sequence[str]) -> set[int]:
    """0-based lines the site shows as fenced code. pymdownx.superfences pairs fence lines on
    the page's raw lines, top down, before any block is read: an opener at any indentation
    is closed by the same fence at the same indentation; a non-blank line indented less
    ends the attempt (no fence: the lines stay text, that line opens nothing), and so does
    the end of the page. Fences in block quotes are left out (not followed here)."""
    fenced: set[int] = set()
    fence, depth, start = "", 0, 0
    for number, raw in enumerate(lines):
        line = raw.expandtabs(4)
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if not fence:
            m = _SITE_OPENER.match(body)
            if m is not None and not (m["fence"][0] == "`" and "`" in m["rest"]):
                fence, depth, start = m["fence"], indent, number
            continue
        if not body:
            continue
        if indent < depth:  # not indented enough: no fence after all
            fence = ""
        elif indent == depth and body.startswith(fence) and not body[len(fence) :].strip():
            fenced.update(range(start, number + 1))
            fence = ""
    return fenced


def _closed(token: Token, lines: Sequence[str]) -> bool:
    """Whether a fence ends on a closing fence line (CommonMark also ends it at the end of
    its container, which the site does not). A fence line indented 4 columns or more beyond
    the opener's is code, not a closer."""
    start, end = token.map or (0, 0)
    if end - 1 <= start or end - 1 >= len(lines):
        return False
    raw = lines[end - 1]
    last = raw.strip()
    if not token.markup:  # a fence made without its marker line: nothing to hold it to
        return True
    opener = lines[start]
    if _indent(raw) - _indent(opener) >= 4:
        return False
    return last.startswith(token.markup) and not last.strip(token.markup[0])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _check_marker(
    page: str,
    lines: Sequence[str],
    number: int,
    m: re.Match[str],
    *,
    types: Sequence[str],
    in_code: set[int],
) -> list[Diagnostic]:
    col = len(m.group("indent")) + 1
    rest, marker = m.group("rest"), m.group("marker")
    header = parse_marker_line(lines[number].strip())
    if header is None:
        if rest.count('"') % 2 == 1:
            return [
                _warn(
                    page,
                    number + 1,
                    col,
                    "title quote is not closed: the site shows this "
                    "line as text and no card is made",
                    'close the title with a double quote: ??? question "…?"',
                )
            ]
        return []
    found: list[Diagnostic] = []
    kind = header.card_type(types)
    glued = _TYPE.match(rest)
    if kind is not None and glued and not rest.startswith(" ") and glued.group("type") == kind:
        # `???question`: the site reads it; other Markdown tools and editors do not.
        found.append(
            _warn(
                page,
                number + 1,
                col,
                f"no space between {marker!r} and {kind!r}",
                f"the site reads it as a {kind} box; write '{marker} {kind}' so other tools do too",
            )
        )
    if kind is None:
        # Every class of the box, as the site styles a box by any of them: one close to a
        # card type is most likely a typo (`qustion`, or `-question` glued to a dash).
        for name in header.classes:
            import difflib  # noqa: PLC0415 - only for a box type that is not a card type

            close = difflib.get_close_matches(name, types, n=1, cutoff=0.75)
            if close:
                found.append(
                    _warn(
                        page,
                        number + 1,
                        col,
                        f"{name!r} is not a card type, so this box makes no card",
                        f"a dash glued to the type makes another class: write "
                        f"'{marker} {close[0]}' (or '{marker}- {close[0]}')"
                        if name.strip("-_") == close[0]
                        else f"did you mean {close[0]!r}?",
                    )
                )
                break
        return found
    return found + _body_indent(page, lines, number, col, in_code)


def _body_indent(
    page: str, lines: Sequence[str], number: int, col: int, skip: set[int]
) -> list[Diagnostic]:
    """A first body line indented 1-3 columns past the marker ends up outside the box."""
    marker_indent = col - 1
    for after in range(number + 1, min(number + 3, len(lines))):
        body = lines[after].expandtabs(4)
        if not body.strip() or after in skip:
            continue
        extra = _indent(body) - marker_indent
        if 0 < extra < 4:
            return [
                _warn(
                    page,
                    after + 1,
                    marker_indent + 1,
                    f"answer indented {extra} space(s): the site shows it outside the box",
                    "indent the answer 4 spaces under the question line",
                )
            ]
        return []
    return []
