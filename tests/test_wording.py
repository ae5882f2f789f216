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
