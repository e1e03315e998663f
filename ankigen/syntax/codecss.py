"""The note type's code colours: Pygments' rules for the light and night styles.

Its own module, importing Pygments' formatter only, so the note type is made without loading
markdown-it (a rebuild that renders its pages elsewhere never needs it).
"""

from __future__ import annotations

from pygments.formatters import HtmlFormatter

__all__ = ["DARK_STYLE", "LIGHT_STYLE", "code_css"]

LIGHT_STYLE = "default"
DARK_STYLE = "monokai"


def code_css() -> str:
    """Pygments rules for light mode, and for Anki's ``.nightMode``."""
    light: str = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark: str = HtmlFormatter(style=DARK_STYLE).get_style_defs(  # type: ignore[no-untyped-call]
        ".nightMode .highlight"
    )
    # The light style's bold, italic and error borders must not leak into night mode, where
    # only the dark style's own rules (more specific than this reset) apply.
    reset = ".nightMode .highlight span { font-weight: normal; font-style: normal; border: none; }"
    return f"{light}\n{reset}\n{dark}\n"
