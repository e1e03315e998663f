"""Joined lexer states give exactly Pygments' own tokens, in every language tried."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from ankigen import fastlex
from ankigen.fastlex import accelerate, joined_states, loop_is_known
from ankigen.highlight import _lexer
from ankigen.mdit import markdown
from tests.conftest import bench_pages

ROOT = Path(__file__).resolve().parent.parent

LANGUAGES = [
    "python", "javascript", "typescript", "bash", "c", "cpp", "java", "go", "rust", "ruby",
    "php", "sql", "yaml", "json", "html", "css", "xml", "latex", "haskell", "kotlin", "swift",
    "r", "lua", "perl", "scala", "csharp", "diff", "ini", "toml", "docker", "make", "markdown",
    "console", "pycon", "text",
]  # fmt: skip


def _pair(lang: str) -> tuple[Lexer, Lexer]:
    plain = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    return plain, accelerate(get_lexer_by_name(lang, stripnl=False, ensurenl=False))


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
    joined = joined_states(fast)
    assert joined["root"] is not None or lang == "bash"
    assert sum(1 for state in joined.values() if state is not None) >= 3
    assert "get_tokens_unprocessed" in vars(fast)


def test_the_installed_pygments_runs_the_loop_we_repeat() -> None:
    """A Pygments upgrade that changes the loop turns the joining off (and this test red,
    so that someone checks the new loop and adds its digest)."""
    assert loop_is_known()


def test_an_unknown_loop_leaves_lexers_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastlex, "KNOWN_LOOPS", frozenset())
    loop_is_known.cache_clear()
    try:
        lexer = get_lexer_by_name("python")
        assert accelerate(lexer) is lexer
        assert "get_tokens_unprocessed" not in vars(lexer)
    finally:
        monkeypatch.undo()
        loop_is_known.cache_clear()
    assert loop_is_known()


def test_lexers_with_their_own_loop_are_left_alone() -> None:
    json_lexer = get_lexer_by_name("json")
    assert accelerate(json_lexer) is json_lexer
    assert "get_tokens_unprocessed" not in vars(json_lexer)


def test_the_build_uses_it() -> None:
    lexer = _lexer("python")
    assert lexer is not None
    assert "get_tokens_unprocessed" in vars(lexer)
