"""Which site extensions pages are rendered with, and their options: a value, no parser."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["DEFAULT_FLAVOR", "Flavor"]


def _plain(value: object) -> object:
    """Read-only mappings and tuples (as the site loader freezes them) as JSON-able values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Flavor:
    """Which site extensions a page is rendered with, and their options (as sorted JSON)."""

    extensions: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, extensions: Iterable[tuple[str, Mapping[str, object]]]) -> Flavor:
        return cls(
            tuple(
                (name, json.dumps(_plain(options), sort_keys=True, default=repr))
                for name, options in extensions
            )
        )


DEFAULT_FLAVOR = Flavor.of(
    (name, {}) for name in ("tables", "ankigen.strikethrough", "pymdownx.arithmatex")
)
