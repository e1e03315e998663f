"""markdown-it's options read at dict speed.

``OptionsDict`` inherits ``get`` and ``in`` from the Mapping ABC, which call ``__getitem__``
inside a ``try``; rules ask for an option per inline block (strikethrough) and per list.
This reads ``OptionsDict``'s private ``_options`` dict.
"""

from __future__ import annotations

from typing import Any, cast

from markdown_it import MarkdownIt
from markdown_it.utils import OptionsDict, OptionsType

__all__ = ["fast_options"]


class _Options(OptionsDict):
    def get(self, key: str, default: Any = None) -> Any:  # noqa: ANN401 - any option value
        return self._options.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._options


def fast_options(md: MarkdownIt) -> None:
    md.options = _Options(cast("OptionsType", dict(md.options)))
