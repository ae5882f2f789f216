"""The kind of answer a question asks for, and the phrases of that kind in a sentence."""

import pytest

from retrieval.kinds import Kind, phrases, wanted

DRONES = 'Iran has supplied Russia with thousands of "Shahed" attack drones.'


@pytest.mark.parametrize(
    ("question", "found"),
    [
        ("how many shaheds", ["thousands"]),
        ("How many drones did Iran supply?", ["thousands"]),
        ("How many Russian soldiers are in Syria?", []),  # thousands of drones, not soldiers
        ("how much oil does iran export to russia", []),
        ("How many are there?", ["thousands"]),  # nothing named: any quantity will do
    ],
)
def test_a_quantity_must_count_what_how_many_asks_for(question, found):
    want = wanted(question)
    assert want is not None and want.kind is Kind.QUANTITY
    assert [p.text for p in phrases(DRONES, want, question)] == found


def test_how_much_is_it_worth_names_nothing_to_count():
    want = wanted("how much is the houthi weapons deal worth")
    assert want is not None and want.counted == ()
    sentence = "He is selling $10 million worth of automatic weapons."
    assert [p.text for p in phrases(sentence, want, "how much is it worth")] == ["$10 million"]


@pytest.mark.parametrize(
    ("question", "noun", "strict"),
    [
        ("What is the capital of Iran?", "capital", True),
        ("What is the boiling point of water?", "point", True),  # a noun of two words
        ("What was the main source of income?", "source", False),  # a generic noun
    ],
)
def test_what_is_the_x_of_wants_that_very_x(question, noun, strict):
    want = wanted(question)
    assert want is not None and want.kind is Kind.THING
    assert (want.noun, want.strict) == (noun, strict)


def test_a_sentence_that_only_repeats_the_x_asked_for_does_not_hold_it():
    """ "the boiling point of water" is what the question says already, not a value of it."""
    question = "What is the boiling point of water?"
    want = wanted(question)
    assert want is not None
    sentence = "Watt was also aware of the change in the boiling point of water with pressure."
    assert phrases(sentence, want, question) == []
