"""Where a build writes: the deck's file name (light: a no-change rebuild needs it too)."""

from __future__ import annotations

import re

__all__ = ["apkg_name"]


def apkg_name(deck: str) -> str:
    """The .apkg file name of a deck: its name in lower case, runs of other characters than
    letters and digits as one ``-``."""
    slug = re.sub(r"[^\w]+", "-", deck.casefold()).strip("-")
    return f"{slug or 'deck'}.apkg"
