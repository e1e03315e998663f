"""``plugins: [ankigen]`` in mkdocs.yml: the deck built beside the site, on every build.

A thin door to the same build as ``ankigen build SITE``: after mkdocs has written the site
(``on_post_build``), ankigen reads the site's own ``mkdocs.yml`` and pages the way it always
does and writes ``<deck>.apkg`` (and its two report files) into the built site, updating
the lockfile as a build does. It changes no page and never touches mkdocs' Markdown
processing. Diagnostics go through mkdocs' logger, warnings as warnings, so
``mkdocs build --strict`` fails on them (and then no deck is written, as under
``ankigen build --strict``); an error stops the mkdocs build with a ``PluginError``.

Only this module imports mkdocs; it is loaded by mkdocs through the ``mkdocs.plugins``
entry point, never by the ``ankigen`` command.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Literal

from mkdocs.config import config_options as c
from mkdocs.config.base import Config as PluginConfig
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from ankigen.errors import AnkigenError, Diagnostic, Severity

__all__ = ["AnkigenPlugin", "AnkigenPluginConfig"]

log = get_plugin_logger(__name__)  # "mkdocs.plugins.ankigen…", messages start "ankigen: "

Command = Literal["build", "gh-deploy", "serve"]


class AnkigenPluginConfig(PluginConfig):  # type: ignore[no-untyped-call]
    # where the deck goes, relative to the built site (default: <deck>.apkg at its root)
    path = c.Optional(c.Type(str))
    # off: the plugin does nothing (e.g. `enabled: !ENV [ANKIGEN, true]` for quick serves)
    enabled = c.Type(bool, default=True)


def _target(site_dir: Path, path: str | None, default: str) -> Path:
    if path is None:
        return site_dir / default
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or rel.suffix.lower() != ".apkg":
        raise PluginError(
            f"ankigen: plugin option path: {path!r} must be a relative path ending in .apkg "
            "inside the built site, e.g. downloads/deck.apkg"
        )
    return site_dir / rel


def _log(diag: Diagnostic) -> None:
    (log.error if diag.severity is Severity.ERROR else log.warning)(diag.format())


class AnkigenPlugin(BasePlugin[AnkigenPluginConfig]):  # type: ignore[no-untyped-call]
    """Builds the deck of the site into the built site after each mkdocs build."""

    def __init__(self) -> None:
        super().__init__()
        self.command: Command = "build"

    def on_startup(self, *, command: Command, dirty: bool) -> None:
        self.command = command

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        from ankigen import build  # noqa: PLC0415
        from ankigen.cli.run import _clock, _summary  # noqa: PLC0415
        from ankigen.config.project import load_config  # noqa: PLC0415
        from ankigen.files import project_lock  # noqa: PLC0415
        from ankigen.freshness import open_cache  # noqa: PLC0415

        environ = dict(os.environ)
        source = Path(config.config_file_path)
        try:
            settings = load_config(source, environ)
            deck = build.apkg_name(settings.deck)
            output = _target(Path(config.site_dir), self.config.path, deck)
            cache = None if environ.get("ANKIGEN_NO_CACHE") else open_cache(environ)
            # `mkdocs serve` runs a server thread beside the build: no forked workers there.
            workers = 1 if self.command == "serve" else build.available_cores()
            with project_lock(settings.lock_path):
                plan = build.plan_build(
                    source, settings, _clock(environ), output, cache=cache, workers=workers
                )
                for diag in plan.diagnostics:
                    _log(diag)
                if config.strict and plan.diagnostics:
                    log.info("warnings are errors under --strict; no deck written")
                    return
                output.parent.mkdir(parents=True, exist_ok=True)
                build.write_build(plan)
        except AnkigenError as exc:
            for diag in exc.diagnostics:
                _log(diag)
            errors = sum(d.severity is Severity.ERROR for d in exc.diagnostics)
            message = f"ankigen: build failed with {errors} error(s), no deck written"
            raise PluginError(message) from None
        except OSError as exc:
            message = f"ankigen: cannot write {exc.filename or ''}: {exc.strerror or exc}"
            raise PluginError(message) from None
        log.info(_summary(plan, wrote=True).removeprefix("ankigen: "))
