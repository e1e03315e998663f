"""The one table of library code the speed-ups repeat or rely on, and the check against it.

A speed-up that repeats a function of a library is installed only when the installed
library's function has exactly the source it was written against: the SHA-256 of
``inspect.getsource`` is one of the digests below. Any other version (a release newer than
the table, an older one, a patched one) runs the library's own code: the pure path, which
gives the same bytes, only slower.

To admit a new library release: read the changed functions, and if the speed-up still
repeats them exactly, add the new digests (``python -m ankigen._speed.guards`` prints the
installed ones) and the versions; otherwise change the speed-up first.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import marshal
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["GUARDS", "Guard", "installed_digest", "keep_digests_in", "known"]


@dataclass(frozen=True)
class Guard:
    speedup: str  # the name ANKIGEN_SPEEDUPS knows it by
    library: str  # the distribution
    versions: str  # the releases whose source the digests are
    function: str  # "module:qualified.name"
    repeats: str  # what the speed-up repeats of it, or relies on
    digests: frozenset[str]


def _guard(
    speedup: str, library: str, versions: str, function: str, repeats: str, *digests: str
) -> Guard:
    return Guard(speedup, library, versions, function, repeats, frozenset(digests))


_MDIT = "markdown-it-py"
_MDIT_43 = "4.2-4.3"
GUARDS: tuple[Guard, ...] = (
    _guard(
        "lexer",
        "Pygments",
        "2.17-2.21",
        "pygments.lexer:RegexLexer.get_tokens_unprocessed",
        "the whole loop, with runs of a state's rules joined and tried by first character",
        "fc06e8e2fbc9c2b79a6dcea18acbf28bda3019e232ffd91282a33f450f31231c",  # 2.17
        "dda6229f98c72106e727537e3b57432b79b38517f8900671f3800d248e3867fe",  # 2.18-2.21
    ),
    _guard(
        "linkify",
        _MDIT,
        "4.0-4.3",
        "markdown_it.rules_inline.linkify:linkify",
        "the whole rule, with a fast path for plain ASCII http(s) URLs",
        "9dc5df00bce6205d43bd286294ec689460b881cfba3e67df742c7a64cdde58ae",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.token:Token.__post_init__",
        "what a new token holds: blank_token sets the same slots",
        "c2b64f07d9d80082358b5b818467c922c12af5ec40f489538793a7c3266dfec7",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.token:convert_attrs",
        "the attrs a new token gets",
        "7307811548d4a0a6e3378348ac81987737775d265ed7c56d3cdae934efb88625",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.rules_inline.state_inline:StateInline.push",
        "repeated, making tokens with blank_token",
        "e1647ba1e831cfaa891ebd66ae902ba31100486cb53bff56420f138353376183",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.rules_inline.state_inline:StateInline.pushPending",
        "repeated, making tokens with blank_token",
        "3b8fc5789360f565956707f6545b8f75ae1ced53d3310f73edfcf6aa4e6b35c6",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.parser_inline:ParserInline.parse",
        "repeated, skipping the delimiter rules where no delimiter run was found",
        "d795f64c44cc33e5fa39bbc1ff55f21b441c1408221cefa51c5ebd2de0fffadc",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.rules_inline.balance_pairs:link_pairs",
        "relied on: changes nothing when no delimiter list holds anything",
        "df2fac171534eb6209a5df3b4525c76f69f124c902b73ec0b16cb1954bf2d47a",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.rules_inline.balance_pairs:processDelimiters",
        "relied on: changes nothing for an empty delimiter list",
        "dbc48729c4b511d81be6150eee9298ae20f1422937060e646aadddc90289b7b7",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.rules_inline.strikethrough:postProcess",
        "relied on: changes nothing when no delimiter list holds anything",
        "5f432b7480c0450ef8a0c38d821c44fccea63df4c712586c0c4387fdc2860af5",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.rules_inline.strikethrough:_postProcess",
        "relied on: changes nothing for an empty delimiter list",
        "bcf74084775fff21170aca1306317b1d483bc38c76155c05a037d867ebbebd33",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.rules_inline.emphasis:postProcess",
        "relied on: changes nothing when no delimiter list holds anything",
        "fb25bb30f8b09530721d64e1c55b406127f07f2b46380d6e615117331082c091",
    ),
    _guard(
        "tokens",
        _MDIT,
        _MDIT_43,
        "markdown_it.rules_inline.emphasis:_postProcess",
        "relied on: changes nothing for an empty delimiter list",
        "1996d4e6a33d2d87e75ed297aee0f6e376cea10144891ef16e1a84d9191695d5",
    ),
)


def _resolve(function: str) -> object:
    module, _, qualname = function.partition(":")
    found: object = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


# Where digests are kept between processes (``keep_digests_in``): function -> (its file's
# path, size and mtime, its first line, the digest). Reading a function's source costs
# ~9 ms for all the guards together, paid by every build that renders.
_KEPT: dict[str, tuple[str, int, int, int, str | None]] = {}
_KEPT_IN: list[Path] = []
_READ: list[bool] = []  # whether the kept file was read (it is, at the first guard)


def keep_digests_in(folder: Path) -> None:
    """Keep the installed digests in ``folder`` (a cache folder) and use those kept there
    while the library file they were read from has the same size and mtime."""
    _KEPT_IN[:] = [folder / "guards.marshal"]
    _KEPT.clear()
    _READ.clear()


def _kept(function: str) -> tuple[str, int, int, int, str | None] | None:
    if not _READ:
        _READ.append(True)
        try:
            raw = marshal.loads(_KEPT_IN[0].read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            raw = None
        if isinstance(raw, dict):
            _KEPT.update(
                (k, v) for k, v in raw.items() if isinstance(k, str) and isinstance(v, tuple)
            )
    return _KEPT.get(function)


def installed_digest(function: str) -> str | None:
    """SHA-256 of the installed source of ``function`` ("module:qualname"), or None."""
    try:
        found = _resolve(function)
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    code = getattr(found, "__code__", None)
    stamp = None
    if code is not None and _KEPT_IN:
        try:
            st = Path(code.co_filename).stat()
            stamp = (code.co_filename, st.st_size, st.st_mtime_ns, code.co_firstlineno)
        except OSError:
            stamp = None
        kept = _kept(function)
        if stamp is not None and kept is not None and kept[:4] == stamp:
            return kept[4]
    try:
        source = inspect.getsource(found)  # type: ignore[arg-type]
    except (OSError, TypeError):
        return None
    digest = hashlib.sha256(source.encode()).hexdigest()
    if stamp is not None:
        _KEPT[function] = (*stamp, digest)
        _save()
    return digest


def _save() -> None:
    """Write the kept digests (atomically; a failure only costs the next build ~9 ms)."""
    path = _KEPT_IN[0]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(marshal.dumps(_KEPT))
        tmp.replace(path)
    except OSError:
        tmp.unlink(missing_ok=True)


@cache
def known(speedup: str, function: str | None = None) -> bool:
    """Whether every function ``speedup`` repeats (or only ``function``) is as in the table."""
    rows = [g for g in GUARDS if g.speedup == speedup and function in (None, g.function)]
    if not rows:
        raise KeyError(f"no guard for {speedup!r} {function or ''}")
    return all(installed_digest(g.function) in g.digests for g in rows)


if __name__ == "__main__":  # pragma: no cover - a maintainer's aid
    for guard in GUARDS:
        state = "known" if installed_digest(guard.function) in guard.digests else "CHANGED"
        print(f"{guard.speedup:8} {guard.function:70} {state} {installed_digest(guard.function)}")  # noqa: T201
