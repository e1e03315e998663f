"""Pygments' RegexLexer loop with runs of a state's rules tried in one regex.

``RegexLexer.get_tokens_unprocessed`` tries a state's rules one after another from Python
until one matches: the Python lexer's root state has 56 rules, and a space is rule 37.
Here runs of a state's rules are joined into one alternation, ``(r0)|(r1)|…``; Python's
``re`` tries alternatives left to right at the same position, so the first alternative
that matches is the rule the loop would have taken, found in one call from C. The group
that closed last (``lastindex``) names it. Rules whose action is a token type take their
text from that group; callbacks (``bygroups``, ``using``) get the rule's own match, made
again. Runs and lone rules are tried in the state's order.

A rule joins a run only when that cannot change what it matches: no backreferences or
conditionals (group numbers shift inside the alternation), no verbose mode, and the same
flags as the run once its leading inline flags are scoped to it. Long patterns (Unicode
identifier classes, keyword lists) are tried alone: compiling them again is most of the
cost of joining, which is paid per state and character on first use. Lexers that bring their own
``get_tokens_unprocessed`` are left as they are, and so is every lexer when Pygments' own
loop is not one whose source we checked (Pygments 2.17 to 2.21): a newer loop could mean
something else.

Most rules cannot match at most positions: a keyword list starts with a letter, a number
with a digit. Each rule's possible first characters are read from its parse tree (``re``'s
own parser; a one-character item is compiled alone and tried on every ASCII character, so
case folding and classes are ``re``'s), and at each position only the rules that can start
with the character there are tried, still in order. Anything the reading does not know
(backreferences, conditionals, a pattern that can match the empty string) counts as any
character. On the benchmark's code, lexing went from 0.34 to 0.24 s (0.20 once every
state's steps are made).

``tests/test_speed_lexer.py`` holds the tokens equal to Pygments' own on generated code in 35
languages, and every rule of those languages to its first characters wherever it matches.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

from ankigen._speed.guards import known

# re's own parser and compiler (no stubs): what a pattern's first character can be is read
# from its parse tree, and a one-character item is compiled alone to see what it matches.
sre_constants: Any
sre_parse: Any
sre_compile: Any
try:
    sre_constants = importlib.import_module("re._constants")
    sre_parse = importlib.import_module("re._parser")
    sre_compile = importlib.import_module("re._compiler")
    _ONE_CHAR = frozenset(
        {sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.ANY, sre_constants.IN}
    )
    _ZERO_WIDTH = frozenset({sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT})
    _REPEATS = frozenset(
        {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
    )
except (ImportError, AttributeError):  # a Python whose re is laid out otherwise: every
    sre_constants = sre_parse = sre_compile = None  # rule is tried at every position
    _ONE_CHAR = _ZERO_WIDTH = _REPEATS = frozenset()

__all__ = ["Dispatch", "accelerate", "first_chars"]

# Fewer rules are quick to try one by one, and joining them costs a compile. Long patterns
# (Unicode identifier classes, keyword lists) are tried alone: they are most of the compile.
_MIN_RUN = 3
_MAX_JOINED_CHARS = 200
_UNSAFE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_LEADING_FLAGS = re.compile(r"\(\?([imsx]+)\)")
_INLINE_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}

Match = Callable[[str, int], "re.Match[str] | None"]
Rule = tuple[Match, Any, Any]  # Pygments' (match, action, new state)
# A step of a state: a run of its rules joined (the joined pattern's match, and per closing
# group the rule it stands for with whether its action needs the rule's own match object),
# or one rule tried alone (its own match, None, the rule).
Step = tuple[Match, dict[int, tuple[Rule, bool]] | None, Rule | None]


def _joinable(rule: Rule) -> tuple[str, int] | None:
    """The rule's pattern as it can stand inside an alternation, and its flags; or None."""
    rex = getattr(rule[0], "__self__", None)
    if not isinstance(rex, re.Pattern) or not isinstance(rex.pattern, str):
        return None
    pattern, flags = rex.pattern, rex.flags
    if len(pattern) > _MAX_JOINED_CHARS or _UNSAFE.search(pattern):
        return None
    lead = _LEADING_FLAGS.match(pattern)
    if lead is not None:
        if "x" in lead.group(1):
            return None
        pattern = f"(?{lead.group(1)}:{pattern[lead.end() :]})"
        for letter in lead.group(1):
            flags &= ~_INLINE_FLAGS[letter]
    if flags & re.VERBOSE:
        return None
    return pattern, flags


def _joined(run: list[tuple[Rule, str, int]]) -> Step | None:
    parts: list[str] = []
    by_group: dict[int, tuple[Rule, bool]] = {}
    group = 1
    for rule, pattern, _ in run:
        parts.append(f"({pattern})")
        by_group[group] = (rule, not isinstance(rule[1], _TokenType))
        group += 1 + rule[0].__self__.groups  # type: ignore[attr-defined]
    try:
        joined = re.compile("|".join(parts), run[0][2])
    except (re.error, OverflowError, RecursionError):
        return None
    return joined.match, by_group, None


def _steps(rules: list[Rule]) -> list[Step]:
    """The rules as steps, in order: runs of joinable rules with the same flags joined,
    other rules alone."""
    steps: list[Step] = []
    run: list[tuple[Rule, str, int]] = []

    def close() -> None:
        joined = _joined(run) if len(run) >= _MIN_RUN else None
        if joined is not None:
            steps.append(joined)
        else:
            steps.extend((rule[0], None, rule) for rule, _, _ in run)
        run.clear()

    for rule in rules:
        joinable = _joinable(rule)
        if joinable is None:
            close()
            steps.append((rule[0], None, rule))
            continue
        if run and run[0][2] != joinable[1]:
            close()
        run.append((rule, *joinable))
    close()
    return steps


# ------------------------------------------------------------- dispatch on the first character

# What reading re's internals may raise on a Python that lays them out otherwise.
_UNREADABLE = (re.error, RecursionError, TypeError, ValueError, AttributeError, IndexError)
_ASCII = 128
_ALL = (1 << _ASCII) - 1  # a bit per ASCII character: any of them


@cache
def _one_char_set(op: object, av: object, flags: int) -> int:
    """The ASCII characters one single-character item of a parsed pattern matches, found by
    trying each with the item compiled alone under the same flags (case folding, Unicode
    classes and the rest are ``re``'s own). A set's items come as a tuple.

    An ASCII literal, the most common item, is read directly (held to the compiled answer
    for every ASCII character, with and without case folding, by a test)."""
    if op is sre_constants.LITERAL and isinstance(av, int) and av < _ASCII:
        char = chr(av)
        if flags & re.IGNORECASE:
            return 1 << ord(char.lower()) | 1 << ord(char.upper())
        return 1 << av
    item = (op, list(av) if op is sre_constants.IN else av)  # type: ignore[call-overload]
    try:
        state = sre_parse.State()
        state.flags = flags
        match = sre_compile.compile(sre_parse.SubPattern(state, [item]), flags).match
    except _UNREADABLE:
        return _ALL
    bits = 0
    for code in range(_ASCII):
        if match(chr(code)):
            bits |= 1 << code
    return bits


def _first(items: Iterable[tuple[Any, Any]], flags: int) -> tuple[int, bool]:
    """(ASCII characters a match of ``items`` can start with, whether it can be empty); a
    superset where unsure (lookarounds and anchors only narrow what follows them)."""
    found = 0
    for op, av in items:
        if op in _ONE_CHAR:
            item = tuple(av) if op is sre_constants.IN else av  # hashable, for the cache
            return found | _one_char_set(op, item, flags), False
        if op in _ZERO_WIDTH:
            continue
        if op is sre_constants.SUBPATTERN:
            _, add, remove, sub = av
            bits, empty = _first(sub.data, (flags | add) & ~remove)
        elif op is sre_constants.ATOMIC_GROUP:
            bits, empty = _first(av.data, flags)
        elif op is sre_constants.BRANCH:
            bits, empty = 0, False
            for branch in av[1]:
                more, can = _first(branch.data, flags)
                bits |= more
                empty = empty or can
        elif op in _REPEATS:
            low, _, sub = av
            bits, empty = _first(sub.data, flags)
            empty = empty or low == 0
        else:  # backreferences, conditionals, anything new: any character
            return _ALL, False
        found |= bits
        if not empty:
            return found, False
    return found, True


def first_chars(rule: Rule) -> int:
    """The ASCII characters a rule's match can start with, as bits (all of them when it can
    match the empty string or its pattern cannot be read)."""
    rex = getattr(rule[0], "__self__", None)
    if not isinstance(rex, re.Pattern) or not isinstance(rex.pattern, str):
        return _ALL
    return _pattern_first_chars(rex.pattern, rex.flags)


@cache  # lexers share rules between states (``include``) and between languages
def _pattern_first_chars(pattern: str, flags: int) -> int:
    if sre_parse is None:
        return _ALL
    try:
        parsed = sre_parse.parse(pattern, flags)
        bits, empty = _first(parsed.data, parsed.state.flags)
    except _UNREADABLE:  # a parse tree laid out otherwise than we read it: any character
        return _ALL
    return _ALL if empty else bits


_OTHER = _ASCII  # the character at the position is not ASCII
_END = _ASCII + 1  # the position is the end of the text


class Dispatch:
    """A state's steps for the character at the position: for an ASCII character, only the
    rules whose match can start with it, in the state's order (so the first rule to match
    is the same one); at the end of the text, only rules that can match the empty string;
    for any other character, every rule. Each entry is made the first time it is needed.
    """

    __slots__ = ("_firsts", "_made", "_rules", "table")

    def __init__(self, rules: list[Rule]) -> None:
        self._rules = rules
        self._firsts = [first_chars(rule) for rule in rules]
        self._made: dict[tuple[int, ...], list[Step]] = {}
        self.table: list[list[Step] | None] = [None] * (_END + 1)

    def of(self, code: int) -> list[Step]:
        """The steps for ``code``: an ASCII character, ``_END`` or ``_OTHER``; made now."""
        firsts = self._firsts
        if code == _OTHER:
            key = tuple(range(len(firsts)))
        elif code == _END:
            key = tuple(i for i, bits in enumerate(firsts) if bits == _ALL)
        else:
            key = tuple(i for i, bits in enumerate(firsts) if bits >> code & 1)
        steps = self._made.get(key)
        if steps is None:
            steps = self._made[key] = _steps([self._rules[i] for i in key])
        self.table[code] = steps
        return steps


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


def _find(
    steps: list[Step] | None, rules: list[Rule], text: str, pos: int
) -> tuple[Rule, re.Match[str] | None, str, int] | None:
    """The first rule of the state matching at ``pos``: the rule, its own match when its
    action needs one (else None), and the matched text and where it ends."""
    if steps is None:
        first = _first_rule(rules, text, pos)
        return None if first is None else (first[0], first[1], "", 0)
    for match, by_group, single in steps:
        hit = match(text, pos)
        if hit is None:
            continue
        if single is not None:
            return single, hit, "", 0
        assert by_group is not None
        group = hit.lastindex or 0
        rule, needs_match = by_group[group]
        if not needs_match:
            return rule, None, hit.group(group), hit.end(group)
        m = rule[0](text, pos)
        if m is None:  # cannot happen; if it did, the plain loop decides
            return _find(None, rules, text, pos)
        return rule, m, "", 0
    return None


# Joining and dispatching cost compiles on each state's first use (30 ms for a few lines of
# Python), which a lexer earns back only over a few thousand characters: until a lexer has
# lexed this much text in the process, it runs Pygments' own loop. A one-card edit then
# pays no compile; a whole build switches after its first code blocks.
WARM_UP_CHARS = 4000


def _joined_loop(
    lexer: Lexer,
    tokendefs: dict[str, list[Rule]],
    steps_of: Callable[[str], Dispatch],
    text: str,
    stack: Iterable[str],
) -> Iterator[Any]:
    """Pygments' loop over ``text``, each state's rules tried as its dispatch says."""
    pos = 0
    length = len(text)
    statestack = list(stack)
    state = steps_of(statestack[-1])
    while True:
        code = min(ord(text[pos]), _OTHER) if pos < length else _END
        steps = state.table[code]
        if steps is None:
            steps = state.of(code)
        found = _find(steps, tokendefs[statestack[-1]], text, pos)
        if found is not None:
            (_, action, new_state), m, value, end = found
            if m is None:  # a token rule of a joined run: its text is known
                if action is not None:
                    yield pos, action, value
                pos = end
            else:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(lexer, m)
                pos = m.end()
            if new_state is not None:
                _transition(statestack, new_state)
                state = steps_of(statestack[-1])
            continue
        # No rule matched: a newline resets to the root state, anything else is an error.
        if pos >= len(text):
            break
        if text[pos] == "\n":
            statestack = ["root"]
            state = steps_of("root")
            yield pos, Whitespace, "\n"
        else:
            yield pos, Error, text[pos]
        pos += 1


def accelerate(lexer: Lexer, *, after: int = WARM_UP_CHARS) -> Lexer:
    """``lexer``, its plain RegexLexer loop replaced by the joined one (same tokens) once it
    has lexed ``after`` characters with Pygments' own."""
    if not isinstance(lexer, RegexLexer) or not known("lexer"):
        return lexer
    if type(lexer).get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed:
        return lexer
    tokendefs: dict[str, list[Rule]] = lexer._tokens  # type: ignore[attr-defined]
    # Made on first use: compiling every state of Python's lexer up front took 72 ms, in
    # each render process, for states most code never enters.
    dispatch: dict[str, Dispatch] = {}

    def steps_of(state: str) -> Dispatch:
        if state not in dispatch:
            dispatch[state] = Dispatch(tokendefs[state])
        return dispatch[state]

    plain = RegexLexer.get_tokens_unprocessed
    lexed = 0

    def unprocessed(text: str, stack: Iterable[str] = ("root",)) -> Iterator[Any]:
        nonlocal lexed
        if lexed < after:
            lexed += len(text)
            return plain(lexer, text, stack)
        return _joined_loop(lexer, tokendefs, steps_of, text, stack)

    lexer.get_tokens_unprocessed = unprocessed  # type: ignore[method-assign]
    return lexer
