"""The note type, frozen once published: its id, name, fields and template names never change.

Templates and CSS may change; they reach users because the note type's mod moves forward
whenever their content hash changes (see ``ids``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from ankigen.syntax.highlight import code_css

__all__ = ["FIELDS", "NOTETYPE_ID", "NOTETYPE_NAME", "NoteType", "note_type"]

NOTETYPE_ID = 1_732_521_600_001
NOTETYPE_NAME = "ankigen Q&A v1"
FIELDS = ("Question", "Answer", "Links", "Source")
TEMPLATE_NAME = "Card 1"


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    fields: tuple[str, ...]
    template_name: str
    front: str
    back: str
    css: str

    @property
    def schema(self) -> tuple[int, str, tuple[str, ...], tuple[str, ...]]:
        """What Anki compares on import: a change here makes a `Name+` copy for users."""
        return (self.id, self.name, self.fields, (self.template_name,))

    @property
    def content_hash(self) -> str:
        data = json.dumps(
            [self.id, self.name, self.fields, self.template_name, self.front, self.back, self.css]
        )
        return hashlib.sha256(data.encode()).hexdigest()[:16]


def _asset(name: str) -> str:
    return files("ankigen").joinpath("assets", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def note_type() -> NoteType:
    return NoteType(
        id=NOTETYPE_ID,
        name=NOTETYPE_NAME,
        fields=FIELDS,
        template_name=TEMPLATE_NAME,
        front=_asset("front.html"),
        back=_asset("back.html"),
        css=_asset("style.css") + "\n/* code highlighting (Pygments) */\n" + code_css(),
    )
