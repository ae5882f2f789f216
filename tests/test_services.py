"""The bot's long-lived services: per-user rate limit and the question batcher."""

import asyncio

import pytest

from retrieval import Answer, InvalidQuestion
from retrieval.question.conversation import Turn
from tgbot.batching import QuestionBatcher
from tgbot.services import RateLimiter

QUESTIONS = [
    "Who is the president of Iran?",
    "Where is Ashgabat?",
    "What did Iran join earlier this year?",
    "Who died in a helicopter crash?",
]


# --- RateLimiter ----------------------------------------------------------------------------


def test_rate_limit_is_a_sliding_window_per_user():
    limiter = RateLimiter(per_minute=3)
    assert [limiter.allow(1, now=t) for t in (0.0, 10.0, 20.0)] == [True, True, True]
    assert limiter.allow(1, now=30.0) is False
    assert limiter.allow(2, now=30.0) is True  # other users have their own window
    assert limiter.allow(1, now=59.999) is False
    assert limiter.allow(1, now=60.0) is True  # the question at 0.0 left the window
    assert limiter.allow(1, now=65.0) is False  # 10.0, 20.0 and 60.0 are still inside it
    assert limiter.allow(1, now=70.0) is True


def test_refused_questions_do_not_extend_the_wait():
    limiter = RateLimiter(per_minute=1)
    assert limiter.allow(7, now=0.0)
    assert not any(limiter.allow(7, now=t) for t in range(1, 60))
    assert limiter.allow(7, now=60.0)


def test_rate_limit_uses_the_monotonic_clock_by_default():
    limiter = RateLimiter(per_minute=2)
    assert limiter.allow(1) and limiter.allow(1)
    assert not limiter.allow(1)


# --- QuestionBatcher ------------------------------------------------------------------------


def gist(answer: Answer) -> tuple:
    """What an asker sees of an answer: its text and what it cites, not its float scores."""
    return (
        answer.text,
        answer.abstained,
        [(c.passage.id, c.start, c.end) for c in answer.citations],
    )


@pytest.fixture
def engine_calls(engine, monkeypatch) -> list[list[str]]:
    """Every batch the shared engine is asked to answer (the real method still answers)."""
    calls: list[list[str]] = []
    answer_many = engine.answer_many

    def counting(questions, histories=None, **options):
        calls.append(list(questions))
        return answer_many(questions, histories, **options)

    monkeypatch.setattr(engine, "answer_many", counting)
    return calls


async def test_batcher_answers_like_the_engine(engine, engine_calls):
    batcher = QuestionBatcher(engine)
    answer = await batcher.answer(QUESTIONS[0])
    assert engine_calls == [[QUESTIONS[0]]]
    assert answer == engine.answer(QUESTIONS[0])


async def test_concurrent_questions_share_few_engine_calls(engine, engine_calls):
    batcher = QuestionBatcher(engine)
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(40)]
    answers = await asyncio.gather(*(batcher.answer(q) for q in questions))
    assert [a.question for a in answers] == questions  # each asker gets their own answer
    assert sorted(q for call in engine_calls for q in call) == sorted(questions)
    assert len(engine_calls) <= 2  # they queue while the first call is being set up
    expected = {q: gist(engine.answer(q)) for q in QUESTIONS}  # batching may move scores by
    assert all(gist(answer) == expected[answer.question] for answer in answers)  # rounding


async def test_batches_never_exceed_max_batch(engine, engine_calls):
    batcher = QuestionBatcher(engine, max_batch=4)
    answers = await asyncio.gather(*(batcher.answer(QUESTIONS[i % 4]) for i in range(13)))
    assert len(answers) == 13
    assert all(len(call) <= 4 for call in engine_calls) and len(engine_calls) >= 4


async def test_questions_for_one_article_are_batched_apart_from_the_rest(engine, monkeypatch):
    batches: list[tuple[str | None, list[str]]] = []
    answer_many = engine.answer_many

    def counting(questions, histories=None, article_id=None):
        batches.append((article_id, list(questions)))
        return answer_many(questions, histories, article_id)

    monkeypatch.setattr(engine, "answer_many", counting)
    batcher = QuestionBatcher(engine)
    article = engine.snapshot.articles[0].id
    chosen = [article, None, article, None]
    answers = await asyncio.gather(
        *(batcher.answer(q, article_id=a) for q, a in zip(QUESTIONS, chosen, strict=False))
    )
    assert [a.question for a in answers] == QUESTIONS[:4]
    assert all(c.article.id == article for a in answers for c in a.citations)
    grouped = {a: [q for i, q in enumerate(QUESTIONS[:4]) if chosen[i] == a] for a in chosen}
    assert sorted(batches, key=str) == sorted(grouped.items(), key=str)


async def test_a_failing_question_fails_only_its_waiter_not_the_batch(engine, engine_calls):
    batcher = QuestionBatcher(engine)
    results = await asyncio.gather(
        batcher.answer(QUESTIONS[0]),
        batcher.answer(" "),  # the engine refuses an empty question, failing its batch
        batcher.answer(QUESTIONS[1]),
        return_exceptions=True,
    )
    assert len(engine_calls[0]) == 3  # all three waited together...
    assert engine_calls[1:] == [[QUESTIONS[0]], [" "], [QUESTIONS[1]]]  # ...then one by one
    assert isinstance(results[1], InvalidQuestion)  # nobody hangs
    assert [results[0].question, results[2].question] == [QUESTIONS[0], QUESTIONS[1]]
    assert (await batcher.answer(QUESTIONS[2])).question == QUESTIONS[2]  # still serving


async def test_a_cancelled_waiter_does_not_strand_the_others(engine, engine_calls):
    batcher = QuestionBatcher(engine)
    first = asyncio.create_task(batcher.answer(QUESTIONS[0]))
    await asyncio.sleep(0)  # the worker is created; it takes QUESTIONS[0] alone
    cancelled = asyncio.create_task(batcher.answer(QUESTIONS[1]))
    waiting = asyncio.create_task(batcher.answer(QUESTIONS[2]))
    await asyncio.sleep(0)  # both queue for the next batch while the engine is busy
    cancelled.cancel()  # e.g. the asker's handler was cancelled
    worker = batcher._worker
    try:
        await first
        await asyncio.wait([worker])  # it drains the queue (or dies trying)
        assert waiting.done() and waiting.result().question == QUESTIONS[2]
    finally:
        waiting.cancel()
        if worker.done():
            worker.exception()  # retrieved: no "never retrieved" noise at exit


async def test_batcher_passes_each_question_its_history(engine):
    batcher = QuestionBatcher(engine)
    first = await batcher.answer("Who is Ebrahim Raisi?")
    follow_up, alone = await asyncio.gather(
        batcher.answer("how did he die?", (Turn.of(first),)), batcher.answer("how did he die?")
    )
    assert "Ebrahim Raisi" in follow_up.searched and alone.searched == alone.question


async def test_a_follow_up_in_a_chosen_article_keeps_both_its_history_and_article(engine):
    batcher = QuestionBatcher(engine)
    article = engine.snapshot.articles[0].id
    first = await batcher.answer("Who is Ebrahim Raisi?", article_id=article)
    follow_up = await batcher.answer("how did he die?", (Turn.of(first),), article_id=article)
    assert "Ebrahim Raisi" in follow_up.searched
    assert follow_up.citations and all(c.article.id == article for c in follow_up.citations)
    assert gist(follow_up) == gist(engine.answer("how did he die?", [Turn.of(first)], article))
