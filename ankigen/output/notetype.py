"""The note type, frozen once published: its id, name, fields and template names never change.

Templates and CSS may change; they reach users because the note type's mod moves forward
whenever their content hash changes (see ``ids``).
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from ankigen.records import NoteType

__all__ = ["FIELDS", "NOTETYPE_ID", "NOTETYPE_NAME", "note_type"]

NOTETYPE_ID = 1_732_521_600_001
NOTETYPE_NAME = "ankigen Q&A v1"
FIELDS = ("Question", "Answer", "Links", "Source")
TEMPLATE_NAME = "Card 1"


def _asset(name: str) -> str:
    return files("ankigen").joinpath("assets", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def note_type() -> NoteType:
    from ankigen.syntax.codecss import code_css  # noqa: PLC0415 - Pygments, when needed

    return NoteType(
        id=NOTETYPE_ID,
        name=NOTETYPE_NAME,
        fields=FIELDS,
        template_name=TEMPLATE_NAME,
        front=_asset("front.html"),
        back=_asset("back.html"),
        css=_asset("style.css") + "\n/* code highlighting (Pygments) */\n" + code_css(),
    )
