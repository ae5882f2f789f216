"""The words a question asks about and the words a quote offers, cut by the one tokenizer
(``retrieval.text.words``), on made-up text."""

import numpy as np
import pytest

from retrieval.question.focus import (
    WordVectors,
    asked_words,
    content_words,
    focus_words,
    matches,
    question_names,
)
from retrieval.text.names import NameBook
from retrieval.text.words import root, stem, words

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


@pytest.mark.parametrize(
    ("asked", "written", "language"),
    [
        ("meet", "met", "en"),
        ("begin", "began", "en"),
        ("man", "men", "en"),
        ("write", "written", "en"),
        ("gehen", "ging", "de"),
    ],
)
def test_the_forms_of_one_word_share_a_root_where_their_stems_differ(asked, written, language):
    assert stem(asked, language) != stem(written, language)
    assert root(asked, language) == root(written, language)


def test_a_language_without_a_lemma_dictionary_keeps_its_plain_stems():
    assert root("会议", "zh") == stem("会议", "zh") == "会议"


def test_a_question_word_matches_another_form_of_it_in_the_quote_exactly():
    """ "meet" in a question is met by "met" as a form of the word (1.0), not as a paraphrase
    of its vector: the made-up vectors here are orthogonal for every two words."""
    seen: dict[str, np.ndarray] = {}

    def orthogonal(texts: list[str]) -> np.ndarray:
        for text in texts:
            seen.setdefault(text, np.eye(32, dtype=np.float32)[len(seen)])
        return np.stack([seen[t] for t in texts])

    vectors = WordVectors(orthogonal)
    found = matches(["meet", "pezeshkian", "talks"], "Putin met Pezeshkian in Ashgabat.", vectors)
    assert found.tolist() == [1.0, 1.0, 0.0]
