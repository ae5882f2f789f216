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
