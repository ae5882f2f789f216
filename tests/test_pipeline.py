"""The answer pipeline's stages, run one by one, give the engine's answer (real stack)."""

import pytest

from bench.latency import STAGES, stage_seconds
from retrieval.question.conversation import Turn


def _read_and_search(engine, question: str):
    """The pipeline's stages up to the re-ranked shortlist, one by one."""
    pipeline, snapshot = engine.pipeline, engine.snapshot
    analysis, followup = pipeline.read(question, (), snapshot, engine.is_word)
    vector = engine.embedder.encode_queries([analysis.searched], [analysis.language])[0]
    shortlist = pipeline.rerank(analysis, pipeline.search(snapshot, analysis, vector, None))
    return analysis, followup, vector, shortlist


def test_the_stages_in_a_row_give_the_engines_answer(engine):
    question = "who invited pezeshkian to russia"
    analysis, followup, vector, shortlist = _read_and_search(engine, question)
    staged = engine.pipeline.compose(engine.snapshot, analysis, followup, vector, shortlist)
    whole = engine.answer(question)
    assert (staged.text, staged.outcome) == (whole.text, whole.outcome)
    assert [c.passage.id for c in staged.citations] == [c.passage.id for c in whole.citations]
    assert "Mishustin" in staged.text


def test_a_follow_up_is_read_as_its_standalone_rewrite(engine):
    first = engine.answer("How did Ebrahim Raisi die?")
    turn = Turn.of(first)
    analysis, followup = engine.pipeline.read(
        "when was that?", (turn,), engine.snapshot, engine.is_word
    )
    assert analysis.question == "when was that?"
    assert analysis.searched != "when was that?" and "Raisi" in analysis.searched
    assert followup.query == analysis.searched


def test_the_benchmark_times_every_stage(engine):
    seconds = stage_seconds(engine, "what's iran giving russia")
    assert len(seconds) == len(STAGES) and all(s > 0 for s in seconds)


def test_the_candidates_are_the_ones_compose_chooses_from(engine):
    """The fitting script's view of the candidate quotes matches the answer's first one."""
    question = "who invited pezeshkian to russia"
    analysis, _, vector, shortlist = _read_and_search(engine, question)
    candidates = engine.pipeline.candidates(engine.snapshot, analysis, vector, shortlist)
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True)
    assert candidates[0].sentence.text in engine.answer(question).text
    evidence = engine.answer(question).signals.evidence
    assert evidence.sentence_lead == pytest.approx(scores[0] - scores[1])
    assert evidence.question_words == len(analysis.asked) and evidence.foreign_article == 0.0


def test_an_english_question_over_a_russian_article_matches_no_english_words(made_up_engine):
    """The English rules read English words: over a Russian article the question's words and
    names are matched against nothing, as a Russian question's are over an English one."""
    engine = made_up_engine(
        "# Сад\n\nСад растёт на северном склоне холма. В саду растут 340 деревьев айвы. "
        "Деревья посадила Мара Эллисон в 1962 году.\n",
        "sad.md",
    )
    evidence = engine.answer("Who planted the quince trees?").signals.evidence
    assert evidence.foreign_article == 1.0 and evidence.cross_lingual == 1.0
    assert evidence.words_quoted == 1.0 and evidence.names_unquoted == 0.0
