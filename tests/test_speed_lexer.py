"""Joined lexer states give exactly Pygments' own tokens, in every language tried."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexer import Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ankigen._speed import lexer as fastlex
from ankigen._speed.guards import known
from ankigen._speed.lexer import Dispatch, accelerate, first_chars
from ankigen.syntax.highlight import _lexer
from ankigen.syntax.markdown import markdown
from tests.conftest import bench_pages, guards_unknown

ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = [
    "python", "javascript", "typescript", "bash", "c", "cpp", "java", "go", "rust", "ruby",
    "php", "sql", "yaml", "json", "html", "css", "xml", "latex", "haskell", "kotlin", "swift",
    "r", "lua", "perl", "scala", "csharp", "diff", "ini", "toml", "docker", "make", "markdown",
    "console", "pycon", "text",
]  # fmt: skip


def _pair(lang: str) -> tuple[Lexer, Lexer]:
    plain = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    fast = accelerate(get_lexer_by_name(lang, stripnl=False, ensurenl=False), after=0)
    return plain, fast


PAIRS = {lang: _pair(lang) for lang in LANGUAGES}

PIECES = [
    "def ", "class ", "if ", "else", "return ", "function ", "let ", "const ", "echo ", "fi",
    "SELECT ", "FROM ", "import ", "fn ", "=> ", "-> ", "::", ":", ";", ",", ".", "@", "$",
    "${", "$(", "<<EOF\n", "EOF\n", "'", '"', '"""', "'''", "`", 'f"', 'r"', "b'", "\\", "\\n",
    "#", "//", "/*", "*/", "--", "<!--", "-->", "(", ")", "[", "]", "{", "}", "<", ">", "</",
    "=", "==", "+", "-", "*", "/", "%", "0x1F", "1e10", "3.14", "1_000", "x", "foo", "Bar",
    "é", "日本", " ", "  ", "    ", "\t", "\n", "\r\n", "{%", "%}", "{{", "}}", "---\n", "- ",
    "key: ", "[section]\n", "@@ -1 +1 @@\n", "+added\n", "-removed\n", "$ ls\n", ">>> 1\n",
    "\\begin{x}", "$x^2$", "&amp;",
    # openers and closers the lexers match with backreferences (heredocs, raw strings)
    "<<", "<<-", "<<~", "<<<", "'EOF'", "EOF", "%q(", "%w!", "%r{", "!", 'R"x(', ')x"', "--[==[",
    "]==]", "[[", "]]", "q{", "qq|", "|", 'r#"', '"#',
]  # fmt: skip

CODE = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _tokens(lexer: Lexer, text: str) -> list[tuple[object, str]]:
    return list(lexer.get_tokens(text))


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(LANGUAGES), CODE)
def test_joined_states_make_pygments_own_tokens(lang: str, code: str) -> None:
    plain, fast = PAIRS[lang]
    assert _tokens(fast, code) == _tokens(plain, code)


@pytest.mark.parametrize(
    ("lang", "code"),
    [
        ("bash", "cat <<EOF\nhello $x\nEOF\necho done\n"),
        ("bash", "cat <<-'END'\n\tquoted\n\tEND\n"),
        ("perl", 'print <<"END";\nhi\nEND\nmy $x = q{a};\n'),
        ("rust", 'let s = r#"a "quoted" b"#;\n'),
        ("ruby", "x = %q(abc)\ny = <<~TEXT\n  hi\nTEXT\n"),
        ("lua", "--[==[ long\ncomment ]==]\nx = [[s]]\n"),
        ("cpp", 'auto s = R"x(a)" b)x";\n'),
        ("php", "<?php\n$s = <<<EOT\nhi\nEOT;\n"),
        ("python", 'f"{x!r:>{w}}" + rb"\\d" + """doc"""\n'),
    ],
)
def test_rules_with_backreferences_lex_the_same(lang: str, code: str) -> None:
    """Heredocs and raw strings: their rules refer back to a group, so they stay unjoined."""
    plain, fast = _pair(lang)
    assert _tokens(fast, code) == _tokens(plain, code)


def _fenced_code(bench: Path) -> list[tuple[str, str]]:
    """Every fenced block with a language in our pages, and in generated benchmark pages."""
    pages = [
        *(ROOT / "tests" / "fixtures").rglob("*.md"),
        *(ROOT / "source").rglob("*.md"),
        *bench_pages(bench, 300, seed=11),
    ]
    found = []
    for page in sorted(pages):
        for token in markdown().parse(page.read_text(encoding="utf-8")):
            lang = token.info.split(maxsplit=1)[0] if token.info.strip() else ""
            if token.type == "fence" and lang.isalnum():
                found.append((lang.lower(), token.content))
    return found


def test_the_pages_code_lexes_the_same(tmp_path: Path) -> None:
    blocks = _fenced_code(tmp_path)
    assert len(blocks) > 50
    for lang, code in blocks:
        try:
            plain, fast = _pair(lang)
        except ClassNotFound:  # an unknown language stays plain text
            continue
        assert _tokens(fast, code) == _tokens(plain, code), (lang, code)


@pytest.mark.parametrize("lang", ["python", "javascript", "bash"])
def test_the_benchmark_languages_are_joined(lang: str) -> None:
    """A fast path that never fires would pass the tests above: these states are joined."""
    _, fast = PAIRS[lang]
    assert "get_tokens_unprocessed" in vars(fast)
    tokendefs = fast._tokens  # type: ignore[attr-defined]
    # every rule of a state, as tried at a character no rule's first characters name
    everything = {state: Dispatch(rules).of(fastlex._OTHER) for state, rules in tokendefs.items()}

    def joined(steps: list[fastlex.Step]) -> bool:
        return any(by_group is not None for _, by_group, _ in steps)

    assert joined(everything["root"]) or lang == "bash"
    assert sum(1 for steps in everything.values() if joined(steps)) >= 3
    # and at a bracket, far fewer of the root state's rules are tried than at "é"
    root = tokendefs["root"]
    dispatch = Dispatch(root)

    def tried(steps: list[fastlex.Step]) -> int:
        return sum(1 if by_group is None else len(by_group) for _, by_group, _ in steps)

    assert tried(dispatch.of(ord("("))) * 3 < tried(dispatch.of(fastlex._OTHER)) == len(root)


ASCII = {chr(c) for c in range(128)}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(a?|b)c", set("abc")),  # an empty branch lets what follows start the match
        (r"(?i)select\b", set("sS")),
        (r"(?i:k)x|y", set("kKy")),
        (r"(?=q)\w+", {c for c in ASCII if c.isalnum() or c == "_"}),
        (r"\bfoo|(?<!x)bar", set("fb")),
        (r"[^a]", ASCII - {"a"}),
        (r"\s", {c for c in ASCII if c.isspace()}),
        (r"(a)\1", {"a"}),
        (r"(?>ab|c)d", set("ac")),
        (r"x*", ASCII),  # can match the empty string: any position
        (r"$", ASCII),
        (r"(x)?(?(1)a|b)", ASCII),  # a conditional: not read, so any
    ],
)
def test_first_characters_of_patterns(pattern: str, expected: set[str]) -> None:
    bits = first_chars((re.compile(pattern).match, None, None))
    assert {chr(c) for c in range(128) if bits >> c & 1} == expected


@pytest.mark.parametrize("flags", [0, re.IGNORECASE, re.IGNORECASE | re.ASCII])
def test_an_ascii_literal_is_read_as_re_compiles_it(flags: int) -> None:
    for code in range(128):
        pattern = re.escape(chr(code))
        compiled = re.compile(pattern, flags)
        expected = {chr(c) for c in range(128) if compiled.fullmatch(chr(c))}
        bits = first_chars((compiled.match, None, None))
        assert {chr(c) for c in range(128) if bits >> c & 1} == expected, chr(code)


def test_a_rule_only_matches_where_its_first_characters_say(tmp_path: Path) -> None:
    """Every rule of every state of the languages above, tried at every position of a text
    with every piece of code we generate from and of the pages' code: where it matches, the
    character there is one the dispatch would try it on (at the end of the text, only rules
    kept for any character)."""
    pages = "".join(code for _, code in _fenced_code(tmp_path)[:200])
    text = "".join(PIECES) + "\n" + "\n".join(PIECES) + "\n" + pages
    rules = {
        (id(rule), rule)
        for _, lexer in PAIRS.values()
        for state in getattr(lexer, "_tokens", {}).values()
        for rule in state
    }
    assert len(rules) > 1500
    checked = 0
    for _, rule in rules:
        bits = first_chars(rule)
        if bits == fastlex._ALL:
            continue
        match = rule[0]
        for pos in range(len(text) + 1):
            if match(text, pos):
                char = text[pos] if pos < len(text) else "the end"
                assert pos < len(text), (rule, char)
                assert ord(text[pos]) >= 128 or bits >> ord(text[pos]) & 1, (rule, char)
                checked += 1
    assert checked > 50_000


def test_an_unknown_loop_leaves_lexers_alone() -> None:
    with guards_unknown("lexer"):
        lexer = get_lexer_by_name("python")
        assert accelerate(lexer) is lexer
        assert "get_tokens_unprocessed" not in vars(lexer)


def test_lexers_with_their_own_loop_are_left_alone() -> None:
    json_lexer = get_lexer_by_name("json")
    assert accelerate(json_lexer) is json_lexer
    assert "get_tokens_unprocessed" not in vars(json_lexer)


def test_the_build_uses_it() -> None:
    lexer = _lexer("python")
    assert lexer is not None
    assert "get_tokens_unprocessed" in vars(lexer)


def test_a_lexer_runs_pygments_own_loop_until_it_has_lexed_enough(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    own = RegexLexer.get_tokens_unprocessed
    if not known("lexer"):  # checked (and cached) before the spy below stands in for the loop
        pytest.skip("the installed Pygments loop is not the one the guards know")

    def spy(self: RegexLexer, text: str, stack: Iterable[str] = ("root",)) -> Iterator[Any]:
        calls.append(text)
        return own(self, text, stack)

    monkeypatch.setattr(RegexLexer, "get_tokens_unprocessed", spy)
    plain = get_lexer_by_name("python", stripnl=False, ensurenl=False)
    lexer = accelerate(get_lexer_by_name("python", stripnl=False, ensurenl=False), after=60)
    first, second, third = "x = 1  # one\n" * 3, "def f(a):\n    return a\n" * 3, "y = [2]\n"
    for text in (first, second, third):
        assert list(lexer.get_tokens_unprocessed(text)) == list(
            own(plain, text)  # type: ignore[arg-type]
        )
    # 39 characters, then 69 more (108 >= 60): the third text is the first the joined loop lexes
    assert calls == [first, second]
