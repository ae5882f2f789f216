"""The names book: built at once, extended article by article, or read back, it is the same."""

from pathlib import Path

import pytest

from retrieval.library.chunking import chunk_article
from retrieval.text.names import FormIndex, NameBook, is_ending_form, is_form, words_of

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


@pytest.mark.parametrize(
    "question",
    [
        "did the USA comment on the drone factory?",
        "what did the US say iran set up in russia",
        "What did U.S. officials report?",
        "Did the United States or America comment?",
        "what does the UK think tank say? is Britain in it?",
        "how does Moscow see ties with Tehran?",
        "what did pezeshkian and putin discuss in ashgabat",
    ],
)
def test_a_name_the_article_writes_in_another_form_is_known(parts, question):
    (texts, sections), _ = parts
    assert NameBook(texts, sections).unknown_names(question) == []


def test_a_name_the_article_never_writes_in_any_form_is_unknown(parts):
    (texts, sections), _ = parts
    book = NameBook(texts, sections)
    assert book.unknown_names("Did France comment on the summit?") == ["France"]
    assert book.unknown_names("What did Canada and the U.N. say?") == ["Canada", "U.N."]


@pytest.mark.parametrize(
    ("name", "word"),
    [("usa", "U.S."), ("us", "USA"), ("britain", "UK"), ("iran", "Iranian"), ("iran", "Tehran")],
)
def test_forms_of_one_name(name, word):
    assert is_form(name, word)


@pytest.mark.parametrize(("name", "word"), [("us", "usual"), ("iran", "iraq"), ("uk", "ukraine")])
def test_words_that_are_no_form_of_a_name(name, word):
    assert not is_form(name, word)


def test_an_initialism_is_one_word():
    assert words_of("Reports from U.S. officials, e.g. Iran's") == [
        "Reports",
        "from",
        "U.S.",
        "officials",
        "e.g.",
        "Iran",
    ]


def test_a_code_is_a_name_only_in_capitals():
    assert is_form("spain", "ESP") and not is_form("spain", "esp")


@pytest.mark.parametrize(
    ("name", "word", "form"),
    [
        ("Syria", "Syrian", True),
        ("Syrian", "Syria", True),
        ("Iran’s", "Iranian", True),
        ("Iran", "Ira", False),  # too short to keep a stem of its own
        ("Montgomery", "Mont", False),  # more than a short ending apart
    ],
)
def test_the_one_name_form_rule(name, word, form):
    assert is_ending_form(name, word) is form


def test_a_form_index_finds_longer_and_shorter_forms():
    forms = FormIndex(["syrian", "pezeshkian"])
    assert forms.has_form_of("syria") and forms.has_form_of("syrians")
    assert forms.has_form_of("pezeshkian")
    assert not forms.has_form_of("syr") and not forms.has_form_of("pezeshkianistan")


def test_a_word_written_in_lower_case_more_often_than_capitalised_is_no_name():
    """ "school" in "Harvard Law School" is the common word of "the school"; "Harvard" is
    always capitalised, and the initialism "U.S." stays a name beside the pronoun "us"."""
    names = NameBook(
        [
            "Students of Harvard Law School said the school grew. The school is old.",
            "Harvard sent us, and U.S. officials, a letter.",
        ]
    )
    assert names.is_name("harvard") and names.is_name("U.S.")
    assert not names.written_as_name("school")
    again = NameBook(["Students of Harvard Law School said the school grew."])
    assert again.written_as_name("school")  # once each way: still a name
