"""Warm answer latency: the whole ``Engine.answer`` and each of its stages, one by one."""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any

from retrieval import Engine

from .stats import summary_ms, timed

STAGES = ("analysis", "embedding", "search", "rerank", "compose")


def stage_seconds(engine: Engine, question: str) -> tuple[float, ...]:
    """The time of each of ``STAGES`` in one answer, through the engine's own pipeline:
    reading the question (form, language, names, typos, kind, focus), embedding it, the hybrid
    search, the soft-match re-ranking, and composing (sentence choice, answerability,
    highlight)."""
    snapshot, pipeline = engine.snapshot, engine.pipeline
    marks = [time.perf_counter()]
    analysis, followup = pipeline.read(question, (), snapshot, engine.is_word)
    marks.append(time.perf_counter())
    vector = engine.embedder.encode_queries([analysis.searched], [analysis.language])[0]
    marks.append(time.perf_counter())
    shortlist = pipeline.search(snapshot, analysis, vector, None)
    marks.append(time.perf_counter())
    shortlist = pipeline.rerank(analysis, shortlist)
    marks.append(time.perf_counter())
    pipeline.compose(snapshot, analysis, followup, vector, shortlist)
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
