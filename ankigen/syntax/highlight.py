"""Build-time code highlighting with Pygments: CSS classes in the field, styles in the note type."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from markdown_it.common.utils import escapeHtml
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ankigen import _speed

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = ["highlight_code", "highlight_plugin"]

_FORMATTER = HtmlFormatter(cssclass="highlight", nowrap=True)


def _lexer(lang: str) -> Lexer | None:
    return _cached_lexer(lang, _speed.enabled("lexer"))


@lru_cache(maxsize=256)
def _cached_lexer(lang: str, fast: bool) -> Lexer | None:
    try:
        found = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
        return _speed.faster_lexer(found) if fast else found
    except ClassNotFound:
        return None


def highlight_code(code: str, lang: str) -> str:
    """``<div class="highlight"><pre><code>…</code></pre></div>``; unknown languages stay plain."""
    lexer = _lexer(lang.lower()) if lang else None
    inner = highlight(code, lexer, _FORMATTER) if lexer is not None else escapeHtml(code)
    cls = f' class="language-{escapeHtml(lang)}"' if lang else ""
    return f'<div class="highlight"><pre><code{cls}>{inner}</code></pre></div>\n'


def _render_fence(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    lang = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    return highlight_code(token.content, lang.lstrip("{.").rstrip("}"))


def _render_code_block(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return highlight_code(tokens[idx].content, "")


def highlight_plugin(md: MarkdownIt) -> None:
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_code_block)
