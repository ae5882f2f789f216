"""Hybrid search: dense FAISS similarity fused with BM25, one ranking of passages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from ..core.types import Hit, Passage, Sentence
from ..index.lexical import LexicalIndex
from ..index.segments import SegmentedMatrix
from ..index.vectorstore import VectorStore
from ..text.words import tokenize

CANDIDATES = 100


class HybridSearcher:
    """Ranks passages by a weighted sum of three signals, tuned on the dev questions.

    - passage similarity: cosine of the question and the whole passage (FAISS);
    - sentence similarity: the best cosine of the question and one sentence of the passage,
      which is sharp where a long passage dilutes a short fact;
    - BM25, squashed to [0, 1) by ``bm25 / (bm25 + saturation)`` rather than normalised per
      query, so that a weak lexical match stays weak (it matters for abstention).

    ``sentence_rows`` holds, passage after passage, the row of ``sentence_vectors`` of each of
    its sentences; a question only ever reads the rows of its candidates.
    """

    def __init__(
        self,
        passages: Sequence[Passage],
        vectors: VectorStore,
        sentence_vectors: SegmentedMatrix,
        sentence_rows: np.ndarray,
        lexical: LexicalIndex | None = None,
        *,
        passage_weight: float = 0.6,
        lexical_weight: float = 0.6,
        saturation: float = 2.0,
    ) -> None:
        self.passages = tuple(passages)
        self.vectors = vectors
        self.sentence_vectors = sentence_vectors
        counts = np.fromiter((len(p.sentences) for p in self.passages), np.int64, len(passages))
        if counts.sum() != len(sentence_rows):
            raise ValueError("the sentence rows do not match the passages' sentences")
        self._sentence_rows = np.asarray(sentence_rows, dtype=np.int64)
        self._first_sentence = np.concatenate([[0], np.cumsum(counts)])
        self._row_of = {p.id: i for i, p in enumerate(self.passages)}
        self.lexical = lexical or LexicalIndex([f"{p.section or ''} {p.text}" for p in passages])
        self.passage_weight = passage_weight
        self.lexical_weight = lexical_weight
        self.saturation = saturation

    def sentence_vectors_of(self, hits: Sequence[Hit]) -> Callable[[Sentence], np.ndarray]:
        """The stored unit vector of each sentence of the hits' passages, as a lookup."""
        by_sentence: dict[Sentence, np.ndarray] = {}
        for hit in hits:
            row = self._row_of[hit.passage.id]
            vectors = self.sentence_vectors[self._rows_of_passage(row)]
            by_sentence.update(zip(hit.passage.sentences, vectors, strict=True))
        return by_sentence.__getitem__

    def _rows_of_passage(self, row: int) -> np.ndarray:
        first = self._first_sentence
        return self._sentence_rows[first[row] : first[row + 1]]

    def search(
        self,
        query_vector: np.ndarray,
        query: str,
        k: int,
        rows: range | None = None,
        language: str | None = None,
    ) -> list[Hit]:
        """The ``k`` best passages for one query (its words stemmed as ``language``), best
        first; only passages in ``rows`` (one article's) when given."""
        within = rows or range(len(self.passages))
        bm25 = self.lexical.scores(tokenize(query, language))[within.start : within.stop]
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
        candidates = list(dense)
        squashed = bm25 / (bm25 + self.saturation)
        best_sentence = self._best_sentence_scores(candidates, query_vector)
        hits = []
        for i, sentence in zip(candidates, best_sentence.tolist(), strict=True):
            lexical = float(squashed[i - within.start])
            similarity = self.passage_weight * dense[i] + (1 - self.passage_weight) * sentence
            hits.append(
                Hit(
                    self.passages[i],
                    similarity + self.lexical_weight * lexical,
                    similarity,
                    lexical,
                )
            )
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    def within_article(
        self, hits: Sequence[Hit], query: str, rows: range, language: str | None = None
    ) -> list[Hit]:
        """The ``hits`` of the article whose passages are ``rows``, in order, their BM25 part
        (and so their score) weighed with that article's term statistics alone (see
        :meth:`LexicalIndex.article_scores`): what the answerability model sees, the same
        with the article alone as in a library."""
        own = [h for h in hits if self._row_of[h.passage.id] in rows]
        bm25 = self.lexical.article_scores(
            tokenize(query, language), [self._row_of[h.passage.id] for h in own], rows
        )
        local = bm25 / (bm25 + self.saturation)
        return [
            dataclasses.replace(
                hit,
                score=hit.score + self.lexical_weight * (float(lexical) - hit.lexical),
                lexical=float(lexical),
            )
            for hit, lexical in zip(own, local.tolist(), strict=True)
        ]

    def _dense_scores(self, query_vector: np.ndarray, rows: range | None) -> dict[int, float]:
        scores, ids = self.vectors.search(query_vector, CANDIDATES, rows)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    def _best_sentence_scores(self, candidates: list[int], query: np.ndarray) -> np.ndarray:
        """Each candidate passage's best cosine of one sentence with the query, in one product
        over the candidates' sentences."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        rows = np.asarray(candidates, dtype=np.int64)
        starts, stops = self._first_sentence[rows], self._first_sentence[rows + 1]
        counts = stops - starts
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        positions = np.repeat(starts - offsets, counts) + np.arange(counts.sum())
        scores = self.sentence_vectors[self._sentence_rows[positions]] @ query
        return np.maximum.reduceat(scores, offsets)
