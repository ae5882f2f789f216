"""The words a reader is told about an outcome, shared by the CLI and the bot."""

import pytest

import wording
from retrieval import Answer


@pytest.mark.parametrize(
    ("question", "intro"),
    [
        ("How old is Putin?", "The article doesn't say how old Putin is."),
        ("What is the capital of Iran?", "The article doesn't say what the capital of Iran is."),
        (
            "How many drones are built at the factory each month?",
            "The article doesn't say how many drones are built at the factory each month.",
        ),
        (
            "How many Russian soldiers are in Syria?",
            "The article doesn't say how many Russian soldiers are in Syria.",
        ),
        (
            "how much is the houthi weapons deal worth",
            "The article doesn't say how much the houthi weapons deal is worth.",
        ),
        (
            "When is the BRICS summit exactly?",
            "The article doesn't say when the BRICS summit is exactly.",
        ),
        ("Who is Griner married to?", "The article doesn't answer “Who is Griner married to?”"),
    ],
)
def test_a_hedge_turns_a_copula_question_into_the_clause_it_asks_about(question, intro):
    assert wording.hedge_intro(Answer(question, "", (), 0.5, outcome="hedged")).startswith(intro)


def test_other_languages_are_answered_not_refused_and_hedged_with_a_generic_intro():
    hedge = Answer("Сколько лет Путину?", "", (), 0.5, outcome="hedged", language="ru")
    intro = wording.hedge_intro(hedge)
    assert (
        intro == "Прямого ответа на вопрос «Сколько лет Путину?» в статье нет. Ближе всего к нему:"
    )
    english = Answer("How old is Putin?", "", (), 0.5, outcome="hedged", language="en")
    assert "«\u2068How old is Putin?\u2069»" in wording.hedge_intro(english, "fa")
    german = Answer("Wie alt ist Putin?", "", (), 0.5, outcome="hedged", language="de")
    assert wording.hedge_intro(german) == (
        "The article doesn't answer “Wie alt ist Putin?” directly. The closest it comes:"
    )


@pytest.mark.parametrize(
    ("language", "start"),
    [(None, "Sorry, the article doesn't cover that: it never mentions Peskov."),
     ("ru", "Извините, в статье об этом ничего нет"),
     ("fa", "متأسفم، مقاله به این موضوع نمی‌پردازد")],
)  # fmt: skip
def test_a_decline_names_the_unknown_names_in_the_question_language(language, start):
    declined = Answer(
        "q", "", (), 0.1, outcome="declined", reason="unknown_names",
        unknown_names=("Peskov",), language=language,
    )  # fmt: skip
    assert wording.reply_text(declined).startswith(start)
    assert "Peskov" in wording.decline_message(declined)


def test_a_plain_decline_in_the_users_language_when_the_question_has_none():
    declined = Answer("?", "", (), 0.1, outcome="declined", reason="not_covered")
    assert wording.decline_message(declined, "ru") == "Извините, в статье об этом ничего нет."
    assert wording.decline_message(declined) == wording.NOT_COVERED
