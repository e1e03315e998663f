"""Tokens made slot by slot are markdown-it's own, and so are the streams made of them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from ankigen._speed import tokens as fasttoken
from ankigen._speed.tokens import FastStateInline, blank_token, fast_inline_plugin
from ankigen.syntax.markdown import markdown
from tests.conftest import bench_pages, guards_unknown

ROOT = Path(__file__).resolve().parent.parent


def _slots(token: Token) -> dict[str, object]:
    return {f.name: getattr(token, f.name) for f in dataclasses.fields(Token)}


@settings(max_examples=300)
@given(st.text(max_size=12), st.text(max_size=4), st.sampled_from([-1, 0, 1]))
def test_a_blank_token_is_the_dataclass_one(ttype: str, tag: str, nesting: int) -> None:
    made = blank_token(ttype, tag, nesting)  # type: ignore[arg-type]
    stock = Token(ttype, tag, nesting)  # type: ignore[arg-type]
    assert type(made) is Token
    assert _slots(made) == _slots(stock)
    assert made == stock


def test_each_blank_token_has_its_own_dicts() -> None:
    a, b = blank_token("text", "", 0), blank_token("text", "", 0)
    a.attrs["x"] = "1"
    a.meta["y"] = 2
    assert b.attrs == {} and b.meta == {}


def _plain(value: object) -> object:
    """A token stream as comparable data: every token field, children and ``meta``
    values included (ankigen's rules put slotted objects there, which have no ``==``)."""
    if isinstance(value, Token):
        return {name: _plain(v) for name, v in _slots(value).items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    slots = [s for c in type(value).__mro__ for s in getattr(c, "__slots__", ())]
    if slots and not isinstance(value, str | int | float | bool):
        return (type(value).__name__, {s: _plain(getattr(value, s)) for s in slots})
    return value


def _full_markdown(monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> MarkdownIt:
    """ankigen's parser, with or without the fast token paths."""
    if fast:
        return markdown()
    with guards_unknown("tokens"):
        return markdown()


def test_pages_parse_to_equal_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every field of every token, children included (the dataclass's ``==``), through
    all of ankigen's block and inline rules."""
    pages = [*(ROOT / "tests" / "fixtures").rglob("*.md"), *bench_pages(tmp_path, 300, seed=9)]
    assert len(pages) > 30
    stock = _full_markdown(monkeypatch, fast=False)
    fast = _full_markdown(monkeypatch, fast=True)
    assert "parse" in vars(fast.inline) and "parse" not in vars(stock.inline)
    made: list[type] = []
    real_push = FastStateInline.push

    def push(self: FastStateInline, *args: object) -> Token:
        made.append(type(self))
        return real_push(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(FastStateInline, "push", push)
    for page in sorted(pages):
        text = page.read_text(encoding="utf-8")
        assert _plain(fast.parse(text, {})) == _plain(stock.parse(text, {})), page
    assert made, "the fast inline state was not used"


# Delimiter runs at the top level, only inside a link's label, lone or unmatched, and none.
SNIPPETS = [
    "plain text, no delimiters",
    "**bold** and _em_ and ~~struck~~",
    "[*em* inside a label](https://example.org/) only",
    "[plain label](https://example.org/) then *em*",
    "a * b _ c ~ d",
    "***strong em*** and ~~~odd~~",
    "`code *not em*` and https://example.org/a_b_c",
]


def test_the_delimiter_rules_are_skipped_only_with_no_delimiter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stock = _full_markdown(monkeypatch, fast=False)
    fast = _full_markdown(monkeypatch, fast=True)
    skipped = 0
    real = fasttoken._has_delimiters

    def has_delimiters(state: StateInline) -> bool:
        nonlocal skipped
        found = real(state)
        skipped += not found
        return found

    monkeypatch.setattr(fasttoken, "_has_delimiters", has_delimiters)
    for snippet in SNIPPETS:
        for text in (snippet, f"- {snippet}\n\n    > {snippet}\n"):
            assert _plain(fast.parse(text, {})) == _plain(stock.parse(text, {})), text
    assert skipped >= 4


def test_the_build_uses_them_and_an_unknown_token_class_keeps_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    md = markdown()
    assert "parse" in vars(md.inline)
    fasttoken.tokens_known.cache_clear()
    try:
        monkeypatch.setattr(fasttoken, "TOKEN_FIELDS", fasttoken.TOKEN_FIELDS[:-1])
        plain = MarkdownIt("commonmark")
        fast_inline_plugin(plain)
        assert "parse" not in vars(plain.inline)
    finally:
        fasttoken.tokens_known.cache_clear()
