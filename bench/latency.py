"""Warm answer latency: the whole ``Engine.answer`` and its three stages, question by question."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from retrieval import Engine
from retrieval.answer import compose

from .stats import summary_ms, timed


def stage_seconds(engine: Engine, question: str) -> tuple[float, float, float]:
    """Embedding, search and composition times of one answer, staged as ``answer_many`` does."""
    snapshot = engine.snapshot
    searcher = snapshot.searcher
    started = time.perf_counter()
    vector = engine.embedder.encode([question])[0]
    embedded = time.perf_counter()
    hits = searcher.search(vector, question, engine.settings.top_k)
    searched = time.perf_counter()
    unknown = searcher.lexical.unknown_names(question)
    compose(question, vector, hits, searcher.sentence_vector, engine.policy, unknown)
    composed = time.perf_counter()
    return embedded - started, searched - embedded, composed - searched


def answer_latency(engine: Engine, questions: Sequence[str], rounds: int) -> dict[str, Any]:
    """Median and p95 of ``engine.answer`` and of each stage over ``rounds`` passes."""
    for question in questions:  # warm-up: first calls allocate and fill caches
        engine.answer(question)
    totals: list[float] = []
    stages: tuple[list[float], list[float], list[float]] = ([], [], [])
    batched: list[float] = []
    for _ in range(rounds):
        for question in questions:
            totals.append(timed(lambda q=question: engine.answer(q))[1])
            for samples, seconds in zip(stages, stage_seconds(engine, question), strict=True):
                samples.append(seconds)
        batched.append(timed(lambda: engine.answer_many(list(questions)))[1] / len(questions))
    embedding, search, composition = stages
    return {
        "backend": engine.settings.embedding_backend,
        "questions": len(questions),
        "rounds": rounds,
        "answer": summary_ms(totals),
        "embedding": summary_ms(embedding),
        "search": summary_ms(search),
        "compose": summary_ms(composition),
        "answer_many_per_question": summary_ms(batched),
    }
