"""What the block-level extension modules share: option readers and small state helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

__all__ = [
    "BlockRule",
    "Options",
    "bool_option",
    "container_token",
    "enclosing",
    "inline_tokens",
    "interrupts_paragraph",
    "line_text",
    "next_nonblank",
    "str_option",
    "text_token",
]


Options = Mapping[str, object]
BlockRule = Callable[[StateBlock, int, int, bool], bool]


def str_option(options: Options, name: str, default: str) -> str:
    value = options.get(name, default)
    return value if isinstance(value, str) else default


def bool_option(options: Options, name: str, default: bool) -> bool:
    value = options.get(name, default)
    return value if isinstance(value, bool) else default


def line_text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def next_nonblank(state: StateBlock, line: int, end_line: int) -> int:
    while line < end_line and state.isEmpty(line):
        line += 1
    return line


def interrupts_paragraph(state: StateBlock, line: int, end_line: int, skip: str) -> bool:
    """Whether a block rule other than ``skip`` would end a paragraph at ``line``."""
    old_parent = state.parentType
    state.parentType = "paragraph"
    try:
        for rule in state.md.block.ruler.getRules("paragraph"):
            if getattr(rule, "__name__", "") != skip and rule(state, line, end_line, True):
                return True
        return False
    finally:
        state.parentType = old_parent


def container_token(state: StateBlock) -> Token | None:
    """The token that opened the innermost block being parsed (None at the page's top).

    ``state.parentType`` cannot tell: markdown-it's setext rule leaves it at "paragraph".
    """
    if state.level == 0:
        return None
    depth = 0
    for token in reversed(state.tokens):
        depth += token.nesting
        if depth > 0:
            return token
    return None


def inline_tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.type == "inline":
            yield token


def enclosing(tokens: Sequence[Token], idx: int) -> int | None:
    """Index of the token that opens the block containing ``tokens[idx]``."""
    depth = 0
    for j in range(idx - 1, -1, -1):
        depth += tokens[j].nesting
        if depth > 0:
            return j
    return None


def text_token(content: str, level: int) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = level
    return token
