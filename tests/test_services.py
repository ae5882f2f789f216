"""The bot's long-lived services: per-user rate limit, stats and the question batcher."""

import asyncio
import statistics

import pytest

from retrieval import Answer, InvalidQuestion
from retrieval.batching import QuestionBatcher
from tgbot.services import LATENCY_WINDOW, RateLimiter, Stats

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


# --- Stats ----------------------------------------------------------------------------------


def test_stats_count_answers_and_abstentions():
    stats = Stats()
    assert (stats.answered, stats.abstained) == (0, 0)
    assert stats.percentile(0.5) is None and stats.percentile(0.95) is None
    for seconds, abstained in ((0.2, False), (0.4, True), (0.3, False)):
        stats.record(seconds, abstained)
    assert (stats.answered, stats.abstained) == (3, 1)


def test_stats_percentiles():
    stats = Stats()
    stats.record(0.25, False)
    assert stats.percentile(0.5) == stats.percentile(0.95) == 0.25
    stats = Stats()
    for ms in range(1, 102):  # 1 ... 101 ms, recorded out of order
        stats.record(((ms * 37) % 101 + 1) / 1000, False)
    assert stats.percentile(0.5) == pytest.approx(0.051)
    assert stats.percentile(0.95) == pytest.approx(0.096)
    assert stats.percentile(0.5) == pytest.approx(statistics.median(stats.latencies))


def test_stats_keep_a_window_of_recent_latencies():
    stats = Stats()
    for _ in range(LATENCY_WINDOW):
        stats.record(10.0, False)
    for _ in range(LATENCY_WINDOW):
        stats.record(0.1, False)
    assert stats.answered == 2 * LATENCY_WINDOW
    assert stats.percentile(0.95) == pytest.approx(0.1)  # old latencies fell out


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

    def counting(questions, article_id=None):
        calls.append(list(questions))
        return answer_many(questions, article_id)

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

    def counting(questions, article_id=None):
        batches.append((article_id, list(questions)))
        return answer_many(questions, article_id)

    monkeypatch.setattr(engine, "answer_many", counting)
    batcher = QuestionBatcher(engine)
    article = engine.snapshot.articles[0].id
    chosen = [article, None, article, None]
    answers = await asyncio.gather(
        *(batcher.answer(q, a) for q, a in zip(QUESTIONS, chosen, strict=False))
    )
    assert [a.question for a in answers] == QUESTIONS[:4]
    assert all(c.article.id == article for a in answers for c in a.citations)
    grouped = {a: [q for i, q in enumerate(QUESTIONS[:4]) if chosen[i] == a] for a in chosen}
    assert sorted(batches, key=str) == sorted(grouped.items(), key=str)


async def test_an_engine_failure_reaches_every_waiter_of_the_batch(engine, engine_calls):
    batcher = QuestionBatcher(engine)
    results = await asyncio.gather(
        batcher.answer(QUESTIONS[0]),
        batcher.answer(" "),  # the engine refuses an empty question, failing its batch
        batcher.answer(QUESTIONS[1]),
        return_exceptions=True,
    )
    assert len(engine_calls) == 1  # all three waited together
    assert all(isinstance(result, InvalidQuestion) for result in results)  # nobody hangs
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
