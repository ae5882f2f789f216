"""The names book: built at once, extended article by article, or read back, it is the same."""

from pathlib import Path

import pytest

from retrieval.chunking import chunk_article
from retrieval.names import NameBook

NORMANS = (Path(__file__).parent / "data" / "normans.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parts(article_text) -> list[tuple[list[str], list[str]]]:
    """Each article's passage texts and section titles, as an index build passes them."""
    found = []
    for text in (article_text, NORMANS):
        passages = list(chunk_article(text, max_tokens=256, count_tokens=lambda t: len(t.split())))
        sections = list(dict.fromkeys(p.section for p in passages if p.section))
        found.append(([p.text for p in passages], sections))
    return found


def test_extending_a_book_is_the_same_as_building_it_at_once(parts):
    (texts, sections), (more_texts, more_sections) = parts
    whole = NameBook([*texts, *more_texts], [*sections, *more_sections])
    first = NameBook(texts, sections)
    grown = first.extended(more_texts, more_sections)
    assert grown.to_record() == whole.to_record()
    assert not first.knows("Rollo") and grown.knows("Rollo")


def test_a_book_read_back_answers_as_the_one_saved(parts):
    (texts, sections), (more_texts, more_sections) = parts
    book = NameBook([*texts, *more_texts], [*sections, *more_sections])
    again = NameBook.from_record(book.to_record())
    question = "Did Pezeshkain meet Rollo of Normandie in Paris?"
    assert again.to_record() == book.to_record()
    assert again.corrections(question) == book.corrections(question) != []
    assert again.unknown_names(question) == book.unknown_names(question)
    assert [again.is_name(w) for w in question.split()] == [
        book.is_name(w) for w in question.split()
    ]


def test_a_word_that_opens_a_sentence_is_no_name_for_its_capital():
    """ "Another" opens a sentence; "Putin" is written with a capital inside one."""
    names = NameBook(["Moscow hosted Putin. Another round of talks followed."])
    assert names.is_name("Putin") and names.is_name("putin")
    assert not names.is_name("another") and not names.is_name("moscow")
