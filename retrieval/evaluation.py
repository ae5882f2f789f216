"""Scoring the engine against a JSONL question file (the format of dev_questions.jsonl).

A line is answerable (``gold`` fragments of the passage that holds the answer, ``answer``
keywords a good answer contains), ``offtopic`` (nothing to do with the article) or
``unanswerable`` (about the article, but it does not say). Lines with a ``conversation`` field
are asked in order as one chat; every line after a conversation's first is a follow-up.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .core.errors import RetrievalError
from .core.types import Answer
from .engine import Engine
from .question.conversation import ConversationStore


@dataclass(frozen=True, slots=True)
class Question:
    """One line of a question file."""

    text: str
    gold: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    offtopic: bool = False
    unanswerable: bool = False
    conversation: str | None = None
    # SQuAD lists the crowd's alternative answers: any one of them is a right answer.
    any_keyword: bool = False
    language: str | None = None  # the file's "lang": ISO 639-1 code the question is written in

    @property
    def answerable(self) -> bool:
        """Whether the article answers the question."""
        return not (self.offtopic or self.unanswerable)


@dataclass(frozen=True, slots=True)
class Report:
    """Retrieval, answer and outcome metrics over a set of questions, with the misses."""

    answerable: int
    offtopic: int
    unanswerable: int
    hit_at_1: float
    hit_at_3: float
    mrr: float
    keyword_rate: float
    answerable_declined: int
    answerable_hedged: int
    unanswerable_answered: int
    offtopic_declined: int
    misses: tuple[str, ...] = field(default=())
    followups: Report | None = None
    by_language: tuple[tuple[str, Report], ...] = ()  # when the file names its languages

    @property
    def offtopic_abstained(self) -> float:
        """The share of off-topic questions declined."""
        return self.offtopic_declined / self.offtopic if self.offtopic else 0.0

    @property
    def false_abstentions(self) -> float:
        """The share of answerable questions declined."""
        return self.answerable_declined / self.answerable if self.answerable else 0.0


def read_questions(path: Path) -> list[Question]:
    """Parse a JSONL question file; blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [_question(json.loads(line)) for line in lines if line.strip()]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RetrievalError(f"cannot read question file {path}: {exc}") from exc


def _question(record: dict[str, object]) -> Question:
    gold = tuple(record.get("gold", ()))  # type: ignore[arg-type]
    keywords = tuple(record.get("answer", ()))  # type: ignore[arg-type]
    conversation = record.get("conversation")
    return Question(
        text=str(record["q"]),
        gold=gold,
        keywords=keywords,
        offtopic=bool(record.get("offtopic", False)),
        unanswerable=bool(record.get("unanswerable", False)),
        conversation=None if conversation is None else str(conversation),
        any_keyword=bool(gold) and gold == keywords,
        language=None if record.get("lang") is None else str(record["lang"]),
    )


def gold_rank(answer: Answer, gold: tuple[str, ...]) -> int | None:
    """1-based rank of the first citation whose passage holds a gold fragment."""
    for citation in answer.citations:
        if any(fragment in citation.passage.text for fragment in gold):
            return citation.n
    return None


def has_keywords(answer: Answer, question: Question) -> bool:
    """Whether the answer's text holds the question's keywords (all, or any for SQuAD)."""
    text = answer.text.lower()
    found = [k.lower() in text for k in question.keywords]
    return any(found) if question.any_keyword else all(found)


def answer_all(engine: Engine, questions: Sequence[Question]) -> list[Answer]:
    """Answer every question: standalone ones in one batch, conversations turn by turn.

    Round n asks every conversation's n-th question in one batch, each with its conversation
    so far; questions of no conversation all go in the first round.
    """
    store = ConversationStore.from_settings(engine.settings)
    answers: dict[int, Answer] = {}
    rounds: dict[int, list[int]] = {}
    for i, n in enumerate(turn_numbers(questions)):
        rounds.setdefault(n, []).append(i)
    for n in sorted(rounds):
        batch = rounds[n]
        histories = [store.history(questions[i].conversation) for i in batch]
        replies = engine.answer_many([questions[i].text for i in batch], histories)
        for i, answer in zip(batch, replies, strict=True):
            answers[i] = answer
            if questions[i].conversation is not None:
                store.record(questions[i].conversation, answer)
    return [answers[i] for i in range(len(questions))]


def turn_numbers(questions: Sequence[Question]) -> list[int]:
    """Each question's place in its conversation: 0 for the first (or for no conversation)."""
    asked: dict[str, int] = {}
    numbers = []
    for question in questions:
        key = question.conversation
        numbers.append(0 if key is None else asked.get(key, 0))
        if key is not None:
            asked[key] = numbers[-1] + 1
    return numbers


def evaluate(engine: Engine, questions: list[Question]) -> Report:
    """Answer every question and score the answers; conversation files get follow-up rates."""
    pairs = list(zip(questions, answer_all(engine, questions), strict=True))
    report = score(pairs)
    numbers = turn_numbers(questions)
    followups = [pair for pair, n in zip(pairs, numbers, strict=True) if n > 0]
    languages = sorted({q.language for q in questions if q.language})
    by_language = tuple(
        (language, score((q, a) for q, a in pairs if q.language == language))
        for language in languages
    )
    return replace(
        report, followups=score(followups) if followups else None, by_language=by_language
    )


def score(pairs: Iterable[tuple[Question, Answer]]) -> Report:
    """The metrics of already answered questions."""
    pairs = list(pairs)
    on = [(q, a) for q, a in pairs if q.answerable]
    off = [a for q, a in pairs if q.offtopic]
    unanswerable = [a for q, a in pairs if q.unanswerable]
    ranks = [gold_rank(a, q.gold) for q, a in on]
    answered = [(q, a) for q, a in on if a.answered]
    keyword_hits = [has_keywords(a, q) for q, a in answered]
    misses = [
        f"{q.text!r}{_searched(a)}: {a.outcome}, gold rank {r}, answer {a.text[:120]!r}"
        for (q, a), r in zip(on, ranks, strict=True)
        if r != 1 or not a.answered or not has_keywords(a, q)
    ]
    misses += [f"{a.question!r}: off-topic but {a.outcome}" for a in off if not a.abstained]
    misses += [f"{a.question!r}: unanswerable but answered" for a in unanswerable if a.answered]
    return Report(
        answerable=len(on),
        offtopic=len(off),
        unanswerable=len(unanswerable),
        hit_at_1=_mean(r == 1 for r in ranks),
        hit_at_3=_mean(r is not None and r <= 3 for r in ranks),
        mrr=_mean(1 / r if r else 0.0 for r in ranks),
        keyword_rate=_mean(keyword_hits),
        answerable_declined=sum(a.outcome == "declined" for _, a in on),
        answerable_hedged=sum(a.outcome == "hedged" for _, a in on),
        unanswerable_answered=sum(a.answered for a in unanswerable),
        offtopic_declined=sum(a.abstained for a in off),
        misses=tuple(misses),
    )


def _searched(answer: Answer) -> str:
    return f" (searched {answer.searched!r})" if answer.searched != answer.question else ""


def _mean(values: Iterable[object]) -> float:
    items = [float(v) for v in values]  # type: ignore[arg-type]
    return statistics.fmean(items) if items else 0.0
