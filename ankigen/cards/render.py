"""Turn split cards into the HTML of the note's fields."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from ankigen.cards.anchors import context_div
from ankigen.cards.fields import links_html, source_html
from ankigen.cards.sanitize import sanitize
from ankigen.config.flavor import DEFAULT_FLAVOR, Flavor
from ankigen.errors import Diagnostic, Severity
from ankigen.records import RenderedCard, SplitCard
from ankigen.syntax.admonition import OPEN_BOXES
from ankigen.syntax.markdown import markdown
from ankigen.syntax.refs import ENV_KEY, CardRefs, stamp_lines

__all__ = ["plain_text", "render_card"]

_TEXT_TYPES = frozenset(
    {
        "text",
        "code_inline",
        "math_inline",
        "math_inline_double",
        "math_block",
        "fence",
        "code_block",
    }
)


def plain_text(tokens: Sequence[Token]) -> str:
    """The visible text of a token run, whitespace collapsed (used for identity)."""
    parts: list[str] = []
    _text_parts(tokens, parts)
    return " ".join("".join(parts).split())


def _text_parts(run: Sequence[Token], parts: list[str]) -> None:
    # A module function, not a closure calling itself: such a closure is a reference cycle,
    # and with the collector paused during a build each card's leaked until the build ended
    # (~45 MB at 100,000 cards on one core).
    for tok in run:
        if tok.children:
            _text_parts(tok.children, parts)
        elif tok.type in _TEXT_TYPES:
            parts.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        if tok.block:
            parts.append(" ")


def _html_renderer(md: MarkdownIt) -> RendererHTML:
    renderer = md.renderer
    assert isinstance(renderer, RendererHTML)
    return renderer


def _has_raw_html(tokens: Sequence[Token]) -> bool:
    for token in tokens:
        if token.type == "html_block":
            return True
        # Raw inline HTML needs a "<" in its block's source: skip the children otherwise.
        if (
            token.type == "inline"
            and "<" in token.content
            and any(child.type == "html_inline" for child in token.children or ())
        ):
            return True
    return False


def render_card(
    split: SplitCard,
    flavor: Flavor = DEFAULT_FLAVOR,
    url: str | None = None,
    refs: CardRefs | None = None,
) -> RenderedCard:
    """Field HTML of one card. ``refs`` resolves its images and links to other pages."""
    md = markdown(flavor)
    env: dict[str, object] = {}
    if refs is not None:
        stamp_lines(split.question)
        stamp_lines(split.answer)
        env[ENV_KEY] = refs
    card = split.card
    if card.lead is not None and not card.lead:  # a label box with nothing before it
        question_html = f"<p>{escape(card.fallback, quote=False)}</p>"
    elif split.question_is_block:
        question_html = md.renderer.render(list(split.question), md.options, env).strip()
    else:
        children = split.question[0].children or [] if split.question else []
        question_html = _html_renderer(md).renderInline(children, md.options, env)
    answer_html = md.renderer.render(list(split.answer), md.options, {**env, OPEN_BOXES: True})
    answer_html = answer_html.strip()
    if _has_raw_html(split.question) or _has_raw_html(split.answer):
        image = (lambda src: refs.html_image(src, card.line)) if refs is not None else None
        question_html, dropped_q = sanitize(question_html, image)
        answer_html, dropped_a = sanitize(answer_html, image)
        dropped = sorted(set(dropped_q) | set(dropped_a))
        if dropped and refs is not None:
            refs.problems.append(
                Diagnostic(
                    card.page,
                    f"unsafe HTML removed from the card: {', '.join(dropped)}",
                    hint="cards are plain HTML and CSS: no scripts, styles, frames or event "
                    "handlers",
                    line=card.line,
                    severity=Severity.WARNING,
                )
            )
    question_text = plain_text(split.question)
    if card.lead is not None:  # the heading it answers is part of the question
        question_text = " ".join(filter(None, (card.heading, question_text))) or card.fallback
        if card.lead and card.heading:
            question_html = context_div(card.heading) + question_html
    if question_text == question_html:
        # A plain title: one string for both, ~1.5 MB less held per 10,000 cards. The render
        # cache and the pool's results keep the sharing (marshal refers to a string it met).
        question_text = question_html
    return RenderedCard(
        page=card.page,
        line=card.line,
        col=card.col,
        kind=card.kind,
        question_html=question_html,
        question_text=question_text,
        answer_html=answer_html,
        links=split.links,
        links_html=links_html(split.links),
        source_html=source_html(card.page, card.heading, url),
        explicit_id=split.explicit_id,
        media=tuple(refs.media) if refs is not None else (),
        problems=tuple(refs.problems) if refs is not None else (),
    )
