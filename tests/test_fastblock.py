"""The block state's line table, made with string methods, is markdown-it's own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from ankigen import fastblock
from ankigen.fastblock import FastStateBlock, fast_block_plugin, line_table
from ankigen.mdit import markdown

ROOT = Path(__file__).resolve().parent.parent
MD = MarkdownIt("commonmark")

SOURCE = st.lists(
    st.sampled_from([" ", "  ", "    ", "\t", " \t", "\n", "\n\n", "a", "- b", "> q", "```", "é"]),
    max_size=30,
).map("".join)


@settings(max_examples=2000)
@given(SOURCE)
@example("")
@example("   ")
@example("a\n  \t ")
@example("\t\tx\n \t y\n")
@example("a\n\n")
def test_the_line_table_is_markdown_its(src: str) -> None:
    plain = StateBlock(src, MD, {}, [])
    assert line_table(src) == (
        plain.bMarks,
        plain.eMarks,
        plain.tShift,
        plain.sCount,
        plain.bsCount,
    )
    fast = FastStateBlock(src, MD, {}, [])
    assert {k: v for k, v in vars(fast).items() if k != "md"} == {
        k: v for k, v in vars(plain).items() if k != "md"
    }


def _shape(tokens: list[Token]) -> list[object]:
    return [
        (
            t.type,
            t.tag,
            t.content,
            t.map,
            t.markup,
            t.info,
            sorted(t.attrs.items()),
            t.level,
            tuple(_shape(t.children or [])),
        )
        for t in tokens
    ]


def test_pages_parse_to_the_same_tokens(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_build import generate  # noqa: PLC0415
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(tmp_path, 300, seed=5)
    pages = [*(ROOT / "tests" / "fixtures").rglob("*.md"), *tmp_path.rglob("*.md")]
    assert len(pages) > 30
    plain, fast = MarkdownIt("commonmark"), MarkdownIt("commonmark")
    fast_block_plugin(fast)
    assert "parse" in vars(fast.block)
    for page in sorted(pages):
        text = page.read_text(encoding="utf-8")
        assert _shape(fast.parse(text)) == _shape(plain.parse(text)), page


def test_the_build_uses_it_and_an_unknown_markdown_it_keeps_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert "parse" in vars(markdown().block)
    monkeypatch.setattr(fastblock, "KNOWN_SOURCES", frozenset())
    md = MarkdownIt("commonmark")
    fast_block_plugin(md)
    assert "parse" not in vars(md.block)
