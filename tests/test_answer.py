"""Composing answers: abstention, numbered citations, `[n]` markers and the JSON contract."""

import json

import numpy as np
import pytest

from retrieval import Hit, Passage, Sentence
from retrieval.answer import NOT_COVERED, AnswerPolicy, compose

DECLINED = "Sorry, the article doesn't cover that"


def _one_sentence_hit(score: float) -> Hit:
    sentence = Sentence("Putin met Pezeshkian.", 0, 21)
    passage = Passage("p1-test", None, 1, 0, 21, sentence.text, (sentence,))
    return Hit(passage, score, score, 0.0)


def _compose(hits: list[Hit], unknown_names: tuple[str, ...] = ()):
    vector = np.array([1.0, 0.0], dtype=np.float32)
    return compose("Who met?", vector, hits, lambda _: vector, AnswerPolicy(0.3), unknown_names)


def test_weak_best_hit_abstains_without_citations():
    answer = _compose([_one_sentence_hit(0.29)])
    assert (answer.text, answer.abstained, answer.citations) == (NOT_COVERED, True, ())
    assert answer.confidence == pytest.approx(0.29)


def test_no_hits_at_all_abstain():
    answer = _compose([])
    assert (answer.abstained, answer.citations, answer.confidence) == (True, (), 0.0)


def test_unknown_names_decline_even_a_strong_hit_and_are_named_once():
    answer = _compose([_one_sentence_hit(0.9)], ("France", "Paris", "France"))
    assert answer.abstained and answer.citations == ()
    assert answer.text.startswith(DECLINED)
    assert answer.text.endswith("France, Paris.")


def test_strong_hit_is_quoted_and_cited():
    answer = _compose([_one_sentence_hit(0.9)])
    assert not answer.abstained
    assert answer.text == "Putin met Pezeshkian. [1]"
    assert [(c.n, c.quote, c.start, c.end) for c in answer.citations] == [
        (1, "Putin met Pezeshkian.", 0, 21)
    ]


def test_off_topic_dev_questions_get_the_abstention_message_and_no_citations(dev_answers):
    off_topic = [a for q, a in dev_answers if q.offtopic]
    assert off_topic
    for answer in off_topic:
        assert answer.abstained
        assert answer.text.startswith(DECLINED)
        assert answer.citations == ()
        assert answer.to_json()["citations"] == []


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Who is the president of France?", "France"),
        ("What did Putin say about Brazil?", "Brazil"),
    ],
)
def test_question_naming_something_the_article_never_mentions_is_declined(
    engine, article_text, question, name
):
    assert name not in article_text
    answer = engine.answer(question)
    assert answer.abstained
    assert answer.text.startswith(DECLINED)
    assert name in answer.text
    assert answer.citations == ()


def test_raising_the_abstain_threshold_above_the_confidence_abstains(
    engine, engine_factory, dev_questions
):
    question = next(q.text for q in dev_questions if not q.offtopic)
    confident = engine.answer(question)
    assert not confident.abstained and confident.confidence < 0.99
    strict = engine_factory(
        index_dir=engine.settings.index_dir, abstain_threshold=confident.confidence + 0.01
    )
    answer = strict.answer(question)
    assert (answer.text, answer.abstained, answer.citations) == (NOT_COVERED, True, ())


def test_every_answer_follows_the_json_contract(dev_answers, engine, check_answer_json):
    answers = [a for _, a in dev_answers] + [engine.answer("Who is the president of France?")]
    for answer in answers:
        data = json.loads(json.dumps(answer.to_json()))
        check_answer_json(data)
        assert (data["question"], data["answer"], data["abstained"]) == (
            answer.question,
            answer.text,
            answer.abstained,
        )


def test_json_citations_carry_the_cited_passage_and_quote(dev_answers):
    for _, answer in dev_answers:
        for citation, data in zip(answer.citations, answer.to_json()["citations"], strict=True):
            assert data["passage_id"] == citation.passage.id
            assert data["section"] == citation.passage.section
            assert data["text"] == citation.passage.text
            assert (data["quote"], data["start"], data["end"]) == (
                citation.quote,
                citation.start,
                citation.end,
            )


def test_citations_are_numbered_from_one_best_first(dev_answers, engine):
    for question, answer in dev_answers:
        if question.offtopic:
            continue
        assert len(answer.citations) == engine.settings.top_k
        assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
        scores = [c.score for c in answer.citations]
        assert scores == sorted(scores, reverse=True)
        assert answer.confidence == scores[0]
        assert len({c.passage.id for c in answer.citations}) == len(answer.citations)


def test_top_k_sets_the_number_of_citations(engine, engine_factory, dev_questions):
    question = next(q.text for q in dev_questions if not q.offtopic)
    wide = engine_factory(index_dir=engine.settings.index_dir, top_k=5)
    assert [c.n for c in wide.answer(question).citations] == [1, 2, 3, 4, 5]


def test_answer_markers_refer_to_citations_that_quote_the_sentence(dev_answers, answer_parts):
    for question, answer in dev_answers:
        if question.offtopic:
            continue
        for sentence, n in answer_parts(answer.text):
            assert 1 <= n <= len(answer.citations), answer.text
            assert sentence in answer.citations[n - 1].quote


def test_a_title_before_a_known_name_is_not_an_unknown_name(engine):
    answer = engine.answer("What did Mr. Bout deny?")
    assert not answer.abstained
    assert "Bout" in answer.text


@pytest.mark.parametrize(
    "question",
    ["What is the article about?", "summarize the article", "TL;DR", "What's the key news?"],
)
def test_asking_what_the_article_is_about_quotes_its_opening(engine, article_text, question):
    answer = engine.answer(question)
    [citation] = answer.citations
    assert not answer.abstained and citation.start == article_text.index(citation.quote)
    assert citation.passage == engine.snapshot.stored.passages[0]


def test_a_question_about_a_topic_of_the_article_is_not_an_overview_request(engine):
    answer = engine.answer("What does the article say about pizza?")
    assert answer.abstained
