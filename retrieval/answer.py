"""Extractive answers: pick the sentences that best answer the question and cite them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .lexical import tokenize
from .types import Answer, Citation, Hit, Passage, Sentence

_OVERVIEW = re.compile(
    r"^(?:what(?:'s| is)\s+(?:this|the)\s+(?:article|story|piece|text)\s+about"
    r"|summari[sz]e(?:\s+(?:this|the)\s+(?:article|story))?"
    r"|(?:give me\s+)?(?:a|the)\s+summary(?:\s+of\s+(?:this|the)\s+(?:article|story))?"
    r"|tl;?dr|what(?:'s| is| are)\s+the\s+(?:main|key)\s+(?:points?|news|takeaways?))[\s?.!]*$",
    re.IGNORECASE,
)
NOT_COVERED = "Sorry, the article doesn't cover that."
NOT_MENTIONED = "Sorry, the article doesn't cover that: it never mentions {names}."


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """Tuned on the dev questions; see README, "How answers are chosen"."""

    abstain_below: float = 0.30
    overlap_weight: float = 0.5
    rank_weight: float = 0.05
    second_ratio: float = 0.8
    neighbour_ratio: float = 0.6
    context_discount: float = 0.8
    max_sentences: int = 2


@dataclass(frozen=True, slots=True)
class _Candidate:
    sentence: Sentence
    passage: Passage
    hit_rank: int
    score: float


def asks_for_overview(question: str) -> bool:
    """Whether the question asks what the whole article is about ("Summarize the article")."""
    return bool(_OVERVIEW.match(question.strip()))


def overview(question: str, lead: Passage) -> Answer:
    """The article's opening sentences, which for a news piece say what it is about."""
    sentences = lead.sentences[:2]
    start, end = sentences[0].start, sentences[-1].end
    quote = lead.text[start - lead.start : end - lead.start]
    text = " ".join(f"{sentence.text} [1]" for sentence in sentences)
    return Answer(question, text, False, (Citation(1, lead, quote, start, end, 1.0),), 1.0)


def compose(
    question: str,
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    sentence_vector: Callable[[Sentence], np.ndarray],
    policy: AnswerPolicy,
    unknown_names: Sequence[str] = (),
) -> Answer:
    """Quote the best one or two sentences of ``hits``, or abstain when they are too weak or
    the question names something the article never mentions."""
    confidence = hits[0].score if hits else 0.0
    if unknown_names:
        message = NOT_MENTIONED.format(names=", ".join(dict.fromkeys(unknown_names)))
        return Answer(question, message, True, (), confidence)
    if confidence < policy.abstain_below:
        return Answer(question, NOT_COVERED, True, (), confidence)
    question_terms = frozenset(tokenize(question))
    candidates = _candidates(query_vector, hits, sentence_vector, question_terms, policy)
    chosen = _choose(candidates, policy)
    return _cite(question, chosen, hits, query_vector, sentence_vector, confidence)


def _candidates(
    query_vector: np.ndarray,
    hits: Sequence[Hit],
    sentence_vector: Callable[[Sentence], np.ndarray],
    question_terms: frozenset[str],
    policy: AnswerPolicy,
) -> list[_Candidate]:
    best: dict[Sentence, _Candidate] = {}  # by value: passages of two articles may share offsets
    for rank, hit in enumerate(hits):
        previous: frozenset[str] = frozenset()
        for sentence in hit.passage.sentences:
            terms = frozenset(tokenize(sentence.text))
            score = _score(
                sentence_vector(sentence) @ query_vector,
                terms,
                previous,
                question_terms,
                rank,
                policy,
            )
            candidate = _Candidate(sentence, hit.passage, rank, score)
            if sentence not in best or candidate.score > best[sentence].score:
                best[sentence] = candidate
            previous = terms
    return sorted(best.values(), key=lambda c: c.score, reverse=True)


def _score(
    similarity: float,
    terms: frozenset[str],
    previous: frozenset[str],
    question_terms: frozenset[str],
    rank: int,
    policy: AnswerPolicy,
) -> float:
    """Similarity plus word overlap; words of the sentence before count at a discount, since
    a quote often names its speaker one sentence earlier ("he said")."""
    own = len(terms & question_terms)
    borrowed = len((previous - terms) & question_terms) * policy.context_discount
    overlap = (own + borrowed) / max(1, len(question_terms))
    return float(similarity) + policy.overlap_weight * overlap - policy.rank_weight * rank


def _choose(candidates: list[_Candidate], policy: AnswerPolicy) -> list[_Candidate]:
    """The best sentence, plus one that scores nearly as well; a neighbour of the best needs
    less, since the two read as one quote (a claim and the sentence that explains it)."""
    best = candidates[0]
    chosen = [best]
    for other in candidates[1:]:
        if len(chosen) == policy.max_sentences:
            break
        ratio = policy.neighbour_ratio if _neighbours(best, other) else policy.second_ratio
        if other.score >= ratio * best.score and _quotable(chosen, other):
            chosen.append(other)
    return chosen


def _neighbours(a: _Candidate, b: _Candidate) -> bool:
    starts = [s.start for s in a.passage.sentences]
    return (
        b.sentence.start in starts
        and abs(starts.index(b.sentence.start) - starts.index(a.sentence.start)) == 1
    )


def _quotable(chosen: list[_Candidate], other: _Candidate) -> bool:
    """A quote is one run of text: two sentences cited from one passage must be neighbours."""
    same = [c for c in chosen if c.hit_rank == other.hit_rank]
    sentences = [s.start for s in other.passage.sentences]
    position = sentences.index(other.sentence.start)
    return all(abs(sentences.index(c.sentence.start) - position) == 1 for c in same)


def _cite(
    question: str,
    chosen: list[_Candidate],
    hits: Sequence[Hit],
    query_vector: np.ndarray,
    sentence_vector: Callable[[Sentence], np.ndarray],
    confidence: float,
) -> Answer:
    """Cite every hit in rank order. A hit no answer sentence came from quotes its best
    sentence that no other citation quotes yet (overlapping passages share sentences)."""
    citations: list[Citation] = []
    for rank, hit in enumerate(hits):
        quoted = sorted((c.sentence for c in chosen if c.hit_rank == rank), key=lambda s: s.start)
        if not quoted:
            taken = {c.start for c in citations} | {c.sentence.start for c in chosen}
            fresh = [s for s in hit.passage.sentences if s.start not in taken]
            quoted = [
                max(
                    fresh or hit.passage.sentences,
                    key=lambda s: float(sentence_vector(s) @ query_vector),
                )
            ]
        offset = hit.passage.start
        quote = hit.passage.text[quoted[0].start - offset : quoted[-1].end - offset]
        citations.append(
            Citation(rank + 1, hit.passage, quote, quoted[0].start, quoted[-1].end, hit.score)
        )
    text = " ".join(f"{c.sentence.text} [{c.hit_rank + 1}]" for c in chosen)
    return Answer(question, text, False, tuple(citations), confidence)
