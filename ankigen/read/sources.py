"""Find and read Markdown pages: the input end of the pipeline."""

from __future__ import annotations

from pathlib import Path

from ankigen.errors import AnkigenError, Diagnostic
from ankigen.records import SourceFile

__all__ = ["MARKDOWN_SUFFIXES", "discover", "read_source", "require_source"]

MARKDOWN_SUFFIXES = (".md", ".markdown")


def require_source(source: Path) -> None:
    """Fail early, before config lookup, when the source path is missing."""
    if not source.exists():
        raise AnkigenError(
            Diagnostic(
                str(source),
                "source path does not exist",
                hint="pass a folder of Markdown pages or one .md file",
            )
        )


def discover(source: Path) -> tuple[Path, list[Path]]:
    """Return the root pages are relative to, and the pages under ``source`` in a stable order."""
    require_source(source)
    if source.is_file():
        return source.parent, [source]
    if not source.is_dir():
        raise AnkigenError(Diagnostic(str(source), "source is neither a file nor a folder"))
    pages = [
        p
        for p in source.rglob("*")
        if p.suffix.lower() in MARKDOWN_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(source).parts)
    ]
    pages.sort(key=lambda p: p.relative_to(source).as_posix())
    return source, pages


def read_source(path: Path, root: Path, shown: str) -> SourceFile:
    """Read one page as UTF-8 (a BOM is dropped); newlines become ``\\n``.

    ``shown`` is how the page is named in diagnostics.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnkigenError(
            Diagnostic(
                shown,
                f"cannot read file: {exc.strerror or exc}",
                hint="check that the file exists and is readable",
            )
        ) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)  # BOM was skipped
        prefix = data[:start]
        line = prefix.count(b"\n") + prefix.count(b"\r") - prefix.count(b"\r\n") + 1
        col = start - max(prefix.rfind(b"\n"), prefix.rfind(b"\r"))
        raise AnkigenError(
            Diagnostic(
                shown,
                f"file is not valid UTF-8 (byte 0x{data[start]:02x})",
                hint="re-save the page as UTF-8",
                line=line,
                col=col,
            )
        ) from exc
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    rel = path.relative_to(root).as_posix() if path != root else path.name
    return SourceFile(path=path, rel=rel, text=text)
