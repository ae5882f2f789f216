"""Language ID of questions and articles (py3langid over the expected readers' languages)."""

import json
from pathlib import Path

import pytest

from retrieval.text import language
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


def test_the_unpacked_copy_ranks_as_the_packaged_model(tmp_path):
    """The copy kept beside the models gives the very same rankings, and a damaged copy is
    replaced rather than trusted."""
    packaged = language._from_package()
    assert language._read_copy(tmp_path) is None
    language._keep_copy(packaged, tmp_path)
    copy = language._read_copy(tmp_path)
    assert copy is not None and copy.nb_classes == packaged.nb_classes
    assert all(copy.rank(s["q"]) == packaged.rank(s["q"]) for s in SAMPLES[:20])
    language._copy_in(tmp_path).write_bytes(b"not a numpy archive")
    assert language._read_copy(tmp_path) is None


def test_the_copy_is_made_even_when_the_model_was_loaded_first_without_it(tmp_path):
    """A question identified before the engine starts loads the model without the folder; the
    engine's warm-up still leaves the copy for the next start."""
    detect_language("where did they meet")
    language._identifier(tmp_path)
    assert language._read_copy(tmp_path) is not None
