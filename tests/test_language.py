"""Language ID of questions and articles (py3langid over the expected readers' languages)."""

import json
from pathlib import Path

import pytest

from retrieval.text.language import LANGUAGES, article_language, detect_language

QUESTIONS = Path(__file__).parent / "data" / "language_questions.jsonl"
SAMPLES = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]


def test_short_questions_in_many_languages_are_identified():
    """At least 95% of the short questions written for this test (none from the tuning sets)
    get their language, and English ones all do: a wrong "not English" costs MiniLM."""
    found = [(s["lang"], detect_language(s["q"])) for s in SAMPLES]
    assert sum(lang == got for lang, got in found) / len(found) >= 0.95
    assert all(got == "en" for lang, got in found if lang == "en")


@pytest.mark.parametrize("text", ["", "ok", "42?", "🙂🙂🙂"])
def test_too_few_letters_tell_no_language(text):
    assert detect_language(text) is None


def test_an_article_is_identified_from_its_opening(article_text):
    assert article_language(article_text) == "en"
    assert article_language("Путин встретился с президентом Ирана в Ашхабаде. " * 400) == "ru"


def test_every_identified_language_is_a_two_letter_code():
    assert all(len(code) == 2 and code.islower() for code in LANGUAGES)


@pytest.mark.parametrize("question", ["What did Mr. Zorblax deny?", "who met putin"])
def test_a_short_english_question_full_of_names_stays_english(question):
    """English is preferred unless another language is twice as likely (ENGLISH_PRIOR)."""
    assert detect_language(question) == "en"
