"""The block state's line table, made with string methods, is markdown-it's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from ankigen._speed.blocks import FastStateBlock, fast_block_plugin, line_table
from ankigen.syntax.markdown import markdown
from tests.conftest import bench_pages, guards_unknown, token_shape

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


def test_pages_parse_to_the_same_tokens(tmp_path: Path) -> None:
    pages = [*(ROOT / "tests" / "fixtures").rglob("*.md"), *bench_pages(tmp_path, 300, seed=5)]
    assert len(pages) > 30
    plain, fast = MarkdownIt("commonmark"), MarkdownIt("commonmark")
    fast_block_plugin(fast)
    assert "parse" in vars(fast.block)
    for page in sorted(pages):
        text = page.read_text(encoding="utf-8")
        assert token_shape(fast.parse(text)) == token_shape(plain.parse(text)), page


def test_the_build_uses_it_and_an_unknown_markdown_it_keeps_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert "parse" in vars(markdown().block)
    with guards_unknown("blocks"):
        md = MarkdownIt("commonmark")
        fast_block_plugin(md)
        assert "parse" not in vars(md.block)
