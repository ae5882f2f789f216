"""The words a question asks about and the words a quote offers, cut by the one tokenizer
(``retrieval.text.words``), on made-up text."""

from retrieval.question.focus import asked_words, content_words, focus_words, question_names
from retrieval.text.names import NameBook
from retrieval.text.words import words

ARTICLE = "The Vršovci family escaped to Poland. Schrödinger wrote his equation in Zürich."


def test_a_word_in_letters_beyond_ascii_is_one_word_not_its_fragments():
    """ "Vršovci" is one word, as BM25 reads it, not "vr" and "ovci"."""
    assert "vršovci" in content_words(ARTICLE) and "ovci" not in content_words(ARTICLE)
    assert "schrödinger" in content_words(ARTICLE)
    names = NameBook([ARTICLE])
    assert question_names("Who were the Vršovci?", names) == ["vršovci"]
    assert focus_words("Where did Schrödinger live?", names) == ["live"]


def test_words_keep_their_case_when_asked_and_a_clitic_is_no_word_of_its_own():
    assert words("Iran’s drones cost $10", cased=True) == ["Iran's", "drones", "cost", "$10"]
    assert content_words("Iran's drones, and what's cheaper") == ["iran", "drones", "cheaper"]


def test_numbers_are_words_of_a_quote_but_never_the_focus():
    assert "1629" in content_words("Who described a steam turbine in 1629?")
    assert focus_words("Who described a steam turbine in 1629?", NameBook([ARTICLE])) == [
        "steam",
        "turbine",
    ]
    assert asked_words("how many turbines in 1629") == ["turbines", "1629"]
