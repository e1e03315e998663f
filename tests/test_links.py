"""Stage: split. Answer versus trailing link list."""

from __future__ import annotations

from ankigen.cards.find import parse_page
from ankigen.cards.render import plain_text
from ankigen.cards.split import split_card
from ankigen.records import Link, SourceFile, SplitCard
from tests.conftest import SEED_PAGE


def split(body: str, title: str = ' "Q"') -> SplitCard:
    indented = "".join(f"    {line}\n" if line else "\n" for line in body.split("\n"))
    text = f"??? question{title}\n{indented}"
    (card,) = parse_page(SourceFile(SEED_PAGE, "p.md", text), ("question",))
    return split_card(card)


def hrefs(s: SplitCard) -> list[str]:
    return [link.href for link in s.links]


def test_label_and_bare_url_list() -> None:
    s = split("Answer.\n\nRead more:\n\n* https://a.example/x\n* https://b.example/y")
    assert plain_text(s.answer) == "Answer."
    assert hrefs(s) == ["https://a.example/x", "https://b.example/y"]
    assert s.links[0] == Link("https://a.example/x", "https://a.example/x")


def test_markdown_links_keep_their_text() -> None:
    s = split(
        "Answer.\n\nReferences:\n\n- [The paper](https://p.example/)\n- [Docs](https://d.example/)"
    )
    assert s.links == (Link("https://p.example/", "The paper"), Link("https://d.example/", "Docs"))


def test_separate_link_paragraphs_without_label() -> None:
    s = split("Answer.\n\n[one](https://1.example/)\n\n[two](https://2.example/)")
    assert plain_text(s.answer) == "Answer."
    assert hrefs(s) == ["https://1.example/", "https://2.example/"]


def test_several_links_in_one_paragraph() -> None:
    s = split("Answer.\n\nhttps://1.example/ https://2.example/\n[three](https://3.example/)")
    assert hrefs(s) == ["https://1.example/", "https://2.example/", "https://3.example/"]


def test_links_inside_prose_stay_in_the_answer() -> None:
    s = split("See [this](https://x.example/) for more.\n\nAnd that is all.")
    assert s.links == ()
    assert "See this for more." in plain_text(s.answer)


def test_prose_after_links_means_no_link_list() -> None:
    s = split("Read more:\n\n* https://a.example/\n\nThen a closing sentence.")
    assert s.links == ()
    assert "Read more:" in plain_text(s.answer)


def test_label_without_links_stays_in_the_answer() -> None:
    s = split("Steps:\n\n1. one\n2. two\n\nIn short:")
    assert s.links == ()
    assert plain_text(s.answer).endswith("In short:")


def test_long_sentence_with_colon_is_not_a_label() -> None:
    s = split(
        "Answer.\n\nThis is a long explanatory sentence that happens to end with:\n\n"
        "* https://a.example/"
    )
    assert hrefs(s) == ["https://a.example/"]
    assert "happens to end with:" in plain_text(s.answer)


def test_list_with_prose_item_is_not_a_link_list() -> None:
    s = split("Answer.\n\n* https://a.example/\n* a plain item")
    assert s.links == ()


def test_nested_list_is_not_a_link_list() -> None:
    s = split("Answer.\n\n* https://a.example/\n\n    * https://b.example/")
    assert s.links == ()


def test_whole_body_of_links_leaves_an_empty_answer() -> None:
    s = split("[https://a.example/](https://a.example/)\n\n[b](https://b.example/)")
    assert s.answer == ()
    assert hrefs(s) == ["https://a.example/", "https://b.example/"]


def test_untitled_card_takes_first_block_as_question() -> None:
    s = split(
        "What is a tensor?\n\nAn n-dimensional array.\n\nRead more:\n\n* https://t.example/",
        title="",
    )
    assert s.question_is_block
    assert plain_text(s.question) == "What is a tensor?"
    assert plain_text(s.answer) == "An n-dimensional array."
    assert hrefs(s) == ["https://t.example/"]


def test_seed_split() -> None:
    (first, second) = parse_page(
        SourceFile(SEED_PAGE, "p.md", SEED_PAGE.read_text(encoding="utf-8")), ("question",)
    )
    s1, s2 = split_card(first), split_card(second)
    assert len(s1.links) == 5 and len(s2.links) == 3
    assert "Read more" not in plain_text(s1.answer)
    assert s2.answer == ()
