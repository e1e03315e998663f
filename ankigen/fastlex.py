"""Pygments' RegexLexer loop with each state's rules tried in one regex.

``RegexLexer.get_tokens_unprocessed`` tries a state's rules one after another from Python
until one matches: the Python lexer's root state has 56 rules, and a space is rule 37.
Here each state's rules are joined into one alternation, ``(r0)|(r1)|…``; Python's ``re``
tries alternatives left to right at the same position, so the first alternative that
matches is the rule the loop would have taken, found in one call from C. The group that
closed last (``lastindex``) names it. Rules whose action is a token type take their text
from that group; callbacks (``bygroups``, ``using``) get the rule's own match, made again.

A state is joined only when that cannot change what its rules match: no backreferences
or conditionals (group numbers shift inside the alternation), no verbose mode, the same
flags once each rule's leading inline flags are scoped to it, and the joined pattern
compiles. Other states keep the rule-by-rule loop, and lexers that bring their own
``get_tokens_unprocessed`` are left as they are. ``tests/test_fastlex.py`` holds the
tokens equal to Pygments' own on generated code in many languages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

__all__ = ["accelerate", "joined_states"]

_UNSAFE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_LEADING_FLAGS = re.compile(r"\(\?([imsx]+)\)")
_INLINE_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}

Rule = tuple[Callable[[str, int], "re.Match[str] | None"], Any, Any]
# Per state: the joined pattern's match, and per closing group the rule it stands for with
# whether its action needs the rule's own match object.
Joined = tuple[Callable[[str, int], "re.Match[str] | None"], dict[int, tuple[Rule, int, bool]]]


def _join(rules: list[Rule]) -> Joined | None:
    parts: list[str] = []
    by_group: dict[int, tuple[Rule, int, bool]] = {}
    flags: int | None = None
    group = 1
    for rule in rules:
        rex = getattr(rule[0], "__self__", None)
        if not isinstance(rex, re.Pattern) or not isinstance(rex.pattern, str):
            return None
        pattern, own = rex.pattern, rex.flags
        if _UNSAFE.search(pattern):
            return None
        lead = _LEADING_FLAGS.match(pattern)
        if lead is not None:
            pattern = f"(?{lead.group(1)}:{pattern[lead.end() :]})"
            for letter in lead.group(1):
                own &= ~_INLINE_FLAGS[letter]
        if own & re.VERBOSE or (lead is not None and "x" in lead.group(1)):
            return None
        if flags is None:
            flags = own
        elif own != flags:
            return None
        parts.append(f"({pattern})")
        by_group[group] = (rule, group, not isinstance(rule[1], _TokenType))
        group += 1 + rex.groups
    if not parts or flags is None:
        return None
    try:
        joined = re.compile("|".join(parts), flags)
    except (re.error, OverflowError, RecursionError):
        return None
    return joined.match, by_group


def joined_states(lexer: Lexer) -> dict[str, Joined | None]:
    tokendefs: dict[str, list[Rule]] = lexer._tokens  # type: ignore[attr-defined]
    return {state: _join(rules) for state, rules in tokendefs.items()}


def _transition(statestack: list[str], new_state: str | int | tuple[str, ...]) -> None:
    """Pygments' state change after a rule, in place."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(statestack) > 1:
                    statestack.pop()
            elif state == "#push":
                statestack.append(statestack[-1])
            else:
                statestack.append(state)
    elif isinstance(new_state, int):
        # pop, keeping at least the root state
        if abs(new_state) >= len(statestack):
            del statestack[1:]
        else:
            del statestack[new_state:]
    elif new_state == "#push":
        statestack.append(statestack[-1])
    else:
        raise AssertionError(f"wrong state def: {new_state!r}")


def _first_rule(rules: list[Rule], text: str, pos: int) -> tuple[Rule, re.Match[str]] | None:
    for rule in rules:
        m = rule[0](text, pos)
        if m:
            return rule, m
    return None


def accelerate(lexer: Lexer) -> Lexer:
    """``lexer``, its plain RegexLexer loop replaced by the joined one (same tokens)."""
    if not isinstance(lexer, RegexLexer):
        return lexer
    if type(lexer).get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed:
        return lexer
    tokendefs: dict[str, list[Rule]] = lexer._tokens  # type: ignore[attr-defined]
    joined = joined_states(lexer)
    if not any(joined.values()):
        return lexer

    def unprocessed(text: str, stack: Iterable[str] = ("root",)) -> Iterator[Any]:
        pos = 0
        statestack = list(stack)
        combo = joined[statestack[-1]]
        while True:
            found: tuple[Rule, re.Match[str] | None] | None = None
            hit = combo[0](text, pos) if combo is not None else None
            if hit is not None and combo is not None:
                rule, group, needs_match = combo[1][hit.lastindex or 0]
                if not needs_match:
                    if rule[1] is not None:
                        yield pos, rule[1], hit.group(group)
                    pos = hit.end(group)
                    found = rule, None
                elif m := rule[0](text, pos):
                    found = rule, m
            if found is None and (combo is None or hit is not None):
                # a state that is not joined, or (cannot happen) a joined hit not confirmed
                found = _first_rule(tokendefs[statestack[-1]], text, pos)
            if found is not None:
                (_, action, new_state), m = found
                if m is not None:
                    if action is not None:
                        if type(action) is _TokenType:
                            yield pos, action, m.group()
                        else:
                            yield from action(lexer, m)
                    pos = m.end()
                if new_state is not None:
                    _transition(statestack, new_state)
                    combo = joined[statestack[-1]]
                continue
            # No rule matched: a newline resets to the root state, anything else is an error.
            if pos >= len(text):
                break
            if text[pos] == "\n":
                statestack = ["root"]
                combo = joined["root"]
                yield pos, Whitespace, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1

    lexer.get_tokens_unprocessed = unprocessed  # type: ignore[method-assign]
    return lexer
