"""Read a site's ``mkdocs.yml`` the way mkdocs does, without importing or running anything.

mkdocs loads its config with a PyYAML loader that knows ``!ENV`` and ``!relative`` and, being
PyYAML's full ``Loader``, also builds (imports, calls) ``!!python/name:`` and
``!!python/object/apply:`` values. Here every such value stays data: :class:`PyName`,
:class:`PyApply`, :class:`Relative`; any other unknown tag gives the value it would have
without the tag. ``!ENV`` is resolved against the mapping passed in, with mkdocs' rules.

What follows mkdocs 1.6 (``mkdocs/config``, ``mkdocs/utils/yaml.py``, ``yaml_env_tag``,
``mkdocs/structure/nav.py``): ``INHERIT`` (a parent file relative to the file naming it, deep
merged, the child winning, lists replaced), the required ``site_name``, ``docs_dir`` relative
to the primary config file, ``site_url`` with a trailing ``/``, the three shapes of
``markdown_extensions`` and the nav forms. Problems raise :class:`AnkigenError`, located at
``path:line:col`` where the YAML says where: a file that cannot be read or parsed stops at
once; problems with the settings are all gathered first, as mkdocs does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from types import MappingProxyType
from urllib.parse import urlsplit, urlunsplit

import yaml
from yaml.constructor import ConstructorError
from yaml.error import Mark, MarkedYAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from ankigen.config.site import (
    MKDOCS_NAMES,
    NavItem,
    PyApply,
    PyName,
    Relative,
    Site,
    find_site_config,
)
from ankigen.errors import AnkigenError, Diagnostic

__all__ = ["load_site", "site_from_settings"]

# ``mkdocs.utils.markdown_extensions``: what mkdocs counts as a Markdown page (case-sensitive).
_PAGE_SUFFIXES = (".markdown", ".mdown", ".mkdn", ".mkd", ".md")
_INTERPRETED = frozenset(
    {
        "INHERIT",
        "site_name",
        "site_url",
        "docs_dir",
        "use_directory_urls",
        "nav",
        "markdown_extensions",
        "exclude_docs",
        "draft_docs",
    }
)
_PY_NAME = "tag:yaml.org,2002:python/name:"
_PY_APPLY = "tag:yaml.org,2002:python/object/apply:"


# --------------------------------------------------------------------------- public API


def load_site(path: Path, env: Mapping[str, str] | None = None) -> Site:
    """Load ``path`` (a config file, or a folder holding ``mkdocs.yml``/``mkdocs.yaml``).

    ``env`` answers ``!ENV`` tags; it defaults to ``os.environ``. Raises :class:`AnkigenError`
    with every problem found; never imports or calls anything the YAML names.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    config_file = _locate(path)
    reader = _Reader(environ)
    try:
        raw, origins = reader.load(config_file, str(config_file), chain=())
        return _build_site(config_file, raw, origins, reader.where)
    except (RecursionError, _CycleError) as exc:
        raise AnkigenError(
            Diagnostic(
                str(config_file),
                "a YAML alias contains itself, or the settings nest too deeply",
                hint="replace the `*alias` inside its own `&anchor` with the value itself",
            )
        ) from exc


# --------------------------------------------------------------------------- locating


def _locate(path: Path) -> Path:
    if path.is_dir():
        found = find_site_config(path, MKDOCS_NAMES)
        if found is None:
            raise AnkigenError(
                Diagnostic(
                    str(path),
                    "no mkdocs.yml or mkdocs.yaml in this folder",
                    hint="pass the site's folder (the one holding mkdocs.yml) or the file itself",
                )
            )
        return found
    if not path.exists():
        raise AnkigenError(
            Diagnostic(
                str(path),
                "mkdocs config file does not exist",
                hint="pass the site's mkdocs.yml, or the folder that holds it",
            )
        )
    return path


# --------------------------------------------------------------------------- YAML


@dataclass(frozen=True)
class _Loc:
    path: str
    line: int | None = None
    col: int | None = None

    @staticmethod
    def of(path: str, mark: Mark | None) -> _Loc:
        if mark is None:
            return _Loc(path)
        return _Loc(path, mark.line + 1, mark.column + 1)

    def diag(self, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(self.path, message, hint=hint, line=self.line, col=self.col)


class _Where:
    """Where each loaded list item and mapping key came from (file, line, column).

    Keyed by ``id()``; the objects are held here too, so an id is never reused meanwhile.
    """

    def __init__(self) -> None:
        self._items: dict[int, tuple[object, list[_Loc]]] = {}
        self._keys: dict[int, tuple[object, dict[object, _Loc]]] = {}

    def note_items(self, seq: object, locs: list[_Loc]) -> None:
        self._items[id(seq)] = (seq, locs)

    def note_keys(self, mapping: object, locs: dict[object, _Loc]) -> None:
        self._keys[id(mapping)] = (mapping, locs)

    def keys(self, mapping: object) -> dict[object, _Loc]:
        entry = self._keys.get(id(mapping))
        return entry[1] if entry is not None else {}

    def item(self, seq: object, index: int, fallback: _Loc) -> _Loc:
        entry = self._items.get(id(seq))
        if entry is None or index >= len(entry[1]):
            return fallback
        return entry[1][index]

    def key(self, mapping: object, key: object, fallback: _Loc) -> _Loc:
        try:
            return self.keys(mapping).get(key, fallback)
        except TypeError:  # an unhashable key
            return fallback


class _Loader(yaml.SafeLoader):
    """SafeLoader that records which node built which object (for diagnostics)."""

    def __init__(self, stream: bytes) -> None:
        super().__init__(stream)
        self.built: list[tuple[Node, object]] = []

    def construct_object(self, node: Node, deep: bool = False) -> object:
        obj = super().construct_object(node, deep=deep)
        self.built.append((node, obj))
        return obj


def _loader_class(env: Mapping[str, str]) -> type[_Loader]:
    class Loader(_Loader):
        pass

    def construct_env(loader: _Loader, node: Node) -> object:
        # yaml_env_tag.construct_env_tag, reading ``env`` instead of os.environ.
        default: object = None
        if isinstance(node, ScalarNode):
            names = [loader.construct_scalar(node)]
        elif isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
            if len(children) > 1:  # the last item is always the default, never a name
                default = loader.construct_object(children[-1], deep=True)
                children = children[:-1]
            names = [_scalar(loader, child, "!ENV") for child in children]
        else:
            raise ConstructorError(
                None,
                None,
                f"expected a scalar or sequence node, but found {_node_kind(node)}",
                node.start_mark,
            )
        for name in names:
            if name in env:
                value = env[name]
                tag = _resolve(loader, value, plain=True)
                return loader.construct_object(ScalarNode(tag, value), deep=True)
        return default

    Loader.add_constructor("!ENV", construct_env)
    Loader.add_constructor("!relative", _construct_relative)
    Loader.add_multi_constructor(_PY_NAME, _construct_py_name)
    Loader.add_multi_constructor(_PY_APPLY, _construct_py_apply)
    Loader.add_constructor(None, _construct_untagged)
    return Loader


def _abspath(path: Path) -> Path:
    """Absolute and lexically normalised, like os.path.abspath (symlinks are kept)."""
    return Path(os.path.normpath(path.absolute()))


def _node_kind(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return "scalar"
    return "sequence" if isinstance(node, SequenceNode) else "mapping"


def _resolve(loader: _Loader, value: str, *, plain: bool) -> str:
    """The tag YAML's implicit resolvers give a scalar (int, bool, null, date, … or str)."""
    tag: str = loader.resolve(ScalarNode, value, (plain, not plain))  # type: ignore[no-untyped-call]
    return tag


def _scalar(loader: _Loader, node: Node, tag: str) -> str:
    if not isinstance(node, ScalarNode):
        raise ConstructorError(
            None,
            None,
            f"{tag} expects plain names, but found a {_node_kind(node)}",
            node.start_mark,
        )
    return loader.construct_scalar(node)


def _construct_relative(loader: _Loader, node: Node) -> Relative:
    # mkdocs.utils.yaml._construct_dir_placeholder: the same checks, without the resolving.
    value = _scalar(loader, node, "!relative")
    prefix = value.partition("/")[0]
    if prefix.startswith("$"):
        if prefix not in ("$config_dir", "$docs_dir"):
            raise ConstructorError(
                None, None, f"unknown prefix {prefix!r} in !relative {value!r}", node.start_mark
            )
    elif value:
        raise ConstructorError(
            None,
            None,
            f"'!relative' tag does not expect any value; received {value!r}",
            node.start_mark,
        )
    return Relative(value)


def _construct_py_name(loader: _Loader, suffix: str, node: Node) -> PyName:
    value = _scalar(loader, node, "!!python/name")
    if value:  # PyYAML's construct_python_name wants nothing after the tag
        raise ConstructorError(
            "while constructing a Python name",
            node.start_mark,
            f"expected the empty value, but found {value!r}",
            node.start_mark,
        )
    return PyName(suffix)


def _construct_py_apply(loader: _Loader, suffix: str, node: Node) -> PyApply:
    # PyYAML's construct_python_object_apply: a list of args, or {args: [...], kwds: {...}}.
    args: object = []
    kwds: object = {}
    if isinstance(node, SequenceNode):
        args = loader.construct_sequence(node, deep=True)
    elif isinstance(node, MappingNode):
        value = loader.construct_mapping(node, deep=True)
        args = value.get("args", [])
        kwds = value.get("kwds", {})
    elif isinstance(node, ScalarNode) and loader.construct_scalar(node):
        raise ConstructorError(
            "while constructing a Python object",
            node.start_mark,
            "expected a list of args or a mapping with args/kwds",
            node.start_mark,
        )
    if not isinstance(args, list) or not isinstance(kwds, dict):
        raise ConstructorError(
            "while constructing a Python object",
            node.start_mark,
            "args must be a list and kwds a mapping",
            node.start_mark,
        )
    if not all(isinstance(key, str) for key in kwds):
        raise ConstructorError(
            "while constructing a Python object",
            node.start_mark,
            "kwds keys must be strings",
            node.start_mark,
        )
    return PyApply(suffix, tuple(args), kwds)


def _construct_untagged(loader: _Loader, node: Node) -> object:
    """Any other tag: the value the node would have without it."""
    if isinstance(node, ScalarNode):
        plain = node.style is None
        tag = _resolve(loader, node.value, plain=plain)
        return loader.construct_object(
            ScalarNode(tag, node.value, node.start_mark, node.end_mark, node.style), deep=True
        )
    if isinstance(node, SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise ConstructorError(None, None, f"unexpected node {_node_kind(node)}", node.start_mark)


class _Reader:
    """Loads one config file and, through ``INHERIT``, its parents."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.loader = _loader_class(env)
        self.where = _Where()

    def load(
        self, file: Path, shown: str, chain: tuple[Path, ...]
    ) -> tuple[dict[object, object], dict[object, _Loc]]:
        """The merged settings of ``file`` and where each top-level key was set."""
        data, top = self._parse(file, shown)
        if "INHERIT" not in data:
            return data, top
        loc = top.get("INHERIT", _Loc(shown))
        relpath = data.pop("INHERIT")
        if not isinstance(relpath, str) or not relpath:
            raise AnkigenError(
                loc.diag("INHERIT must be the path of a parent config file, relative to this one")
            )
        parent_file = Path(os.path.normpath(Path(file).parent / relpath))
        parent_shown = os.path.normpath(Path(shown).parent / relpath)
        if not parent_file.is_file():
            raise AnkigenError(
                loc.diag(
                    f"inherited config file {relpath!r} does not exist at {parent_shown!r}",
                    hint="INHERIT is relative to the folder of the file that names it",
                )
            )
        me = _abspath(file)
        if _abspath(parent_file) in (*chain, me):
            raise AnkigenError(loc.diag(f"INHERIT {relpath!r} makes a loop"))
        parent, parent_top = self.load(parent_file, parent_shown, (*chain, me))
        merged = self._merge(parent, data)
        return merged, {**parent_top, **{k: v for k, v in top.items() if k != "INHERIT"}}

    def _merge(
        self, parent: dict[object, object], child: dict[object, object]
    ) -> dict[object, object]:
        """mergedeep.merge(parent, child): mappings merge key by key, anything else is replaced.

        Builds new dicts instead of changing ``parent`` (whose parts YAML aliases may share).
        """
        out: dict[object, object] = dict(parent)
        for key, value in child.items():
            old = out.get(key)
            if key in out and isinstance(old, dict) and isinstance(value, dict):
                out[key] = self._merge(old, value)
            else:
                out[key] = value
        self.where.note_keys(out, {**self.where.keys(parent), **self.where.keys(child)})
        return out

    def _parse(self, file: Path, shown: str) -> tuple[dict[object, object], dict[object, _Loc]]:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise AnkigenError(
                Diagnostic(shown, f"cannot read mkdocs config: {exc.strerror or exc}")
            ) from exc
        loader: _Loader | None = None
        try:
            loader = self.loader(data)  # this already starts decoding
            result = loader.get_single_data()
        except MarkedYAMLError as exc:
            raise AnkigenError(_yaml_diagnostic(shown, exc)) from exc
        except ReaderError as exc:  # bytes that are not UTF-8/UTF-16, or control characters
            raise AnkigenError(_reader_diagnostic(shown, data, exc)) from exc
        except RecursionError as exc:
            raise AnkigenError(Diagnostic(shown, "YAML nested too deeply to read")) from exc
        except (ValueError, TypeError, OverflowError) as exc:  # PyYAML: e.g. date 2020-13-45
            raise AnkigenError(
                Diagnostic(shown, f"invalid YAML value: {exc}", hint="quote the value")
            ) from exc
        finally:
            if loader is not None:
                loader.dispose()
        self._note(loader.built, shown)
        if result is None:
            return {}, {}
        if not isinstance(result, dict):
            raise AnkigenError(
                Diagnostic(
                    shown,
                    f"mkdocs config must be a mapping of settings, not a {_kind(result)}",
                    hint="start with a line such as `site_name: My Notes`",
                    line=1,
                    col=1,
                )
            )
        return result, dict(self.where.keys(result))

    def _note(self, built: list[tuple[Node, object]], shown: str) -> None:
        objects = {id(node): obj for node, obj in built}
        for node, obj in built:
            if isinstance(node, SequenceNode) and isinstance(obj, list):
                self.where.note_items(obj, [_Loc.of(shown, n.start_mark) for n in node.value])
            elif isinstance(node, MappingNode) and isinstance(obj, dict):
                keys: dict[object, _Loc] = {}
                for key_node, _ in node.value:
                    key = objects.get(id(key_node))
                    try:
                        keys[key] = _Loc.of(shown, key_node.start_mark)
                    except TypeError:  # an unhashable key: PyYAML has already refused it
                        continue
                self.where.note_keys(obj, keys)


def _yaml_diagnostic(shown: str, exc: MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    parts = [p for p in (exc.context, exc.problem) if p]
    message = "invalid YAML: " + (", ".join(parts) if parts else "cannot parse")
    return Diagnostic(
        shown,
        message,
        hint="check the indentation and quoting on this line and the one before",
        line=mark.line + 1 if mark is not None else None,
        col=mark.column + 1 if mark is not None else None,
    )


def _reader_diagnostic(shown: str, data: bytes, exc: ReaderError) -> Diagnostic:
    if exc.reason == "special characters are not allowed":
        # the position counts characters, a byte-order mark included (as PyYAML decodes)
        codec = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(data[:2], "utf-8")
        text = data.decode(codec, errors="replace")
        before = text[: exc.position]
        what = f"a control character (U+{exc.character:04X})"
        hint = "delete it, or write it as an escape inside a double-quoted string"
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
    else:  # a decoding error: the position counts bytes
        what = f"bytes that are not {exc.encoding} (0x{exc.character:02x})"
        hint = "save mkdocs.yml as UTF-8"
        line = data.count(b"\n", 0, exc.position) + 1
        col = exc.position - (data.rfind(b"\n", 0, exc.position) + 1) + 1
    return Diagnostic(shown, f"invalid YAML: {what}", hint=hint, line=line, col=col)


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


# --------------------------------------------------------------------------- settings


class _Problems:
    def __init__(self) -> None:
        self.found: list[Diagnostic] = []

    def add(self, loc: _Loc, message: str, hint: str = "") -> None:
        self.found.append(loc.diag(message, hint))


def site_from_settings(
    config_file: Path, raw: dict[object, object], lines: Mapping[str, int], *, root_docs: bool
) -> Site:
    """A site from settings read from another format (``zensical.toml``), checked as mkdocs
    checks them. ``lines``: where each top-level key was set; ``root_docs``: whether docs_dir
    may be the config file's own folder (Zensical allows it, mkdocs does not)."""
    shown = str(config_file)
    origins: dict[object, _Loc] = {key: _Loc(shown, line) for key, line in lines.items()}
    return _build_site(config_file, raw, origins, _Where(), root_docs=root_docs)


def _build_site(
    config_file: Path,
    raw: dict[object, object],
    origins: dict[object, _Loc],
    where: _Where,
    *,
    root_docs: bool = False,
) -> Site:
    shown = str(config_file)
    problems = _Problems()

    def loc(key: str) -> _Loc:
        return origins.get(key, _Loc(shown))

    if "pages" in raw:
        problems.add(
            loc("pages"),
            "the setting 'pages' was removed from mkdocs",
            hint="rename it to 'nav'",
        )

    site_name = raw.get("site_name")
    if site_name is None:
        problems.add(
            _Loc(shown),
            "site_name is missing; mkdocs requires it",
            hint="add a line such as `site_name: My Notes` to mkdocs.yml",
        )
    elif not isinstance(site_name, str):
        problems.add(loc("site_name"), f"site_name must be a string, not a {_kind(site_name)}")

    site_url = _site_url(raw.get("site_url"), loc("site_url"), problems)
    config_path = _abspath(config_file)
    docs_dir = _docs_dir(raw.get("docs_dir"), config_path, loc("docs_dir"), problems, root_docs)

    use_directory_urls = raw.get("use_directory_urls")
    if use_directory_urls is None:
        use_directory_urls = True
    elif not isinstance(use_directory_urls, bool):
        problems.add(loc("use_directory_urls"), "use_directory_urls must be true or false")
        use_directory_urls = True

    nav = _nav(raw.get("nav"), loc("nav"), where, problems, _absolute_relative_to_docs(raw))
    patterns = {key: _patterns(raw.get(key), loc(key), key, problems) for key in _PATTERN_KEYS}
    extensions = _markdown_extensions(
        raw.get("markdown_extensions"), loc("markdown_extensions"), where, problems
    )

    if problems.found:
        raise AnkigenError(problems.found)
    assert isinstance(site_name, str)
    assert docs_dir is not None
    extra = {str(k): _freeze(v, {}) for k, v in raw.items() if k not in _INTERPRETED}
    frozen_extensions = tuple((n, _freeze_mapping(c)) for n, c in extensions)
    return Site(
        config_file=config_path,
        site_name=site_name,
        site_url=site_url,
        docs_dir=docs_dir,
        use_directory_urls=use_directory_urls,
        nav=nav,
        markdown_extensions=frozen_extensions,
        exclude_docs=patterns["exclude_docs"],
        draft_docs=patterns["draft_docs"],
        extra=MappingProxyType(extra),
    )


def _site_url(value: object, loc: _Loc, problems: _Problems) -> str | None:
    # config_options.URL(is_dir=True): needs a scheme and a host; a "/" is added to the path.
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(loc, f"site_url must be a string, not a {_kind(value)}")
        return None
    if value == "":
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if parts is None or not (parts.scheme and parts.netloc):
        problems.add(
            loc,
            f"site_url {value!r} is not a full URL",
            hint="write it with its scheme, e.g. https://example.org/notes/",
        )
        return None
    if not parts.path.endswith("/"):
        parts = parts._replace(path=parts.path + "/")
    return urlunsplit(parts)


def _docs_dir(
    value: object, config_path: Path, loc: _Loc, problems: _Problems, root_docs: bool = False
) -> Path | None:
    # config_options.DocsDir: default "docs", relative to the config file's folder, must be
    # an existing folder, and must not be the config file's own folder.
    if value is None:
        value = "docs"
    if not isinstance(value, str):
        problems.add(loc, f"docs_dir must be a string, not a {_kind(value)}")
        return None
    folder = _abspath(config_path.parent / value)
    if not folder.is_dir():
        problems.add(
            loc,
            f"docs_dir {value!r} is not an existing folder (looked for {folder})",
            hint="docs_dir is relative to the folder of mkdocs.yml; mkdocs' default is 'docs'",
        )
        return None
    if folder == config_path.parent and not root_docs:
        problems.add(
            loc,
            "docs_dir must not be the folder holding mkdocs.yml",
            hint="put the pages in a child folder, such as docs/, beside mkdocs.yml",
        )
        return None
    return folder


def _absolute_relative_to_docs(raw: Mapping[object, object]) -> bool:
    """``validation: {nav: {absolute_links: relative_to_docs}}`` (or the short form)."""
    validation = raw.get("validation")
    if not isinstance(validation, dict):
        return False
    nav = validation.get("nav")
    value = nav.get("absolute_links") if isinstance(nav, dict) else None
    if value is None:
        value = validation.get("absolute_links")
    return value == "relative_to_docs"


_PATTERN_KEYS = ("exclude_docs", "draft_docs")


def _patterns(value: object, loc: _Loc, key: str, problems: _Problems) -> str:
    """``exclude_docs`` / ``draft_docs``: one string of .gitignore lines, as mkdocs takes it."""
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.add(
            loc,
            f"{key} must be a string of .gitignore-style lines, not a {_kind(value)}",
            hint=f"write it as a block: `{key}: |` and one pattern per line below it",
        )
        return ""
    return value


# --------------------------------------------------------------------------- nav


def _nav(
    value: object, loc: _Loc, where: _Where, problems: _Problems, abs_to_docs: bool
) -> tuple[NavItem, ...] | None:
    # config_options.Nav validation, then structure.nav._data_to_navigation.
    if value is None:
        return None
    if not isinstance(value, list):
        problems.add(loc, f"nav must be a list, got {_repr_item(value)}")
        return None
    if not value:
        return None
    before = len(problems.found)
    _check_nav_list(value, loc, where, problems)
    if len(problems.found) > before:
        return None
    return tuple(_nav_list(value, abs_to_docs, where, loc))


def _check_nav_list(items: list[object], loc: _Loc, where: _Where, problems: _Problems) -> None:
    for index, item in enumerate(items):
        here = where.item(items, index, loc)
        if isinstance(item, str):
            continue
        if isinstance(item, dict):
            if len(item) != 1:
                problems.add(
                    here,
                    f"a nav entry must have exactly one title, got {_repr_item(item)}",
                    hint="write each entry on its own `- Title: page.md` line",
                )
                continue
            key, sub = next(iter(item.items()))
            _check_nav_value(sub, where.key(item, key, here), where, problems)
        else:
            problems.add(
                here,
                f"a nav entry must be a page, a link or a titled section, got {_repr_item(item)}",
            )


def _check_nav_value(value: object, loc: _Loc, where: _Where, problems: _Problems) -> None:
    if isinstance(value, str):
        return
    if isinstance(value, list):
        _check_nav_list(value, loc, where, problems)
    elif isinstance(value, dict) and value:  # mkdocs warns but accepts a mapping here
        for key, sub in value.items():
            _check_nav_value(sub, where.key(value, key, loc), where, problems)
    else:
        problems.add(
            loc,
            f"a nav section must hold a list of entries, got {_repr_item(value)}",
            hint="give the section its entries as `- page.md` lines indented below it",
        )


def _nav_list(
    items: list[object], abs_to_docs: bool, where: _Where, loc: _Loc
) -> Iterator[NavItem]:
    for index, item in enumerate(items):
        here = where.item(items, index, loc)
        if isinstance(item, dict):
            yield from _nav_mapping(item, abs_to_docs, where, here)
        else:
            yield _nav_leaf(None, str(item), abs_to_docs, here)


def _nav_mapping(
    mapping: dict[object, object], abs_to_docs: bool, where: _Where, loc: _Loc
) -> Iterator[NavItem]:
    for key, value in mapping.items():
        title = None if key is None else str(key)
        here = where.key(mapping, key, loc)
        if isinstance(value, str):
            yield _nav_leaf(title, value, abs_to_docs, here)
        elif isinstance(value, dict):
            children = tuple(_nav_mapping(value, abs_to_docs, where, here))
            yield NavItem(title, None, children, written_in=here.path, line=here.line)
        elif isinstance(value, list):
            children = tuple(_nav_list(value, abs_to_docs, where, here))
            yield NavItem(title, None, children, written_in=here.path, line=here.line)


def _nav_leaf(title: str | None, target: str, abs_to_docs: bool, loc: _Loc) -> NavItem:
    lookup = target
    if abs_to_docs and lookup.startswith("/"):
        lookup = lookup.lstrip("/")
    parts = urlsplit(lookup) if "://" in lookup or lookup.startswith("//") else None
    external = parts is not None and bool(parts.scheme or parts.netloc)
    if not external and not lookup.startswith("/") and lookup.endswith(_PAGE_SUFFIXES):
        return NavItem(title, PurePath(lookup).as_posix(), written_in=loc.path, line=loc.line)
    return NavItem(title, None, url=target, written_in=loc.path, line=loc.line)


def _repr_item(value: object) -> str:
    # config_options.Nav._repr_item
    if isinstance(value, dict) and value:
        return f"a mapping with keys {tuple(value.keys())}"
    if isinstance(value, str | type(None)):
        return repr(value)
    return f"a {type(value).__name__}: {value!r}"


# --------------------------------------------------------------------------- extensions


def _markdown_extensions(
    value: object, loc: _Loc, where: _Where, problems: _Problems
) -> list[tuple[str, dict[object, object]]]:
    # config_options.MarkdownExtensions.run_validation, without importing the extensions.
    if value is None:
        return []
    pairs: list[tuple[object, object, _Loc]] = []
    if isinstance(value, dict):
        pairs = [(name, cfg, where.key(value, name, loc)) for name, cfg in value.items()]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            here = where.item(value, index, loc)
            if isinstance(item, str):
                pairs.append((item, None, here))
            elif isinstance(item, dict) and len(item) == 1:
                name, cfg = next(iter(item.items()))
                pairs.append((name, cfg, here))
            else:
                problems.add(
                    here,
                    f"a markdown_extensions entry must be a name or `name: {{config}}`, "
                    f"got {_repr_item(item)}",
                )
    else:
        problems.add(
            loc,
            f"markdown_extensions must be a list or a mapping, not a {_kind(value)}",
            hint="list one extension per line: `- admonition`",
        )
    order: dict[str, dict[object, object]] = {}
    for name, cfg, here in pairs:
        if not isinstance(name, str):
            problems.add(here, f"{name!r} is not a Markdown extension name")
            continue
        order.setdefault(name, {})
        if not cfg:  # mkdocs ignores an empty or null config
            continue
        if not isinstance(cfg, dict):
            problems.add(
                here,
                f"the config of Markdown extension {name!r} must be a mapping, not a {_kind(cfg)}",
            )
            continue
        order[name] = cfg  # a later non-empty config replaces an earlier one
    return list(order.items())


# --------------------------------------------------------------------------- freezing


class _CycleError(Exception):
    pass


def _freeze(value: object, memo: dict[int, object], busy: frozenset[int] = frozenset()) -> object:
    """Read-only copy: mappings become MappingProxyType, lists tuples, sets frozensets."""
    if isinstance(value, dict | list | set | PyApply):
        key = id(value)
        if key in memo:
            return memo[key]
        if key in busy:
            raise _CycleError
        inner = busy | {key}
        frozen: object
        if isinstance(value, dict):
            frozen = MappingProxyType({k: _freeze(v, memo, inner) for k, v in value.items()})
        elif isinstance(value, list):
            frozen = tuple(_freeze(v, memo, inner) for v in value)
        elif isinstance(value, set):
            frozen = frozenset(value)
        else:
            frozen = PyApply(
                value.path,
                tuple(_freeze(v, memo, inner) for v in value.args),
                MappingProxyType({k: _freeze(v, memo, inner) for k, v in value.kwds.items()}),
            )
        memo[key] = frozen
        return frozen
    return value


def _freeze_mapping(value: dict[object, object]) -> Mapping[str, object]:
    memo: dict[int, object] = {}
    return MappingProxyType({str(k): _freeze(v, memo) for k, v in value.items()})
