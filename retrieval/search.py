"""Hybrid search: dense FAISS similarity fused with BM25, one ranking of passages."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .lexical import LexicalIndex, tokenize
from .types import Hit, Passage, Sentence
from .vectorstore import VectorStore

CANDIDATES = 100


class HybridSearcher:
    """Ranks passages by a weighted sum of three signals, tuned on the dev questions.

    - passage similarity: cosine of the question and the whole passage (FAISS);
    - sentence similarity: the best cosine of the question and one sentence of the passage,
      which is sharp where a long passage dilutes a short fact;
    - BM25, squashed to [0, 1) by ``bm25 / (bm25 + saturation)`` rather than normalised per
      query, so that a weak lexical match stays weak (it matters for abstention).
    """

    def __init__(
        self,
        passages: Sequence[Passage],
        vectors: VectorStore,
        sentences: Sequence[Sentence],
        sentence_vectors: np.ndarray,
        lexical: LexicalIndex | None = None,
        *,
        passage_weight: float = 0.6,
        lexical_weight: float = 0.6,
        saturation: float = 2.0,
    ) -> None:
        self.passages = tuple(passages)
        self.vectors = vectors
        self.sentence_vectors = sentence_vectors
        # Keyed by value: equal sentences of two articles are the same text, with one vector.
        self._sentence_rows = {s: i for i, s in enumerate(sentences)}
        self.lexical = lexical or LexicalIndex([f"{p.section or ''} {p.text}" for p in passages])
        self.passage_weight = passage_weight
        self.lexical_weight = lexical_weight
        self.saturation = saturation

    def sentence_vector(self, sentence: Sentence) -> np.ndarray:
        """The stored unit vector of one sentence."""
        return self.sentence_vectors[self._sentence_rows[sentence]]

    def search(
        self, query_vector: np.ndarray, query: str, k: int, rows: range | None = None
    ) -> list[Hit]:
        """The ``k`` best passages for one query, best first; only passages in ``rows`` (one
        article's) when given."""
        within = rows or range(len(self.passages))
        bm25 = self.lexical.scores(tokenize(query))[within.start : within.stop]
        dense = self._dense_scores(query_vector, rows)
        lexical_top = np.argpartition(-bm25, min(CANDIDATES, len(bm25)) - 1)[:CANDIDATES]
        lexical_only = [
            int(i) + within.start
            for i in lexical_top
            if bm25[i] > 0 and int(i) + within.start not in dense
        ]
        if lexical_only:  # candidates beyond the dense shortlist: score their stored vectors
            stored = self.vectors.vectors(lexical_only) @ query_vector
            dense |= {i: float(s) for i, s in zip(lexical_only, stored, strict=True)}
        squashed = bm25 / (bm25 + self.saturation)
        hits = [
            self._hit(i, dense[i], float(squashed[i - within.start]), query_vector) for i in dense
        ]
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    def _dense_scores(self, query_vector: np.ndarray, rows: range | None) -> dict[int, float]:
        scores, ids = self.vectors.search(query_vector, CANDIDATES, rows)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    def _hit(self, i: int, whole: float, lexical: float, query: np.ndarray) -> Hit:
        passage = self.passages[i]
        rows = [self._sentence_rows[s] for s in passage.sentences]
        best_sentence = float(np.max(self.sentence_vectors[rows] @ query))
        similarity = self.passage_weight * whole + (1 - self.passage_weight) * best_sentence
        return Hit(passage, similarity + self.lexical_weight * lexical, similarity, lexical)
