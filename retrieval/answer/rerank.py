"""Re-ranking the search's shortlist by how many of the question's words each passage meets.

BM25 only sees a word the passage spells the same way; the embedding sees the whole passage at
once. Soft word matches sit between the two: "learn" meets "knowledge", "invited" meets
"invitation", while a passage that merely shares the article's common names gains little.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from ..core.types import Hit
from ..question.focus import WordVectors, matches


def soft(scores: np.ndarray, floor: float) -> np.ndarray:
    """Word matches below ``floor`` count 0; exact forms (1.0) and paraphrases stay."""
    return np.where(scores >= floor, scores, 0.0)


def coverage(hit: Hit, asked: Sequence[str], words: WordVectors, floor: float) -> float:
    """The passage's soft coverage of ``asked``: the mean of each word's best match in it (its
    section title included), matches below ``floor`` counting 0."""
    text = f"{hit.passage.section or ''} {hit.passage.text}"
    return float(soft(matches(asked, text, words), floor).mean())


def rerank(
    hits: Sequence[Hit],
    asked: Sequence[str],
    words: WordVectors,
    k: int,
    weight: float,
    floor: float,
) -> list[Hit]:
    """The ``k`` best of ``hits`` after adding ``weight`` times each passage's soft coverage
    of ``asked`` (word matches below ``floor`` count 0)."""
    if not asked:
        return list(hits[:k])
    scored = [
        dataclasses.replace(hit, score=hit.score + weight * coverage(hit, asked, words, floor))
        for hit in hits
    ]
    scored.sort(key=lambda h: h.score, reverse=True)
    return scored[:k]
