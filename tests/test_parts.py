"""Two-part questions: split by the rule, answered part by part, joined into one answer."""

import pytest

from retrieval import Answer, Citation, Passage, Sentence
from retrieval.answer.combine import combine
from retrieval.question.parts import parts_of

TOWN = """Harbor Town Council Approves New Bridge

The town council met on Tuesday in the old library on Main Street to discuss the harbor.

Residents raised concerns about traffic during the works. The council promised a second \
hearing in the spring.

Mayor Linda Okafor announced that construction of a new harbor bridge will begin in March.
"""


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "where did they meet and what did putin say there",
            ("where did they meet", "what did putin say there"),
        ),
        ("Who is Pezeshkian, and how old is he?", ("Who is Pezeshkian", "how old is he?")),
        (
            "what weapons did iran send and which country did it help",
            ("what weapons did iran send", "which country did it help"),
        ),
        ("what is the difference between what Putin says and what Peskov says", None),
        ("who met and where", None),  # the second part has no verb of its own
        ("Tom and Jerry: who is the cat?", None),
    ],
)
def test_a_question_splits_only_where_and_joins_two_questions(question, parts):
    assert parts_of(question) == (parts or (question,))


def _answer(question: str, sentence: str, outcome: str = "answered") -> Answer:
    sentences = (Sentence(sentence, 0, len(sentence)),)
    passage = Passage(f"p-{sentence[:8]}", "Bridge", 0, 0, len(sentence), sentence, sentences)
    if outcome == "declined":
        return Answer(question, "", (), 0.1, outcome="declined", reason="not_covered")
    citation = Citation(1, passage, sentence, 0, len(sentence), 0.9)
    return Answer(question, f"{sentence} [1]", (citation,), 0.8, outcome=outcome)


def test_the_parts_quotes_follow_each_other_with_their_sources_numbered_once():
    met, announced = "The council met in the library.", "The mayor announced a bridge."
    joined = combine("q", [_answer("a", met), _answer("b", announced, "hedged")])
    assert joined.text == f"{met} [1] {announced} [2]"
    assert [c.n for c in joined.citations] == [1, 2]
    assert joined.question == "q" and joined.outcome == "hedged" and joined.confidence == 0.8


def test_a_part_the_article_does_not_answer_is_left_out():
    met = "The council met in the library."
    joined = combine("q", [_answer("a", met), _answer("b", "", "declined")])
    assert joined.text == f"{met} [1]" and joined.outcome == "answered"
    assert combine("q", [_answer("a", "", "declined")] * 2).outcome == "declined"


def test_each_part_of_a_two_part_question_gets_its_own_quote(engine_factory, tmp_path):
    article = tmp_path / "town.txt"
    article.write_text(TOWN, encoding="utf-8")
    engine = engine_factory(article_path=article)
    engine.load_or_build()
    answer = engine.answer("where did the council meet and what did the mayor announce")
    assert "old library" in answer.text and "new harbor bridge" in answer.text
    assert answer.question == "where did the council meet and what did the mayor announce"
