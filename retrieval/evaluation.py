"""Scoring the engine against a JSONL question file (the format of dev_questions.jsonl)."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from .engine import Engine
from .errors import RetrievalError
from .types import Answer


@dataclass(frozen=True, slots=True)
class Question:
    """One line of a question file: answerable (gold fragments, keywords) or off-topic."""

    text: str
    gold: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    offtopic: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """Retrieval and answer metrics over one question file, with the misses listed."""

    answerable: int
    offtopic: int
    hit_at_1: float
    hit_at_3: float
    mrr: float
    keyword_rate: float
    offtopic_abstained: float
    false_abstentions: float
    misses: tuple[str, ...] = field(default=())


def read_questions(path: Path) -> list[Question]:
    """Parse a JSONL question file; blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
        return [
            Question(
                r["q"],
                tuple(r.get("gold", ())),
                tuple(r.get("answer", ())),
                bool(r.get("offtopic", False)),
            )
            for r in records
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RetrievalError(f"cannot read question file {path}: {exc}") from exc


def gold_rank(answer: Answer, gold: tuple[str, ...]) -> int | None:
    """1-based rank of the first citation whose passage holds a gold fragment."""
    for citation in answer.citations:
        if any(fragment in citation.passage.text for fragment in gold):
            return citation.n
    return None


def evaluate(engine: Engine, questions: list[Question]) -> Report:
    """Answer every question (in one batch) and score the answers."""
    answers = engine.answer_many([q.text for q in questions])
    on = [(q, a) for q, a in zip(questions, answers, strict=True) if not q.offtopic]
    off = [a for q, a in zip(questions, answers, strict=True) if q.offtopic]
    ranks = [gold_rank(a, q.gold) for q, a in on]
    keyword_hits = [all(k.lower() in a.text.lower() for k in q.keywords) for q, a in on]
    misses = [
        f"{q.text!r}: gold rank {r}, answer {a.text[:120]!r}"
        for (q, a), r, k in zip(on, ranks, keyword_hits, strict=True)
        if r != 1 or not k
    ] + [f"{a.question!r}: answered instead of abstaining" for a in off if not a.abstained]
    return Report(
        answerable=len(on),
        offtopic=len(off),
        hit_at_1=_mean(r == 1 for r in ranks),
        hit_at_3=_mean(r is not None and r <= 3 for r in ranks),
        mrr=_mean(1 / r if r else 0.0 for r in ranks),
        keyword_rate=_mean(keyword_hits),
        offtopic_abstained=_mean(a.abstained for a in off),
        false_abstentions=_mean(a.abstained for _, a in on),
        misses=tuple(misses),
    )


def _mean(values: object) -> float:
    items = [float(v) for v in values]  # type: ignore[attr-defined]
    return statistics.fmean(items) if items else 0.0
