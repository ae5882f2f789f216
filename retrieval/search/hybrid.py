"""Hybrid search: dense FAISS similarity fused with BM25, one ranking of passages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from ..core.types import Hit, Passage, Sentence
from ..index.fusion import CrossLanguage
from ..index.lexical import LexicalIndex
from ..index.segments import SegmentedMatrix
from ..index.vectorstore import VectorLayout, VectorStore
from ..text.language import english
from ..text.words import tokenize

CANDIDATES = 100
# The most passages of one other language searched apart for a question's candidates (each
# article's rows are read whole); a larger part of the library in that language competes
# through the shortlist of the whole library only.
MAX_SCANNED = 20_000


class HybridSearcher:
    """Ranks passages by a weighted sum of three signals, tuned on the dev questions.

    - passage similarity: cosine of the question and the whole passage (FAISS);
    - sentence similarity: the best cosine of the question and one sentence of the passage,
      or of a sentence read with the one before it in the passage (its window), which is
      sharp where a long passage dilutes a short fact, and where a fact's subject is named in
      the sentence before (the window's vector is the two sentences' vectors summed, see
      :meth:`VectorLayout.scores_and_windows`);
    - BM25, squashed to [0, 1) by ``bm25 / (bm25 + saturation)`` rather than normalised per
      query, so that a weak lexical match stays weak (it matters for abstention).

    ``sentence_rows`` holds, passage after passage, the row of ``sentence_vectors`` of each of
    its sentences; a question only ever reads the rows of its candidates.

    ``layout`` splits the stored vectors into their models' blocks (one block when not
    given). ``languages`` gives the language of each article's rows. A passage in another language
    than the question's has no BM25 or word match to show, and e5 ranks same-language text
    first: such passages get candidates of their own language's best and are scored by
    ``cross_language`` from their similarity alone.
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
        languages: Sequence[tuple[range, str | None]] = (),
        cross_language: CrossLanguage | None = None,
        layout: VectorLayout | None = None,
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
        self.cross_language = cross_language or CrossLanguage()
        self.layout = layout or VectorLayout((("vectors", sentence_vectors.shape[1]),))
        # Each row's language as a code (-1: unknown, never crossing), so that which rows
        # cross a question's language is one comparison over its candidates.
        written = [(rows, language) for rows, language in languages if language]
        in_order = dict.fromkeys(language for _, language in written)
        self._code_of = {language: n for n, language in enumerate(in_order)}
        self._language_code = np.full(len(self.passages), -1, dtype=np.int64)
        self._articles_in: dict[str, list[range]] = {}
        for rows, language in written:
            self._language_code[rows.start : rows.stop] = self._code_of[language]
            self._articles_in.setdefault(language, []).append(rows)

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
        if rows is None:
            dense |= self._best_of_other_languages(query_vector, language, dense)
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
        crossing = self._crossing(candidates, language)
        reranked = english(language)  # by word matches, which other languages' passages lack
        hits = []
        for i, sentence, crossed in zip(
            candidates, best_sentence.tolist(), crossing.tolist(), strict=True
        ):
            lexical = float(squashed[i - within.start])
            similarity = self.passage_weight * dense[i] + (1 - self.passage_weight) * sentence
            if crossed:
                score = self.cross_language.score(similarity, reranked)
            else:
                score = similarity + self.lexical_weight * lexical
            hits.append(Hit(self.passages[i], score, similarity, lexical))
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k]

    def within_article(
        self, hits: Sequence[Hit], query: str, rows: range, language: str | None = None
    ) -> list[Hit]:
        """The ``hits`` of the article whose passages are ``rows``, in order, their BM25 part
        (and so their score) weighed with that article's term statistics alone (see
        :meth:`LexicalIndex.article_scores`): what the answerability model sees, the same
        with the article alone as in a library. A passage in another language than the
        question's keeps its score, which BM25 has no part in."""
        own = [h for h in hits if self._row_of[h.passage.id] in rows]
        own_rows = [self._row_of[h.passage.id] for h in own]
        bm25 = self.lexical.article_scores(tokenize(query, language), own_rows, rows)
        local = bm25 / (bm25 + self.saturation)
        weight = np.where(self._crossing(own_rows, language), 0.0, self.lexical_weight)
        return [
            dataclasses.replace(
                hit, score=hit.score + w * (float(lexical) - hit.lexical), lexical=float(lexical)
            )
            for hit, lexical, w in zip(own, local.tolist(), weight.tolist(), strict=True)
        ]

    def _crossing(self, rows: list[int], language: str | None) -> np.ndarray:
        """Which of ``rows`` are scored as in another language than the question's."""
        codes = self._language_code[np.asarray(rows, dtype=np.int64)]
        if language is None or not self.cross_language.active:
            return np.zeros(len(rows), dtype=bool)
        return (codes >= 0) & (codes != self._code_of.get(language, -2))

    def _best_of_other_languages(
        self, query_vector: np.ndarray, language: str | None, found: dict[int, float]
    ) -> dict[int, float]:
        """The best passages of each other language than the question's, by their own
        similarity: e5 puts same-language passages first, so a library's shortlist alone
        seldom holds any. Without passages in the question's language, it holds the best of
        them all already."""
        best: dict[int, float] = {}
        if language not in self._articles_in or not self.cross_language.active:
            return best
        for other, articles in self._articles_in.items():
            if other == language or sum(map(len, articles)) > MAX_SCANNED:
                continue
            scores: dict[int, float] = {}
            for rows in articles:  # each article's best, through the store's own search
                scores |= self._dense_scores(query_vector, rows)
            top = sorted(scores, key=scores.__getitem__, reverse=True)[:CANDIDATES]
            best |= {row: scores[row] for row in top if row not in found}
        return best

    def _dense_scores(self, query_vector: np.ndarray, rows: range | None) -> dict[int, float]:
        scores, ids = self.vectors.search(query_vector, CANDIDATES, rows)
        return {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}

    def _best_sentence_scores(self, candidates: list[int], query: np.ndarray) -> np.ndarray:
        """Each candidate passage's best cosine of one sentence, or one sentence's window,
        with the query, in one product over the candidates' sentences."""
        if not candidates:
            return np.zeros(0, dtype=np.float32)
        rows = np.asarray(candidates, dtype=np.int64)
        starts, stops = self._first_sentence[rows], self._first_sentence[rows + 1]
        counts = stops - starts
        offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
        positions = np.repeat(starts - offsets, counts) + np.arange(counts.sum())
        vectors = self.sentence_vectors[self._sentence_rows[positions]]
        # A passage's sentences are read in a row, so the row before each is the sentence
        # before it, except at a passage's first sentence, which has no window.
        scores, windows = self.layout.scores_and_windows(vectors, query)
        windows[offsets] = -np.inf
        return np.maximum.reduceat(np.maximum(scores, windows), offsets)
