"""Rewriting follow-up questions (pure logic: a made-up article, no model) and the names the
rewriting leans on."""

import pytest

from retrieval.library.chunking import chunk_article
from retrieval.question.conversation import Turn
from retrieval.question.entities import EntityLexicon
from retrieval.question.followup import rewrite

# A made-up article, so nothing here can lean on the real one.
PARAGRAPHS = [
    "Harbour Town Gets a New Bridge",
    "On Monday, Harbour Mayor Elena Voss and Governor Tomas Brandt opened the Kellow Bridge "
    "over the river Arn. The bridge cost $40 million and took three years to build. Critics, "
    "including the Dockers Union, say it came too late.",
    "Voss said the town had waited long enough. She added that the old ferry would keep "
    "running until spring. Brandt, a former engineer, said his office had paid half of the "
    "cost. He praised the builders from Ostmark.",
    "Before the bridge, the Arn Ferry carried most of the traffic. The Dockers warned that a "
    "toll would hurt them.",
]
ARTICLE = "\n\n".join(PARAGRAPHS) + "\n"


@pytest.fixture(scope="module")
def lexicon() -> EntityLexicon:
    return EntityLexicon(chunk_article(ARTICLE))


def turn(question: str, answer: str = "", searched: str | None = None) -> Turn:
    """A turn as the engine records it: the answer quotes ``answer`` from passage p1."""
    quotes = (answer,) if answer else ()
    return Turn(question, searched or question, f"{answer} [1]" if answer else "", quotes, ("p1",))


def test_names_of_the_article_know_people_and_their_pronouns(lexicon):
    names = {n.text: n for n in lexicon.names(ARTICLE.split("\n\n", 1)[1])}
    assert names["Elena Voss"].person and names["Tomas Brandt"].person
    assert not names["Kellow Bridge"].person and not names["Ostmark"].person
    assert "Harbour" in names and "Mayor" not in " ".join(names)  # a title is no name
    assert lexicon.gender(names["Elena Voss"]) == "she"
    assert lexicon.gender(names["Tomas Brandt"]) == "he"
    assert names["Dockers"].plural and names["Dockers"].phrase == "the Dockers"
    assert [n.text for n in lexicon.names("what did voss say about the arn ferry")] == [
        "Voss",
        "Arn",
    ]  # lower case, as people type ("ferry" is also an ordinary word of the article)


def test_a_gender_belongs_to_whole_words_of_a_name():
    """In a library of many people, the "I" of one article's "Queen Anne I" (referred to as
    "she") lends nothing to another's "King Philip", whose name merely holds the letter."""
    other = (
        "The Crown\n\nQueen Anne I ruled for years. As I said, she built a palace. "
        "King Philip ruled next. He built a bridge.\n"
    )
    lexicon = EntityLexicon([*chunk_article(other), *chunk_article(ARTICLE)])
    names = {n.text: n for n in lexicon.names(other + ARTICLE)}
    assert lexicon.gender(names["Philip"]) == "he"
    assert lexicon.gender(names["Tomas Brandt"]) == "he"


@pytest.mark.parametrize(
    ("previous", "question", "searched"),
    [
        (turn("Who is Tomas Brandt?"), "how much did his office pay?", "Brandt"),
        (
            turn("Who opened the bridge?", "Voss and Brandt opened it."),
            "what did she say?",
            "Voss",
        ),
        (
            turn("Who opened the bridge?", "Voss and Brandt opened it."),
            "what did he say?",
            "Brandt",
        ),
        (turn("Who is Elena Voss?"), "what is her job?", "Elena Voss's job"),
        (
            turn("Who fears the toll?", "The Dockers warned that a toll would hurt them."),
            "why do they fear it?",
            "the Dockers",  # a group of the answer before two people of it
        ),
        (turn("What do the Dockers think of the toll?"), "why would it hurt them?", "the Dockers"),
        (
            turn("Who opened the bridge?", "Elena Voss and Tomas Brandt opened it."),
            "when did they open it?",
            "Elena Voss and Tomas Brandt",
        ),
    ],
)
def test_pronouns_resolve_to_the_previous_turn(lexicon, previous, question, searched):
    query = rewrite(question, [previous], lexicon).query
    assert searched in query and query != question


def test_two_pronouns_mean_two_people(lexicon):
    previous = turn("Who is Elena Voss?", "Elena Voss and Tomas Brandt opened the bridge.")
    assert (
        rewrite("did she thank him?", [previous], lexicon).query
        == "did Elena Voss thank Tomas Brandt?"
    )


def test_what_about_asks_the_previous_question_of_another_name(lexicon):
    previous = turn("What did Voss say about the bridge?")
    assert rewrite("what about Brandt?", [previous], lexicon).query == (
        "What did Brandt say about the bridge?"
    )
    assert (
        rewrite("and Brandt?", [previous], lexicon).query
        == "What did Brandt say about the bridge?"
    )
    assert rewrite("what about Zorblax?", [previous], lexicon).query == (
        "What did Zorblax say about the bridge?"  # a name the article never uses is one too
    )
    assert rewrite("what about the toll?", [previous], lexicon).query == (
        "What did Voss say about the bridge, regarding the toll?"  # no name to swap
    )
    assert rewrite("what about Ostmark?", [previous], lexicon).query == (
        "What did Voss say about the bridge, regarding Ostmark?"  # a place is no speaker
    )


def test_ellipsis_continues_the_previous_question_and_asks_for_something_new(lexicon):
    previous = turn("What carried the traffic?", "The bridge carries it now.")
    result = rewrite("and before that?", [previous], lexicon)
    assert result.query == "What carried the traffic before that?"
    assert result.avoid == ("The bridge carries it now.",)


@pytest.mark.parametrize(
    "question", ["when was that?", "why?", "how much did it cost?", "what else?", "what about it?"]
)
def test_a_question_with_nothing_to_search_borrows_the_previous_query(lexicon, question):
    previous = turn("What did Brandt say?", searched="What did Tomas Brandt say?")
    assert rewrite(question, [previous], lexicon).query.endswith("? What did Tomas Brandt say?")


def test_borrowed_context_does_not_pile_up(lexicon):
    first = turn("When did the bridge open?")
    second = turn("why?", searched="why? When did the bridge open?")
    assert rewrite("how?", [first, second], lexicon).query == "how? When did the bridge open?"


@pytest.mark.parametrize(
    "question",
    [
        "Who is Elena Voss?",
        "What did Brandt say about his office?",  # the pronoun has its own name
        "who do they both blame in ostmark",  # "they" with a name of its own
        "How much did the Kellow Bridge cost?",
        "And who built the bridge?",  # "and" before a whole question
        "What happened on Monday?",
        "What did the Dockers Union say?",
        "what is the toll",
    ],
)
def test_a_standalone_question_is_never_rewritten(lexicon, question):
    previous = turn("Who is Tomas Brandt?", "Brandt, a former engineer, said his office paid.")
    assert rewrite(question, [previous], lexicon).query == question


def test_no_history_no_rewrite(lexicon):
    assert rewrite("how did he die?", [], lexicon).query == "how did he die?"


def test_a_form_of_a_name_is_at_most_a_few_letters_longer():
    text = "Abbeys of the North\n\nThe monks of Montgomery Abbey met the Syrian envoy in Hull."
    lexicon = EntityLexicon(chunk_article(text))
    assert [n.text for n in lexicon.names("syria", phrase=True)] == ["syria"]
    assert lexicon.names("mont", phrase=True) == []


def test_he_is_the_person_asked_about_not_the_first_one_the_quote_names():
    """After "who was Karl Dent?", answered by a quote that names Omar Hale first, "he" is
    still Dent (a newcomer saw "how old was he?" after Raisi become Pezeshkian's age)."""
    article = (
        "Mayor Omar Hale opened the bridge on Monday. Hale said he was proud of the town.\n\n"
        "The town's new mayor, Omar Hale, took office after the death of former Mayor Karl "
        "Dent in a car crash. Dent had planned the bridge for years, and he raised its funds."
    )
    lexicon = EntityLexicon(chunk_article(article))
    quote = (
        "The town's new mayor, Omar Hale, took office after the death of former Mayor Karl "
        "Dent in a car crash."
    )
    previous = turn("who was karl dent?", quote)
    assert rewrite("how old was he?", [previous], lexicon).query == "how old was Karl Dent?"
