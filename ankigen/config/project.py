"""Project settings: defaults <- ``ankigen.toml`` or ``[tool.ankigen]`` <- command-line flags."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ankigen.config.flavor import DEFAULT_FLAVOR, Flavor
from ankigen.config.site import CONFIG_NAMES, ZENSICAL_NAME, Site, find_site_config
from ankigen.errors import AnkigenError, Diagnostic, Severity

__all__ = ["DEFAULT_TYPES", "Config", "find_config", "load_config"]

DEFAULT_TYPES = ("question", "help", "faq")
# Box titles that label an answer rather than ask a question (``cards/labels``): matched
# case-folded, without end punctuation or a number ("Answer 2", "Solution (3)").
DEFAULT_LABELS = (
    "answer",
    "answers",
    "show answer",
    "reveal answer",
    "click for answer",
    "solution",
    "solutions",
    "show solution",
    "hint",
    "show hint",
    "答案",
    "解答",
    "参考答案",
    "答",
    "回答",
    "解析",
    "解答例",
    "正解",
    "정답",
    "해답",
    "ответ",
    "решение",
    "antwort",
    "lösung",
    "réponse",
    "respuesta",
    "solución",
    "resposta",
    "solução",
    "risposta",
    "soluzione",
    "antwoord",
    "oplossing",
    "odpowiedź",
    "rozwiązanie",
    "cevap",
    "çözüm",
)
# Untitled boxes of these types answer what comes before them, like a label title.
DEFAULT_ANSWER_TYPES = ("done", "success", "check")
SUBDECKS = ("pages", "sections", "none")  # how a site's pages map to Anki subdecks
_TYPE_RE = re.compile(r"[\w\-]+")
_KEYS = (
    "deck",
    "types",
    "namespace",
    "lockfile",
    "output",
    "subdecks",
    "tag_prefix",
    "labels",
    "answer_types",
)


@dataclass(frozen=True)
class Config:
    """Everything a build needs to know besides the pages themselves."""

    deck: str = "ankigen"
    types: tuple[str, ...] = DEFAULT_TYPES
    namespace: str = ""  # GUID namespace; "" means: the deck name at the first build
    root: Path = field(default_factory=Path)  # folder the lockfile and outputs are relative to
    lockfile: Path | None = None  # None: <root>/ankigen.lock
    output: Path | None = None  # None: <cwd>/build
    config_file: Path | None = None
    flavor: Flavor = DEFAULT_FLAVOR  # the site's Markdown extensions
    site: Site | None = None  # set when the source is an mkdocs site (mkdocs.yml)
    subdecks: str = "pages"  # site decks: Root::Section::Page, Root::Section, or Root only
    tag_prefix: str = ""  # the parent tag of every page tag: "prefix::tag"
    # A build of one page or folder inside a site: its docs-relative POSIX path ("vision",
    # "vision/pooling.md"); None builds every page.
    only: str | None = None
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings found while reading the settings
    labels: tuple[str, ...] = DEFAULT_LABELS  # box titles whose question comes before the box
    answer_types: tuple[str, ...] = DEFAULT_ANSWER_TYPES  # untitled: the same, by type

    @property
    def lock_path(self) -> Path:
        return self.lockfile if self.lockfile is not None else self.root / "ankigen.lock"


def normalize_types(raw: object, where: str, path: str = "command line") -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = [t for t in raw.split(",") if t.strip()]
    if not isinstance(raw, list | tuple) or not raw:
        raise AnkigenError(
            Diagnostic(
                path,
                f"{where} must be a non-empty list of admonition types",
                hint='for example: types = ["question", "help", "faq"]',
            )
        )
    out: list[str] = []
    for item in raw:
        if not isinstance(item, str) or not _TYPE_RE.fullmatch(item.strip()):
            raise AnkigenError(
                Diagnostic(
                    path,
                    f"{where}: {item!r} is not an admonition type",
                    hint="types are single words such as question, faq or example",
                )
            )
        out.append(item.strip().lower())
    return tuple(dict.fromkeys(out))


def find_config(start: Path) -> Path | None:
    """The nearest ``ankigen.toml``, or ``pyproject.toml`` holding ``[tool.ankigen]``.

    Looks in ``start`` and its parents, stopping at a repository root (a folder with ``.git``).
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        own = folder / "ankigen.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.ankigen]" in _read_text(pyproject):
            return pyproject
        if (folder / ".git").exists():
            return None
    return None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def site_file(source: Path) -> Path | None:
    """The mkdocs.yml that makes ``source`` a site: the file itself, or one in the folder."""
    if source.is_file():
        return source if source.name in CONFIG_NAMES else None
    return find_site_config(source) if source.is_dir() else None


def load_config(source: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read the settings that apply to ``source``: a folder, one Markdown file, or an mkdocs
    site (a folder holding ``mkdocs.yml``, or that file), whose site_name, nav and
    markdown_extensions then apply too."""
    site_path = site_file(source)
    site = load_site_file(site_path, env) if site_path is not None else None
    only: str | None = None
    warnings: list[Diagnostic] = []
    if site is None:
        site, only, warnings = _enclosing_site(source, env)
        site_path = site.config_file if site is not None else None
    if site_path is not None:
        base = site_path.parent
    else:
        base = source if source.is_dir() else source.parent
    default_deck = site.site_name if site is not None else _default_deck(source)
    path = find_config(base)
    if path is None:
        config = Config(deck=default_deck, root=base.resolve())
    else:
        config = _from_table(_read_table(path), path, default_deck)
    if site is None:
        return replace(config, diagnostics=tuple(warnings))
    builtins: list[tuple[str, Mapping[str, object]]] = [
        (name, {}) for name in site.builtin_extensions
    ]
    return replace(
        config,
        site=site,
        flavor=Flavor.of([*builtins, *site.markdown_extensions]),
        root=config.root if path is not None else base.resolve(),
        only=only,
    )


def _enclosing_site(
    source: Path, env: Mapping[str, str] | None
) -> tuple[Site | None, str | None, list[Diagnostic]]:
    """The site a page or folder belongs to: the nearest mkdocs.yml / zensical.toml above it
    (up to the repository root) whose docs folder holds it, and its docs-relative path
    (None for the docs folder itself). Otherwise no site, with a warning saying why when a
    site's folder holds ``source`` but the site cannot take it."""
    here = source.resolve()
    start = here if here.is_dir() else here.parent
    for folder in (start, *start.parents):
        found = find_site_config(folder) if folder != here else None
        if found is not None:
            shown = str(source)
            try:
                site = load_site_file(found, env)
            except AnkigenError as exc:
                first = exc.diagnostics[0]
                return (
                    None,
                    None,
                    [
                        Diagnostic(
                            shown,
                            f"built on its own: the site around it ({found}) has a config that "
                            f"cannot be read ({first.location}: {first.message})",
                            hint="fix that config to build this as a page of its site",
                            severity=Severity.WARNING,
                        )
                    ],
                )
            docs = site.docs_dir.resolve()
            if here == docs or here.is_relative_to(docs):
                rel = here.relative_to(docs).as_posix()
                return site, (None if rel == "." else rel), []
            return (
                None,
                None,
                [
                    Diagnostic(
                        shown,
                        f"built on its own: it lies in the folder of {found} but outside its "
                        f"docs_dir ({site.docs_dir}), so it is no page of that site",
                        hint="move it into the docs folder to build it as a page of the site",
                        severity=Severity.WARNING,
                    )
                ],
            )
        if (folder / ".git").exists():
            break
    return None, None, []


def load_site_file(path: Path, env: Mapping[str, str] | None = None) -> Site:
    """The site a config file describes: ``zensical.toml``, else mkdocs.yml / mkdocs.yaml."""
    if path.name == ZENSICAL_NAME:
        from ankigen.config.zensical import load_zensical  # noqa: PLC0415 - for sites only

        return load_zensical(path)
    from ankigen.config.mkdocs import load_site  # noqa: PLC0415 - YAML, for sites only

    return load_site(path, env)


def _default_deck(source: Path) -> str:
    name = source.resolve().stem if source.is_file() else source.resolve().name
    words = re.sub(r"[_\-]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else "ankigen"


def _read_table(path: Path) -> dict[str, Any]:
    import tomllib  # noqa: PLC0415 - only when there is a TOML file to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AnkigenError(Diagnostic(str(path), f"cannot read config: {exc.strerror}")) from exc
    except UnicodeDecodeError as exc:
        raise AnkigenError(
            Diagnostic(str(path), "config is not valid UTF-8", hint="save it as UTF-8")
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        line, col = _toml_position(str(exc), path)
        raise AnkigenError(
            Diagnostic(
                str(path),
                f"invalid TOML: {exc.msg if hasattr(exc, 'msg') else exc}",
                hint="check the quoting and brackets on that line",
                line=line,
                col=col,
            )
        ) from exc
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get("ankigen", {}) if isinstance(tool, dict) else {}
    else:
        table = data
    if not isinstance(table, dict):
        raise AnkigenError(Diagnostic(str(path), "[tool.ankigen] must be a table"))
    return table


def _toml_position(message: str, path: Path) -> tuple[int | None, int | None]:
    """tomllib (3.11) only says where in its message: "(at line 2, column 9)"."""
    where = re.search(r"at line (\d+), column (\d+)", message)
    if where:
        return int(where.group(1)), int(where.group(2))
    if "end of document" in message:
        return max(1, len(_read_text(path).splitlines())), None
    return None, None


def _from_table(table: dict[str, Any], path: Path, default_deck: str) -> Config:
    problems: list[Diagnostic] = []
    where = str(path)
    for key in table:
        if key not in _KEYS:
            import difflib  # noqa: PLC0415 - only for an unknown key

            close = difflib.get_close_matches(key, _KEYS, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(_KEYS)}"
            problems.append(Diagnostic(where, f"unknown config key {key!r}", hint=hint))
    values: dict[str, Any] = {}
    for key in ("deck", "namespace", "lockfile", "output", "subdecks", "tag_prefix"):
        if key in table:
            value = table[key]
            if not isinstance(value, str) or not value.strip():
                problems.append(Diagnostic(where, f"{key} must be a non-empty string"))
            else:
                values[key] = value.strip()
    if values.get("subdecks", "pages") not in SUBDECKS:
        problems.append(
            Diagnostic(
                where,
                f"subdecks must be one of {', '.join(SUBDECKS)}, not {values['subdecks']!r}",
                hint="pages: Root::Section::Page, sections: Root::Section, none: one deck",
            )
        )
    if problems:
        raise AnkigenError(problems)
    root = path.parent.resolve()
    types = normalize_types(table["types"], "types", where) if "types" in table else DEFAULT_TYPES
    labels = _labels(table["labels"], where) if "labels" in table else DEFAULT_LABELS
    answer_types: tuple[str, ...] = DEFAULT_ANSWER_TYPES
    if "answer_types" in table:
        raw = table["answer_types"]
        answer_types = normalize_types(raw, "answer_types", where) if raw != [] else ()
    return Config(
        deck=values.get("deck", default_deck),
        types=types,
        namespace=values.get("namespace", ""),
        root=root,
        lockfile=root / values["lockfile"] if "lockfile" in values else None,
        output=root / values["output"] if "output" in values else None,
        config_file=path,
        subdecks=values.get("subdecks", "pages"),
        tag_prefix=values.get("tag_prefix", ""),
        labels=labels,
        answer_types=answer_types,
    )


def _labels(raw: object, where: str) -> tuple[str, ...]:
    """``labels``: a list of titles (empty: no title is a label)."""
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise AnkigenError(
            Diagnostic(
                where,
                "labels must be a list of box titles",
                hint='for example: labels = ["Answer", "Show Answer", "Solution"]',
            )
        )
    return tuple(dict.fromkeys(x.strip() for x in raw))
