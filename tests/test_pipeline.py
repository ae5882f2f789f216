"""The answer pipeline's stages, run one by one, give the engine's answer (real stack)."""

from bench.latency import STAGES, stage_seconds
from retrieval.question.conversation import Turn


def test_the_stages_in_a_row_give_the_engines_answer(engine):
    question = "who invited pezeshkian to russia"
    pipeline, snapshot = engine.pipeline, engine.snapshot
    analysis, followup = pipeline.read(question, (), snapshot, engine.is_word)
    vector = engine.embedder.encode_queries([analysis.searched], [analysis.language])[0]
    shortlist = pipeline.rerank(analysis, pipeline.search(snapshot, analysis, vector, None))
    staged = pipeline.compose(snapshot, analysis, followup, vector, shortlist)
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
