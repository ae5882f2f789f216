"""Warm answer latency: the whole ``Engine.answer`` and each of its stages, one by one."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any

from retrieval import Engine
from retrieval.analysis import analyse
from retrieval.answer import compose
from retrieval.focus import content_words
from retrieval.rerank import POOL, rerank

from .stats import summary_ms, timed

STAGES = ("analysis", "embedding", "search", "rerank", "compose")


def stage_seconds(engine: Engine, question: str) -> tuple[float, ...]:
    """The time of each of ``STAGES`` in one answer, staged as ``answer_many`` does: reading
    the question (form, language, names, typos, kind, focus), embedding it, the hybrid search,
    the soft-match re-ranking, and composing (sentence choice, answerability, highlight)."""
    snapshot = engine.snapshot
    searcher = snapshot.searcher
    marks = [time.perf_counter()]
    analysis = analyse(question, snapshot.names, engine.is_word)
    marks.append(time.perf_counter())
    vector = engine.embedder.encode([analysis.searched])[0]
    marks.append(time.perf_counter())
    shortlist = searcher.search(vector, analysis.searched, max(POOL, engine.settings.top_k))
    marks.append(time.perf_counter())
    hits = rerank(shortlist, content_words(analysis.searched), engine.words, engine.settings.top_k)
    marks.append(time.perf_counter())
    compose(
        analysis,
        vector,
        hits,
        searcher.sentence_vectors_of(hits),
        engine.policy,
        engine.words,
        engine.model,
    )
    marks.append(time.perf_counter())
    return tuple(after - before for before, after in itertools.pairwise(marks))


def answer_latency(engine: Engine, questions: Sequence[str], rounds: int) -> dict[str, Any]:
    """Median and p95 of ``engine.answer`` and of each stage over ``rounds`` passes."""
    for question in questions:  # warm-up: first calls allocate and fill caches
        engine.answer(question)
    totals: list[float] = []
    stages: tuple[list[float], ...] = tuple([] for _ in STAGES)
    batched: list[float] = []
    for _ in range(rounds):
        for question in questions:
            totals.append(timed(lambda q=question: engine.answer(q))[1])
            for samples, seconds in zip(stages, stage_seconds(engine, question), strict=True):
                samples.append(seconds)
        batched.append(timed(lambda: engine.answer_many(list(questions)))[1] / len(questions))
    return {
        "backend": engine.settings.embedding_backend,
        "questions": len(questions),
        "rounds": rounds,
        "answer": summary_ms(totals),
        **{name: summary_ms(samples) for name, samples in zip(STAGES, stages, strict=True)},
        "answer_many_per_question": summary_ms(batched),
    }
