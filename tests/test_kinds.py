"""The kind of answer a question asks for, and the phrases of that kind in a sentence."""

import pytest

from retrieval.question.kinds import Kind, wanted
from retrieval.question.phrases import phrases

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


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        # "when" starting a clause inside the question asks for no time
        ("What is the resultant force called when two forces act on a particle?", None),
        ("Who was the leader when the Franks entered the Euphrates valley?", Kind.PERSON),
        ("When forces act on a body, what law gives symmetry?", Kind.THING),
        ("How do you measure it when two people pull?", None),
        ("When did Pezeshkian win the election?", Kind.TIME),
        ("since when have military ties sped up", Kind.TIME),
        ("In what decade were injectors widely used?", Kind.TIME),
        ("Is it true that it rained when they met?", None),
    ],
)
def test_the_first_question_word_decides_the_kind(question, kind):
    want = wanted(question)
    assert (want and want.kind) == kind


@pytest.mark.parametrize(
    ("question", "noun"),
    [
        ("What doesn't change at a constant velocity?", None),  # a verb, not a noun X
        ("What became widespread around 1900?", None),
        ("What utilized separate admission valves?", None),
        ("What plants create most electric power?", "plants"),  # a plural noun is the X
        ("what famous conductor led it", "conductor"),
        ("In what way do strings transmit tension?", None),  # asked like "how"
    ],
)
def test_what_x_takes_a_noun_for_x(question, noun):
    want = wanted(question)
    assert (want and want.noun) == noun


def test_a_measure_wants_a_number_and_a_price_an_amount_of_money():
    drones = 'Iran has supplied thousands of "Shahed" attack drones for $20,000 each.'
    price = wanted("What is the price of a Shahed drone?")
    size = wanted("What is the size of the fleet?")
    assert price is not None and price.kind is Kind.QUANTITY
    assert [p.text for p in phrases(drones, price, "price of a drone")] == ["$20,000"]
    assert [p.text for p in phrases(DRONES, price, "price of a drone")] == []
    assert size is not None and [p.text for p in phrases(DRONES, size, "size of the fleet")] == []


def test_a_question_whose_object_comes_last_is_not_strict():
    want = wanted("What was the concept of force an integral part of?")
    assert want is not None and not want.strict


def test_how_many_x_counts_an_x():
    """Thousands of drones count drones, not soldiers."""
    want = wanted("How many drones are built at the factory?")
    assert want is not None and want.counted == ("drone",)
    assert [p.text for p in phrases("It sent 300 soldiers.", want, "drones")] == []
    assert [p.text for p in phrases("It built 300 drones.", want, "drones")] == ["300 drones"]


def test_how_many_x_counts_an_x_in_another_form_of_the_word():
    """ "How many men" counts "one man": the counted noun and the words after a number are
    compared by their roots."""
    want = wanted("How many men did the king send?")
    assert want is not None
    assert [p.text for p in phrases("He sent one man and 300 horses.", want, "men")] == ["one"]


def test_a_measure_takes_an_exact_number_word_and_a_duration_a_span_of_time():
    ratio = wanted("What was the ratio of men to women?")
    sentence = "There were four men for every woman."
    assert ratio is not None and [p.text for p in phrases(sentence, ratio, "ratio")] == ["four"]
    duration = wanted("What is the duration of the academic year?")
    calendar = "The academic year begins in early September and ends in mid-May."
    found = [p.text for p in phrases(calendar, duration, "duration of the academic year")]
    assert duration is not None and found == ["early September", "mid-May"]


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        ("When did they meet?", True),
        ("How many drones?", True),
        ("How old is Putin?", True),
        ("What is the range of the missiles?", True),
        ("Who invited him?", True),
        ("Where did they meet?", False),  # "on the ground", "in the condenser"
        ("Which group is mentioned?", False),
    ],
)
def test_a_kind_is_typed_when_its_form_alone_tells_it(question, typed):
    want = wanted(question)
    assert want is not None and want.typed is typed


def test_a_sentence_opening_word_is_a_person_only_when_the_article_writes_it_as_a_name():
    want = wanted("Who thought so?")
    sentence = "Aristotle thought so."
    assert want is not None and phrases(sentence, want, "who thought so") == []
    found = phrases(sentence, want, "who thought so", known_name=lambda w: w == "Aristotle")
    assert [p.text for p in found] == ["Aristotle"]


def test_a_name_the_question_says_is_not_its_answer_even_as_a_possessive():
    want = wanted("Who did Iran arm?")
    sentence = "Drones from Iran's factories reached Russia."
    assert want is not None
    assert [p.text for p in phrases(sentence, want, "who did iran arm")] == ["Russia"]


def test_a_place_where_something_happens_is_no_x_of_which_x():
    want = wanted("What weapons did Iran send Russia?")
    missiles = "Iran provided ballistic missiles to bolster Russia's efforts in Ukraine."
    assert want is not None and phrases(missiles, want, "what weapons did iran send russia") == []
    group = wanted("which group in yemen is mentioned")
    houthis = "Iran arms the Houthis in Yemen."
    assert [p.text for p in phrases(houthis, group, "which group in yemen")] == ["Houthis"]
