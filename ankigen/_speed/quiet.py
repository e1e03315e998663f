"""Silence markdown-it-py's per-rule debug logging, which costs ~3% of a large build.

Every block rule of markdown-it-py starts with ``LOGGER.debug("entering …", state, …)``:
hundreds of thousands of calls per build whose output nobody reads. The module loggers are
replaced with a stand-in whose ``debug`` does nothing; any other logging call still works.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil

import markdown_it.rules_block

__all__ = ["quiet_markdown_it"]


class _QuietLogger(logging.LoggerAdapter[logging.Logger]):
    def debug(self, *args: object, **kwargs: object) -> None:
        return None


def quiet_markdown_it() -> None:
    for info in pkgutil.iter_modules(markdown_it.rules_block.__path__):
        module = importlib.import_module(f"markdown_it.rules_block.{info.name}")
        logger = getattr(module, "LOGGER", None)
        if isinstance(logger, logging.Logger):
            module.LOGGER = _QuietLogger(logger, {})  # type: ignore[attr-defined]
