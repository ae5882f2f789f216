"""Composing answers: the three outcomes, names, typos, kinds and highlights, the JSON contract."""

import dataclasses
import json

import numpy as np
import pytest

from cli.render import answer_json
from retrieval import Hit, Passage, Sentence
from retrieval.answer.answerability import FEATURES, AnswerabilityModel, Logistic
from retrieval.answer.compose import (
    NOT_ANSWERED,
    NOT_COVERED,
    UNKNOWN_NAMES,
    Candidate,
    _choose,
    compose,
)
from retrieval.answer.tuning import load_tuning
from retrieval.question.analysis import analyse
from retrieval.question.focus import WordVectors, coverage
from retrieval.question.overview import OverviewRecognizer
from retrieval.question.phrases import Phrase
from retrieval.text.names import NameBook

FLOOR = load_tuning().answer.word_floor

DECLINED = "Sorry, the article doesn't cover that"
SENTENCE = Sentence("Putin met Pezeshkian in Ashgabat on Friday.", 0, 43)


# --- the decision, on made-up evidence (pure logic: a fake two-dimensional embedding) -----------


def _hit(score: float, article_id: str = "", sentence: Sentence = SENTENCE) -> Hit:
    passage = Passage(
        f"{article_id}p1-test", None, 1, 0, sentence.end, sentence.text, (sentence,), article_id
    )
    return Hit(passage, score, score, 0.0)


def _model(relevant_above: float, answered_above: float) -> AnswerabilityModel:
    """A model that looks at the fused score only, with the given cut-offs."""
    fused_only = tuple(10.0 if name == "fused" else 0.0 for name in FEATURES)
    return AnswerabilityModel(
        Logistic(fused_only, -10.0 * relevant_above, 0.5),
        Logistic(fused_only, -10.0 * answered_above, 0.5),
    )


def _compose(
    question: str,
    hits: list[Hit],
    article: str = SENTENCE.text,
    model: AnswerabilityModel | None = None,
):
    vector = np.array([1.0, 0.0], dtype=np.float32)
    words = WordVectors(lambda texts: np.tile(vector, (len(texts), 1)))
    names = NameBook([article])
    return compose(
        analyse(question, names),
        vector,
        hits,
        lambda _: vector,
        load_tuning().answer,
        words,
        model or _model(relevant_above=0.3, answered_above=0.6),
    )


def test_the_margin_is_to_the_next_passage_of_the_same_article():
    """Another edition of the story in the library holds a passage just as good: that says
    nothing about how clearly this article answers."""
    other = Sentence("Both sides praised the talks.", 44, 73)
    hits = [_hit(0.9, "news"), _hit(0.88, "edition"), _hit(0.5, "news", other)]
    evidence = _compose("Who met?", hits).signals.evidence
    assert evidence.margin == pytest.approx(0.4)
    assert _compose("Who met?", [_hit(0.9, "news")]).signals.evidence.margin == pytest.approx(0.9)


def test_a_passage_overlapping_the_top_one_on_the_quote_is_no_rival():
    """Passages share a sentence with the next: the one that holds the quoted sentence too
    offers the same answer, so the margin is to the next one that doesn't."""
    other = Sentence("Both sides praised the talks.", 44, 73)
    hits = [_hit(0.9, "news"), _hit(0.89, "news"), _hit(0.6, "news", other)]
    assert _compose("Who met?", hits).signals.evidence.margin == pytest.approx(0.3)


def test_a_regnal_number_the_passage_lacks_is_a_missing_number():
    """ "Henry II" is not "Henry III", as "1066" is not "1067"."""
    sentence = Sentence("Henry III took the title of king.", 0, 33)
    article = f"Richard II ruled first. {sentence.text}"
    hits = [_hit(0.9, sentence=sentence)]
    evidence = _compose("What title did Henry II take?", hits, article).signals.evidence
    assert evidence.number_missing == 1.0
    evidence = _compose("What title did Henry III take?", hits, article).signals.evidence
    assert evidence.number_missing == 0.0


def test_a_digit_the_passage_spells_out_is_no_missing_number():
    """ "where did the 2 presidents meet": the passage says "the two nations"."""
    sentence = Sentence("The two presidents met in Ashgabat.", 0, 35)
    hits = [_hit(0.9, sentence=sentence)]
    evidence = _compose("Where did the 2 presidents meet?", hits, sentence.text).signals.evidence
    assert evidence.number_missing == 0.0
    evidence = _compose("Where did the 3 presidents meet?", hits, sentence.text).signals.evidence
    assert evidence.number_missing == 1.0


def test_irrelevant_best_hit_is_declined_without_citations():
    answer = _compose("Who met?", [_hit(0.2)])
    assert (answer.outcome, answer.reason, answer.citations) == ("declined", NOT_COVERED, ())
    assert answer.abstained and not answer.answered
    assert answer.confidence == pytest.approx(0.2)


def test_relevant_but_unanswered_is_hedged_with_its_citations():
    answer = _compose("Who met?", [_hit(0.45)])
    assert (answer.outcome, answer.reason) == ("hedged", NOT_ANSWERED)
    assert not answer.abstained and not answer.answered
    assert answer.text == f"{SENTENCE.text} [1]" and len(answer.citations) == 1


def test_a_hedge_highlights_nothing_and_an_answer_its_phrase():
    """Bold in a reply that says the article doesn't answer would say it does."""
    assert _compose("When did they meet?", [_hit(0.45)]).highlight is None
    highlight = _compose("When did they meet?", [_hit(0.9)]).highlight
    assert highlight is not None and highlight.text == "Friday"


def test_an_answer_not_surely_right_highlights_nothing():
    """Answered, but below the model's bold threshold: a near miss is not made confident."""
    answer = _compose("When did they meet?", [_hit(0.65)])
    assert answer.answered and answer.signals.answerability < 0.9
    unsure = dataclasses.replace(_model(relevant_above=0.3, answered_above=0.6), highlight=0.9)
    again = _compose("When did they meet?", [_hit(0.65)], model=unsure)
    assert again.answered and again.highlight is None


def test_strong_hit_is_answered_quoted_and_cited():
    answer = _compose("Who met?", [_hit(0.9)])
    assert (answer.outcome, answer.abstained, answer.answered) == ("answered", False, True)
    assert answer.text == f"{SENTENCE.text} [1]"
    assert [(c.n, c.quote, c.start, c.end) for c in answer.citations] == [
        (1, SENTENCE.text, 0, 43)
    ]


def test_no_hits_at_all_are_declined():
    answer = _compose("Who met?", [])
    assert (answer.abstained, answer.citations, answer.confidence) == (True, (), 0.0)


def test_an_unknown_name_is_evidence_and_never_declines_alone():
    answer = _compose("Did Putin meet Macron in Paris and then Macron again?", [_hit(0.9)])
    assert answer.outcome == "answered"
    assert answer.unknown_names == ("Macron", "Paris")
    assert answer.signals.evidence.names_unknown == pytest.approx(2 / 3)


def test_a_decline_names_the_names_the_article_never_uses_once():
    answer = _compose("Did Putin meet Macron in Paris and then Macron again?", [_hit(0.2)])
    assert answer.abstained and answer.citations == ()
    assert answer.reason == UNKNOWN_NAMES
    assert answer_json(answer)["answer"] == f"{DECLINED}: it never mentions Macron, Paris."


# --- the real engine on the real article --------------------------------------------------------


def test_a_declined_question_has_no_citations_in_the_json(engine, fixed_outcome):
    fixed_outcome("declined")
    answer = engine.answer("Who won the World Cup in 2018?")
    assert answer.outcome == "declined" and answer.citations == ()
    data = answer_json(answer)
    assert data["citations"] == [] and data["answer"].startswith(DECLINED)


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Who is the president of France?", "France"),
        ("What did Putin say about Brazil?", "Brazil"),
        ("What did Mr. Zorblax deny?", "Zorblax"),
    ],
)
def test_a_name_the_article_never_mentions_is_weighed(engine, article_text, question, name):
    assert name not in article_text
    answer = engine.answer(question)
    assert name in answer.unknown_names
    assert answer.signals.evidence.names_unknown > 0
    if answer.abstained:
        assert name in answer_json(answer)["answer"]


def test_an_initialism_survives_reading_the_question(engine):
    """Nothing rewrites inside a word: the "U" of "U.S." is no "you"."""
    question = "what did U.S. officials say u could see in russia"
    answer = engine.answer(question)
    assert answer.searched == question and answer.unknown_names == ()


@pytest.mark.parametrize(
    "question",
    [
        "did the USA comment on the drone factory?",
        "what did the US say iran set up in russia",
        "What did U.S. officials report about the factory?",
        "what did u.s. officials report",
        "where did pezeshkian and putin meet",
    ],
)
def test_names_in_other_forms_are_no_unknown_names(engine, question):
    answer = engine.answer(question)
    assert answer.unknown_names == () and answer.reason != UNKNOWN_NAMES
    assert answer.signals.evidence.names_unknown == 0


def test_a_title_before_a_known_name_is_not_an_unknown_name(engine):
    answer = engine.answer("What did Mr. Bout deny?")
    assert not answer.abstained
    assert "Bout" in answer.text


def test_a_misspelled_name_is_corrected_searched_and_shown(engine):
    answer = engine.answer("what did pezeshkain push for with mishustn")
    assert answer.answered
    assert answer.corrections == (("pezeshkain", "Pezeshkian"), ("mishustn", "Mishustin"))
    assert answer.searched == "what did Pezeshkian push for with Mishustin"
    assert answer_json(answer)["searched"] == answer.searched
    assert "acceleration of joint projects" in " ".join(c.passage.text for c in answer.citations)


@pytest.mark.parametrize(
    ("question", "language"),
    [("Где прошла встреча Путина и Пезешкиана?", "ru"), ("دیدار پوتین و پزشکیان کجا بود؟", "fa")],
)
def test_a_question_in_another_language_is_searched_and_quoted_in_the_articles_words(
    engine, article_text, question, language
):
    """The question's language is identified and reported; the quote stays verbatim English."""
    answer = engine.answer(question)
    assert answer.language == language and answer_json(answer)["language"] == language
    assert answer.citations and all(c.passage.text in article_text for c in answer.citations)


def test_a_time_question_highlights_the_date_inside_the_verbatim_quote(
    engine, article_text, fixed_outcome
):
    fixed_outcome("answered")
    answer = engine.answer("since when have military ties sped up")
    assert answer.answered
    highlight = answer.highlight
    assert highlight is not None and highlight.text == "February 2022"
    assert article_text[highlight.start : highlight.end] == highlight.text
    assert highlight.text in answer.text
    assert answer_json(answer)["highlight"] == {
        "text": highlight.text,
        "start": highlight.start,
        "end": highlight.end,
    }


def test_a_name_opening_the_best_sentence_is_the_person_highlighted(
    engine, article_text, fixed_outcome
):
    """ "Mishustin even extended an invitation...": a name the article writes inside other
    sentences is a name at the start of one too, and the best sentence's is the one shown."""
    fixed_outcome("answered")
    answer = engine.answer("who invited pezeshkian to russia")
    highlight = answer.highlight
    assert highlight is not None and highlight.text == "Mishustin"
    assert article_text[highlight.start : highlight.end] == "Mishustin"


def test_every_answer_follows_the_json_contract(dev_answers, engine, check_answer_json):
    answers = [a for _, a in dev_answers] + [engine.answer("Who is the president of France?")]
    for answer in answers:
        data = json.loads(json.dumps(answer_json(answer)))
        check_answer_json(data)
        assert (data["question"], data["abstained"], data["outcome"]) == (
            answer.question,
            answer.abstained,
            answer.outcome,
        )
        assert data["answered"] is (answer.outcome == "answered")
        assert data["searched"] == (answer.searched or answer.question)
        assert (data["citations"] == []) is (answer.outcome == "declined")


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


@pytest.mark.parametrize(
    "question",
    [
        "What is the article about?",
        "whats the article about",
        "wats this about",
        "summary pls",
        "about?",
        "О чём эта статья?",
    ],
)
def test_asking_what_the_article_is_about_quotes_its_opening(engine, article_text, question):
    """The newcomer's phrasings, casual and in other languages, are recognised by meaning."""
    answer = engine.answer(question)
    [citation] = answer.citations
    assert answer.overview and answer.answered
    assert citation.start == article_text.index(citation.quote)
    assert citation.passage == engine.snapshot.stored.passages[0]
    assert answer_json(answer)["overview"] is True


@pytest.mark.parametrize(
    "question",
    [
        pytest.param(
            "What does the article say about pizza?",
            marks=pytest.mark.xfail(
                strict=True, reason="near the overview prototypes: a known gap (README)"
            ),
        ),
        "Who wrote this story?",
        "where did they meet",
        "what does it say about sanctions",
    ],
)
def test_a_question_about_the_article_or_its_topics_is_no_overview_request(engine, question):
    assert not engine.answer(question).overview


def test_the_nearest_prototype_decides_whatever_the_threshold(engine):
    """With no threshold, a question about the article's author still is no request."""
    fact = load_tuning().fact_threshold
    recognizer = OverviewRecognizer(engine.embedder, threshold=-1.0, fact=fact)
    vectors = engine.embedder.encode_queries(["Who wrote this article?", "summarize it"])
    assert [recognizer.asks(v) for v in vectors] == [False, True]


def test_a_focus_word_the_article_never_uses_nor_the_quote_paraphrases_is_absent(engine):
    """ "married" meets nothing in a quote about an arms dealer; "die" meets "death"."""
    quote = "Viktor Bout, a notorious Russian arms dealer, is back in the arms trade."
    assert coverage(["married"], quote, engine.words, FLOOR, ["married"]).absent == 1.0
    death = "Ebrahim Raisi met a tragic death in a helicopter crash."
    assert coverage(["die"], death, engine.words, FLOOR, ["die"]).absent == 0.0
    # a word the article uses
    assert coverage(["married"], quote, engine.words, FLOOR).absent == 0.0


def test_words_quoted_is_the_share_of_the_question_the_quote_uses_in_some_form(engine):
    """Asked in the quote's own words, a question is wholly quoted; words the quote lacks
    ("tall", "wife") lower the share, names counting like any word."""
    reused = engine.answer(
        "Which notorious arms dealer gained notoriety during the prisoner exchange involving"
        " Brittney Griner?"
    )
    assert reused.signals is not None
    assert reused.signals.evidence.words_quoted == 1.0
    short = engine.answer("How tall is Brittney Griner's wife?")
    assert short.signals is not None
    assert short.signals.evidence.words_quoted <= 0.5


def test_names_unquoted_is_the_share_of_the_question_names_the_quote_never_writes(engine):
    """A quote about Iran's drones writes "Iran" (as "Iranian" too) but not "Mishustin"."""
    both = engine.answer("What drones did Iran send Russia?")
    assert both.signals is not None and both.signals.evidence.names_unquoted == 0.0
    asked = analyse("What did Mishustin say about Iran?", engine.snapshot.names)
    assert asked.names == ("mishustin", "iran")


def test_a_name_is_known_in_its_forms_but_not_as_the_start_of_another_word():
    names = NameBook(["The monks of the monastery met Syrian and Iranian envoys in Yemen."])
    assert names.knows("Syria") and names.knows("Iran") and names.knows("Yemeni")
    assert not names.knows("Mona")  # "Who painted the Mona Lisa?" is not about monasteries


def made_up_candidate(rank: int, own: float, borrowed: float, phrase: bool) -> Candidate:
    """A sentence alone in a passage of its own, scoring ``own`` on its words and ``borrowed``
    more from the sentence before it."""
    text = f"Sentence {rank} names Ada Brann."
    sentence = Sentence(text, 0, len(text))
    passage = Passage(f"p{rank}", None, rank, 0, len(text), text, (sentence,))
    phrases = (Phrase("Ada Brann", 17, 26),) if phrase else ()
    return Candidate(sentence, passage, rank, own, 0.0, phrases, own + borrowed, own)


def test_the_sentence_scoring_higher_on_its_own_words_opens_the_answer():
    """The best candidate owes its lead to the words of the sentence before it and holds a
    phrase of the asked kind; the second scores higher on its own: it opens the quote."""
    borrowing = made_up_candidate(0, own=0.5, borrowed=0.4, phrase=True)
    own = made_up_candidate(1, own=0.8, borrowed=0.0, phrase=False)
    policy = load_tuning().answer
    assert own.score >= policy.second_ratio * borrowing.score  # both are quoted
    assert _choose([borrowing, own], policy) == [own, borrowing]


def test_who_is_putins_spokesman_opens_with_the_sentence_naming_peskov(engine, fixed_outcome):
    """ "Who is Putin's spokesman?": the sentence naming Peskov first, then his words."""
    fixed_outcome("answered")
    answer = engine.answer("Who is Putin's spokesman?")
    assert answer.text.startswith("Kremlin spokesman Dmitry Peskov")


def test_where_two_people_met_opens_with_the_sentence_saying_they_met_there(engine, fixed_outcome):
    """A newcomer's finding: "where did putin and pezeshkian meet" opened with the commentary
    on "Putin's meeting with Pezeshkian"; the quote's "met" is a form of "meet"."""
    fixed_outcome("answered")
    answer = engine.answer("where did putin and pezeshkian meet")
    assert answer.text.startswith("On Friday, Russian President Vladimir Putin")


@pytest.mark.xfail(
    strict=True,
    reason="a known gap (README): speech verbs are stop words, so nothing prefers the sentence "
    "where the person speaks over a general one that names them",
)
def test_what_someone_said_opens_with_their_words(engine):
    """A newcomer's finding: "what did putin say about iran" should open with Putin's own
    words, not with the commentary that names him."""
    answer = engine.answer("what did putin say about iran")
    assert answer.text.startswith("During their meeting, Putin remarked")


def test_the_filler_of_a_question_is_not_asked_of_a_quote():
    """ "how many shaheds" asks for a number of Shaheds: no quote needs to say "many"."""
    analysis = analyse("how many shaheds", NameBook([SENTENCE.text]))
    assert "many" not in analysis.asked and "shaheds" in analysis.asked


@pytest.fixture
def looms(made_up_engine):
    """An engine over a made-up article about looms, one sentence of which says "cannot"."""
    return made_up_engine(
        "The weavers of Ostrava built wooden looms in 1820. A wooden loom cannot weave silk, "
        "because the thread snaps. The town sold its cloth at the spring market.\n"
    )


@pytest.mark.parametrize(
    ("question", "mismatch"),
    [
        ("What can a wooden loom not weave?", 0.0),  # "cannot" in the quote answers "not"
        ("Whether or not the thread snaps, what did the weavers build?", 0.0),
        ("What did the weavers of Ostrava never build?", 1.0),
    ],
)
def test_a_negated_question_is_matched_by_any_negation_and_not_by_either_way(
    looms, question, mismatch
):
    """ "cannot" negates like "not"; "whether or not" and "may or may not" negate nothing."""
    evidence = looms.answer(question).signals.evidence
    assert evidence.negation_mismatch == mismatch
